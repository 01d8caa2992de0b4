"""Rendering happens when an essay is saved or re-rendered, never when a page is read."""

import pytest
from django.core.management import call_command

from blog import rendering
from blog.models import Post

pytestmark = pytest.mark.django_db


def rerender(*args: str) -> str:
    from io import StringIO

    out = StringIO()
    call_command("rerender", *args, stdout=out)
    return out.getvalue()


def test_saving_stores_the_html_and_the_renderer_version(make_post):
    post = make_post(body="Hi(1).\n\n--\n\n(1) Note.")
    post.refresh_from_db()
    assert post.body_html == rendering.render(post.body)
    assert post.rendered_with == rendering.VERSION
    assert post.body == "Hi(1).\n\n--\n\n(1) Note.", "the body is stored as written"


def test_a_page_view_serves_the_stored_html_without_rendering(client, make_post):
    post = make_post(slug="stored", body="Rendered *from* the body.")
    Post.objects.filter(pk=post.pk).update(body_html="<p>Only in the stored HTML.</p>")
    text = client.get("/words/stored/").text
    assert "<p>Only in the stored HTML.</p>" in text
    assert "Rendered <em>from</em> the body." not in text


def test_rerender_refreshes_only_essays_from_another_renderer_version(make_post):
    stale = make_post(body="Stale *one*")
    current = make_post(body="Current *one*")
    Post.objects.filter(pk=stale.pk).update(body_html="old", rendered_with="0")
    Post.objects.filter(pk=current.pk).update(body_html="left alone")

    assert rerender() == (
        f"Re-rendered 1 essay and 0 pages with renderer version {rendering.VERSION}.\n"
    )
    stale.refresh_from_db()
    current.refresh_from_db()
    assert stale.body_html == "<p>Stale <em>one</em></p>\n"
    assert stale.rendered_with == rendering.VERSION
    assert current.body_html == "left alone"


def test_rerender_all_refreshes_every_essay_and_keeps_updated(make_post):
    posts = [make_post(body=f"Essay *{n}*") for n in range(3)]
    Post.objects.update(body_html="old")
    before = {post.pk: post.updated for post in Post.objects.all()}

    assert "Re-rendered 3 essays" in rerender("--all")
    for post in posts:
        post.refresh_from_db()
        assert post.body_html == rendering.render(post.body)
        assert post.updated == before[post.pk]


def test_rerender_works_in_batches(make_post, django_assert_num_queries):
    for n in range(5):
        make_post(body=f"Essay {n}")
    Post.objects.update(rendered_with="0")
    # One query for the ids, then a read and a write per batch of two; the pages' ids, and
    # whether there are site settings to render again.
    with django_assert_num_queries(1 + 3 * 2 + 2):
        assert "Re-rendered 5 essays" in rerender("--batch-size", "2")
    assert set(Post.objects.values_list("rendered_with", flat=True)) == {rendering.VERSION}


def test_rerender_with_nothing_to_do(make_post):
    make_post()
    assert rerender().startswith("Re-rendered 0 essays")


def test_saving_other_fields_keeps_the_html_and_saving_the_body_renders_it(make_post):
    post = make_post(body="*One*")
    post.status = Post.Status.DRAFT
    post.body = "*Two*"  # changed in memory, but not among the fields saved
    post.save(update_fields=["status", "updated"])
    post.refresh_from_db()
    assert (post.status, post.body_html) == (Post.Status.DRAFT, "<p><em>One</em></p>\n")
    post.body = "*Two*"
    post.save(update_fields=["body"])
    post.refresh_from_db()
    assert post.body_html == "<p><em>Two</em></p>\n"
