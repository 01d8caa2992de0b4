"""Nothing lost: every admin save keeps a revision (django-reversion); the writer sees who
saved when, and restores an earlier body, rendered again."""

import json

import pytest
from reversion.models import Version

from blog import rendering
from blog.models import OldSlug, Post
from tests.conftest import post_form

pytestmark = pytest.mark.django_db

ADD = "/admin/blog/post/add/"


def essay(**fields: str) -> dict[str, str]:
    return post_form(
        **{"title": "Drafting", "slug": "drafting", "body": "First *words*.", **fields}
    )


@pytest.fixture
def edited(admin_client) -> Post:
    """An essay added, then edited twice, through the admin."""
    assert admin_client.post(ADD, essay()).status_code == 302
    post = Post.objects.get(slug="drafting")
    change = f"/admin/blog/post/{post.pk}/change/"
    for body in ("Second *words*.", "Third words, with a footnote[^1].\n\n[^1]: Note."):
        assert admin_client.post(change, essay(body=body)).status_code == 302
    post.refresh_from_db()
    return post


def versions(post: Post) -> list[Version]:
    return list(Version.objects.get_for_object(post).order_by("pk"))


def form_data(response) -> dict[str, str]:
    """What the browser would send back from a change form as it was shown."""
    form = response.context["adminform"].form
    data = {name: form[name].value() for name in form.fields}
    data["date"] = str(data["date"])
    return {key: "" if value is None else value for key, value in data.items()}


def test_every_admin_save_keeps_a_revision_with_who_and_what(edited, admin_user):
    kept = versions(edited)
    assert [v.field_dict["body"] for v in kept] == [
        "First *words*.",
        "Second *words*.",
        "Third words, with a footnote[^1].\n\n[^1]: Note.",
    ]
    assert {v.revision.user for v in kept} == {admin_user}
    assert "Body" in kept[1].revision.get_comment()


def test_the_history_lists_each_revision_with_who_and_when(admin_client, edited):
    response = admin_client.get(f"/admin/blog/post/{edited.pk}/history/")
    assert response.status_code == 200
    assert response.text.count("admin") >= 3
    for version in versions(edited):
        assert f"/admin/blog/post/{edited.pk}/history/{version.pk}/" in response.text


def test_opening_an_old_revision_shows_it_without_changing_the_essay(admin_client, edited):
    first = versions(edited)[0]
    response = admin_client.get(f"/admin/blog/post/{edited.pk}/history/{first.pk}/")
    assert response.status_code == 200
    assert response.context["adminform"].form["body"].value() == "First *words*."
    assert "First *words*." in response.text
    edited.refresh_from_db()
    assert edited.body.startswith("Third words")


def test_restoring_an_earlier_body_renders_it_again(admin_client, edited):
    first = versions(edited)[0]
    url = f"/admin/blog/post/{edited.pk}/history/{first.pk}/"
    shown = admin_client.get(url)
    assert admin_client.post(url, form_data(shown)).status_code == 302
    edited.refresh_from_db()
    assert edited.body == "First *words*."
    assert edited.body_html == rendering.render("First *words*.")
    assert len(versions(edited)) == 4
    assert versions(edited)[-1].revision.get_comment().startswith("Reverted to previous version")


def test_a_restored_body_is_rendered_by_todays_renderer(admin_client, edited):
    """A revision keeps the HTML of its day; restoring renders the body again, so a
    renderer changed since (here: stale HTML planted in the revision) can't leak back."""
    first = versions(edited)[0]
    data = json.loads(first.serialized_data)
    data[0]["fields"]["body_html"] = "<p>stale</p>"
    first.serialized_data = json.dumps(data)
    first.save()
    url = f"/admin/blog/post/{edited.pk}/history/{first.pk}/"
    admin_client.post(url, form_data(admin_client.get(url)))
    edited.refresh_from_db()
    assert edited.body_html == rendering.render(edited.body) != "<p>stale</p>"


def test_restoring_one_essay_leaves_the_others_alone(admin_client, edited, make_post):
    other = make_post(title="Other", body="Untouched.")
    first = versions(edited)[0]
    url = f"/admin/blog/post/{edited.pk}/history/{first.pk}/"
    admin_client.post(url, form_data(admin_client.get(url)))
    other.refresh_from_db()
    assert other.body == "Untouched."


def test_an_imported_essay_keeps_its_first_state_when_first_changed(admin_client, make_post):
    post = make_post(slug="imported", body="As imported.")
    change = f"/admin/blog/post/{post.pk}/change/"
    assert admin_client.post(change, essay(slug="imported", body="Edited.")).status_code == 302
    kept = versions(post)
    assert [v.field_dict["body"] for v in kept] == ["As imported.", "Edited."]
    assert kept[0].revision.user is None
    assert admin_client.post(change, essay(slug="imported", body="Again.")).status_code == 302
    assert len(versions(post)) == 3


def test_an_action_on_an_imported_essay_keeps_its_first_state(admin_client, make_post):
    post = make_post(status=Post.Status.DRAFT, body="As imported.")
    admin_client.post("/admin/blog/post/", {"action": "publish", "_selected_action": [post.pk]})
    assert [v.field_dict["status"] for v in versions(post)] == ["draft", "published"]


def test_restoring_a_revision_with_another_slug_keeps_the_current_address(admin_client, edited):
    """The restored slug is the essay's address again; the one it leaves answers 301 to it,
    as any rename does (reversion's revert saves raw, bypassing Post.save)."""
    change = f"/admin/blog/post/{edited.pk}/change/"
    data = essay(slug="renamed", status="published", date="2024-01-01", body=edited.body)
    assert admin_client.post(change, data).status_code == 302
    assert admin_client.get("/words/drafting/").status_code == 301

    first = versions(edited)[0]
    url = f"/admin/blog/post/{edited.pk}/history/{first.pk}/"
    shown = admin_client.get(url)
    assert admin_client.post(url, {**form_data(shown), "status": "published"}).status_code == 302

    edited.refresh_from_db()
    assert edited.slug == "drafting"
    response = admin_client.get("/words/renamed/")
    assert (response.status_code, response["Location"]) == (301, "/words/drafting/")
    assert admin_client.get("/words/drafting/").status_code == 200


def test_looking_at_an_old_revision_records_no_rename(admin_client, edited):
    change = f"/admin/blog/post/{edited.pk}/change/"
    admin_client.post(change, essay(slug="renamed", body=edited.body))
    first = versions(edited)[0]
    admin_client.get(f"/admin/blog/post/{edited.pk}/history/{first.pk}/")
    assert list(OldSlug.objects.values_list("slug", flat=True)) == ["drafting"]
