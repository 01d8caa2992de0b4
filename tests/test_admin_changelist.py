"""The essay list in the admin: columns, filters, search, order, actions, and a query count
that doesn't grow with the number of essays."""

import datetime as dt

import pytest
from django.contrib.admin.models import LogEntry
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from reversion.models import Version

from blog.models import Post

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/blog/post/"


def titles(response) -> list[str]:
    return [post.title for post in response.context["cl"].result_list]


def test_columns_show_title_date_status_link_domain_and_where_to_read_it(
    admin_client, make_post, tomorrow
):
    public = make_post(title="Public", external_link="https://www.posthog.com/handbook")
    draft = make_post(title="Draft", status=Post.Status.DRAFT)
    make_post(title="Scheduled", date=tomorrow)
    response = admin_client.get(CHANGELIST)
    html = response.text
    head = html.split("<thead>")[1].split("</thead>")[0]
    columns = ["title", "date", "state", "link_to", "on_site"]
    assert [head.index(f"column-{name}") for name in columns] == sorted(
        head.index(f"column-{name}") for name in columns
    )
    for text in ["Title", "Date", "Status", "Link to", "On the site"]:
        assert f">{text}</" in head
    assert "posthog.com" in html
    assert "www.posthog.com" not in html.split("<tbody>")[1]
    assert f'<a href="{public.get_absolute_url()}">View on site</a>' in html
    assert f'<a href="/admin/blog/post/preview/{draft.slug}/">Preview</a>' in html
    assert "Scheduled for" in html


def test_newest_first(admin_client, make_post, yesterday):
    make_post(title="Older", date=yesterday - dt.timedelta(days=30))
    make_post(title="Newest", date=timezone.localdate())
    make_post(title="Middle", date=yesterday)
    assert titles(admin_client.get(CHANGELIST)) == ["Newest", "Middle", "Older"]


def test_filter_by_status(admin_client, make_post):
    make_post(title="Out")
    make_post(title="In", status=Post.Status.DRAFT)
    assert titles(admin_client.get(CHANGELIST, {"status__exact": "draft"})) == ["In"]


def test_date_hierarchy_lists_the_years_there_are_and_filters_by_one(admin_client, make_post):
    make_post(title="Old", date=dt.date(2019, 5, 1))
    make_post(title="New", date=dt.date(2023, 9, 9))
    html = admin_client.get(CHANGELIST).text
    assert "?date__year=2019" in html
    assert "?date__year=2023" in html
    assert "?date__year=2020" not in html
    assert titles(admin_client.get(CHANGELIST, {"date__year": "2019"})) == ["Old"]


def test_a_bad_year_goes_back_to_the_whole_list(admin_client, make_post):
    make_post(title="Any")
    response = admin_client.get(CHANGELIST, {"date__year": "x"}, follow=True)
    assert response.redirect_chain == [(f"{CHANGELIST}?e=1", 302)]
    assert titles(response) == ["Any"]


def test_search_finds_title_and_body(admin_client, make_post):
    make_post(title="Autonomy", body="About work.")
    make_post(title="Other", body="Nothing about autonomy here? Yes, autonomy.")
    make_post(title="Unrelated", body="Gardening.")
    assert sorted(titles(admin_client.get(CHANGELIST, {"q": "autonomy"}))) == [
        "Autonomy",
        "Other",
    ]


def test_the_list_makes_as_many_queries_for_200_essays_as_for_10(admin_client):
    today = timezone.localdate()

    def queries_for(count: int) -> int:
        Post.objects.all().delete()
        Post.objects.bulk_create(
            Post(
                slug=f"essay-{n}",
                title=f"Essay {n}",
                body="Body",
                date=today - dt.timedelta(days=n),
                status=Post.Status.PUBLISHED if n % 2 else Post.Status.DRAFT,
                external_link="https://example.com/" if n % 3 else "",
            )
            for n in range(count)
        )
        with CaptureQueriesContext(connection) as queries:
            response = admin_client.get(CHANGELIST)
        assert len(response.context["cl"].result_list) == min(count, 50)
        return len(queries)

    admin_client.get(CHANGELIST)  # the session and permissions, warmed
    few = queries_for(10)
    assert few <= 10
    assert queries_for(200) == few


def select_action(client, action: str, posts: list[Post]):
    return client.post(
        CHANGELIST,
        {"action": action, "_selected_action": [post.pk for post in posts]},
        follow=True,
    )


def test_publish_saves_each_essay_through_the_model(admin_client, make_post, tomorrow):
    drafts = [
        make_post(status=Post.Status.DRAFT),
        make_post(status=Post.Status.DRAFT, date=tomorrow),
    ]
    before = {post.pk: post.updated for post in drafts}
    response = select_action(admin_client, "publish", drafts)
    assert "Published 2 essays." in response.text
    assert "1 essay dated in the future will appear on their date." in response.text
    for post in Post.objects.filter(pk__in=before):
        assert post.status == Post.Status.PUBLISHED
        assert post.updated > before[post.pk]
    assert LogEntry.objects.filter(object_id__in=[str(pk) for pk in before]).count() == 2


def test_revert_to_draft(admin_client, client, make_post):
    post = make_post()
    response = select_action(admin_client, "revert_to_draft", [post])
    assert "Reverted 1 essay to draft." in response.text
    post.refresh_from_db()
    assert post.status == Post.Status.DRAFT
    assert client.get(post.get_absolute_url()).status_code == 404


def test_each_essay_changed_by_an_action_gets_a_revision_of_its_own(admin_client, make_post):
    """Restoring one essay must never restore another: revisions are one essay each."""
    drafts = [make_post(status=Post.Status.DRAFT) for _ in range(3)]
    select_action(admin_client, "publish", drafts)
    # Each essay: the state it was in (made outside the admin), then the action's change.
    versions = Version.objects.get_for_model(Post).filter(revision__user__isnull=False)
    assert versions.count() == 3
    assert len({version.revision_id for version in versions}) == 3
    assert all(version.revision.user.is_superuser for version in versions)
    assert all(version.revision.get_comment() == "Changed Status." for version in versions)
    for revision in {version.revision for version in Version.objects.get_for_model(Post)}:
        assert revision.version_set.count() == 1


def test_staff_who_may_only_view_get_no_actions(client, django_user_model, make_post):
    from django.contrib.auth.models import Permission

    user = django_user_model.objects.create_user("viewer", is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="view_post"))
    client.force_login(user)
    post = make_post(status=Post.Status.DRAFT)
    response = client.get(CHANGELIST)
    assert response.status_code == 200
    assert 'value="publish"' not in response.text
    select_action(client, "publish", [post])
    post.refresh_from_db()
    assert post.status == Post.Status.DRAFT
