"""The writer's preview of drafts and future essays: the public page's template and
context, for staff who may change essays, never cached, never indexed."""

import pytest

from blog.models import Post

pytestmark = pytest.mark.django_db


def context_names(response) -> set[str]:
    return set().union(*(context.flatten() for context in response.context))


def preview(client, post: Post):
    return client.get(f"/admin/blog/post/preview/{post.slug}/")


@pytest.mark.parametrize("kind", ["draft", "future"])
def test_staff_see_what_readers_cannot_yet(admin_client, client, make_post, tomorrow, kind):
    fields = {"status": Post.Status.DRAFT} if kind == "draft" else {"date": tomorrow}
    post = make_post(title="Not yet", body="A claim[^1].\n\n[^1]: The note.", **fields)
    assert client.get(post.get_absolute_url()).status_code == 404
    response = preview(admin_client, post)
    assert response.status_code == 200
    assert "Not yet" in response.text
    assert 'class="footnotes"' in response.text


def test_the_preview_is_the_public_page_template_with_the_same_context(
    admin_client, client, make_post
):
    post = make_post(title="Public", body="Text *here*.")
    public = client.get(post.get_absolute_url())
    staff = preview(admin_client, post)
    assert [t.name for t in staff.templates] == [t.name for t in public.templates]
    assert context_names(staff) == context_names(public)
    assert staff.context["post"] == public.context["post"]


def test_the_preview_is_never_cached_nor_indexed(admin_client, make_post):
    response = preview(admin_client, make_post(status=Post.Status.DRAFT))
    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]
    assert "noindex" in response["X-Robots-Tag"]


def test_an_unknown_slug_is_404(admin_client):
    assert admin_client.get("/admin/blog/post/preview/nothing/").status_code == 404
