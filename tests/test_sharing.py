"""Private share links: the draft as it will be published, for one named reader, never
cached or indexed; 301 once published, 404 revoked or expired."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from blog.models import Post, ShareLink
from blog.sharing import blocks

pytestmark = pytest.mark.django_db


def admin_form(post: Post, **fields: str) -> dict[str, str]:
    data = {
        "title": post.title,
        "slug": post.slug,
        "date": post.date.isoformat(),
        "status": post.status,
        "external_link": "",
        "body": post.body,
    }
    return {**data, **fields}


@pytest.fixture
def draft(make_post):
    return make_post(
        status=Post.Status.DRAFT, title="Not yet out", body="First paragraph.\n\nSecond one."
    )


@pytest.fixture
def link(draft):
    return ShareLink.objects.create(post=draft, reader="Ann")


def test_the_link_shows_the_draft_as_it_will_be_published(client, admin_client, link, draft):
    shared = client.get(link.get_absolute_url())
    assert shared.status_code == 200
    assert "Not yet out" in shared.text
    assert draft.body_html in shared.text
    # The essay page's own template, with the notes form around it.
    preview = admin_client.get(f"/admin/blog/post/preview/{draft.slug}/")
    assert "blog/post_detail.html" in [t.name for t in shared.templates]
    assert {t.name for t in preview.templates} <= {t.name for t in shared.templates}


def test_the_page_is_never_indexed_nor_stored(client, link):
    response = client.get(link.get_absolute_url())
    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]
    assert "noindex" in response["X-Robots-Tag"]
    assert '<meta name="robots" content="noindex, nofollow">' in response.text


def test_the_page_never_comes_from_the_page_cache(client, link, draft):
    client.get(link.get_absolute_url())
    Post.objects.filter(pk=draft.pk).update(body_html="<p>Changed behind the cache.</p>")
    assert "Changed behind the cache." in client.get(link.get_absolute_url()).text


def test_a_published_essay_answers_301_to_the_essay(client, link, draft):
    draft.status = Post.Status.PUBLISHED
    draft.save()
    response = client.get(link.get_absolute_url())
    assert response.status_code == 301
    assert response["Location"] == draft.get_absolute_url()


def test_an_essay_scheduled_for_later_is_still_shown(client, link, draft, tomorrow):
    draft.status = Post.Status.PUBLISHED
    draft.date = tomorrow
    draft.save()
    assert client.get(link.get_absolute_url()).status_code == 200


def test_a_revoked_link_is_404(client, link):
    link.revoked = True
    link.save()
    assert client.get(link.get_absolute_url()).status_code == 404


def test_an_expired_link_is_404_and_one_expiring_later_works(client, link):
    link.expires = timezone.now() + dt.timedelta(hours=1)
    link.save()
    assert client.get(link.get_absolute_url()).status_code == 200
    link.expires = timezone.now() - dt.timedelta(seconds=1)
    link.save()
    assert client.get(link.get_absolute_url()).status_code == 404


def test_a_revoked_link_to_a_published_essay_is_404_not_a_redirect(client, link, draft):
    draft.status = Post.Status.PUBLISHED
    draft.save()
    link.revoked = True
    link.save()
    assert client.get(link.get_absolute_url()).status_code == 404


@pytest.mark.parametrize("token", ["nothing", "a" * 43])
def test_an_unknown_token_is_404(client, link, token):
    assert client.get(f"/p/{token}/").status_code == 404


def test_tokens_are_long_random_and_distinct(draft):
    links = [ShareLink.objects.create(post=draft, reader=f"Reader {n}") for n in range(20)]
    tokens = {link.token for link in links}
    assert len(tokens) == 20
    assert all(len(token) >= 43 for token in tokens)  # 32 random bytes


def test_one_link_per_named_reader(draft, link):
    with pytest.raises(ValidationError, match="already has a link for this reader"):
        ShareLink(post=draft, reader="Ann").full_clean()


def test_the_writer_makes_and_revokes_links_on_the_essays_form(admin_client, draft):
    url = f"/admin/blog/post/{draft.pk}/change/"
    data = {
        **admin_form(draft),
        "share_links-TOTAL_FORMS": "1",
        "share_links-INITIAL_FORMS": "0",
        "share_links-0-reader": "Ben",
        "share_links-0-expires_0": "",
        "share_links-0-expires_1": "",
    }
    assert admin_client.post(url, data).status_code == 302
    link = ShareLink.objects.get(reader="Ben")
    page = admin_client.get(url)
    assert f"http://testserver{link.get_absolute_url()}" in page.text

    data = {
        **admin_form(draft),
        "share_links-TOTAL_FORMS": "1",
        "share_links-INITIAL_FORMS": "1",
        "share_links-0-id": str(link.pk),
        "share_links-0-post": str(draft.pk),
        "share_links-0-reader": "Ben",
        "share_links-0-revoked": "on",
    }
    assert admin_client.post(url, data).status_code == 302
    link.refresh_from_db()
    assert link.revoked


def test_restoring_an_old_version_never_revives_a_revoked_link(admin_client, draft):
    url = f"/admin/blog/post/{draft.pk}/change/"
    admin_client.post(url, admin_form(draft, body="Version one."))
    link = ShareLink.objects.create(post=draft, reader="Ann", revoked=True)
    admin_client.post(url, admin_form(draft, body="Version two."))
    history = admin_client.get(f"/admin/blog/post/{draft.pk}/history/")
    oldest = history.context["action_list"][-1]["url"]
    assert admin_client.post(oldest, admin_form(draft, body="")).status_code == 302
    draft.refresh_from_db()
    link.refresh_from_db()
    assert link.revoked


def test_staff_who_may_not_change_essays_see_no_links(viewer_client, link):
    page = viewer_client.get(f"/admin/blog/post/{link.post_id}/change/")
    assert page.status_code == 200
    assert "essay-drafts" not in page.text  # no autosave either
    assert link.token not in page.text


def test_blocks_are_the_top_level_elements_of_the_body():
    html = (
        "<h2>Title</h2>\n<p>One <em>two</em>.</p>\n<hr>\n<ul><li>a</li><li>b</li></ul>"
        '<pre><code>x = 1\n</code></pre><section class="footnotes"><ol><li>n</li></ol></section>'
    )
    assert blocks(html) == ["Title", "One two.", "", "ab", "x = 1", "n"]
