"""Autosave: one copy per essay and writer on the server, staff-only, CSRF-protected,
size- and rate-limited; readers never see it; a real save clears it."""

import json

import pytest
from django.test import Client

from blog import autosave
from blog.models import Autosave, Page, Post
from tests.conftest import page_form, post_form

pytestmark = pytest.mark.django_db

FIELDS = {"title": "Kept", "slug": "kept", "date": "2024-01-01", "external_link": "", "body": ""}


def autosave_url(post: Post | None = None) -> str:
    return f"/admin/blog/post/{post.pk}/autosave/" if post else "/admin/blog/post/autosave/"


def send(client, post: Post | None = None, **fields: str):
    return client.post(autosave_url(post), {**FIELDS, **fields}, headers={"accept": "json"})


@pytest.fixture
def draft(make_post):
    return make_post(status=Post.Status.DRAFT, title="Draft", body="As saved.")


def test_an_autosave_keeps_the_form_fields_once_per_essay_and_writer(admin_client, draft):
    assert send(admin_client, draft, body="First words.").status_code == 200
    response = send(admin_client, draft, body="First words, and more.\r\nA line.")
    assert response.status_code == 200
    copy = Autosave.objects.get()
    assert copy.written == draft
    assert copy.fields["body"] == "First words, and more.\nA line."
    assert copy.fields["title"] == "Kept"
    assert response.json()["saved"] == copy.saved.isoformat()
    draft.refresh_from_db()
    assert draft.body == "As saved."  # the essay itself is untouched


def test_a_new_essay_has_one_autosave_per_writer(admin_client):
    send(admin_client, body="A beginning.")
    send(admin_client, body="A better beginning.")
    copy = Autosave.objects.get()
    assert copy.written is None
    assert copy.fields["body"] == "A better beginning."


def test_readers_never_see_an_autosave_of_a_published_essay(admin_client, client, make_post):
    post = make_post(body="What readers read.")
    assert send(admin_client, post, body="Half-written change.").status_code == 200
    page = client.get(post.get_absolute_url())
    assert "What readers read." in page.text
    assert "Half-written" not in page.text


def test_discarding_deletes_the_writers_copy(admin_client, draft):
    send(admin_client, draft, body="Unwanted.")
    assert admin_client.delete(autosave_url(draft)).status_code == 204
    assert not Autosave.objects.exists()


def test_signed_out_the_endpoint_answers_the_login_redirect(client, draft):
    response = send(client, draft)
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]
    assert not Autosave.objects.exists()


@pytest.mark.parametrize("who", ["staff_client", "viewer_client"])
def test_staff_who_may_not_change_essays_get_403(request, draft, who):
    client = request.getfixturevalue(who)
    response = send(client, draft)
    assert response.status_code == 403
    assert "may not change" in response.json()["error"]
    assert not Autosave.objects.exists()


def test_a_writer_with_the_change_permission_may_autosave(writer_client, draft):
    assert send(writer_client, draft).status_code == 200


def test_an_autosave_without_the_csrf_token_is_refused(admin_user, draft):
    client = Client(enforce_csrf_checks=True)
    client.force_login(admin_user)
    assert send(client, draft).status_code == 403
    assert not Autosave.objects.exists()


def test_only_post_and_delete(admin_client, draft):
    assert admin_client.get(autosave_url(draft)).status_code == 405


def test_an_unknown_essay_is_404(admin_client):
    assert admin_client.post("/admin/blog/post/999999/autosave/", FIELDS).status_code == 404


def test_an_autosave_larger_than_the_limit_is_refused_unread(admin_client, draft):
    response = send(admin_client, draft, body="x" * (autosave.MAX_BYTES + 1))
    assert response.status_code == 413
    assert "kept in this browser" in response.json()["error"]
    assert not Autosave.objects.exists()


def test_autosaves_are_rate_limited_per_writer(admin_client, writer_client, draft):
    limit = autosave.RATE["limit"]
    answers = [send(admin_client, draft).status_code for _ in range(limit + 1)]
    assert answers == [200] * limit + [429]
    # Another writer has a count of her own.
    assert send(writer_client, draft).status_code == 200


def test_the_form_offers_the_server_copy_and_says_where_to_autosave(admin_client, draft):
    send(admin_client, draft, body="Typed elsewhere.")
    page = admin_client.get(f"/admin/blog/post/{draft.pk}/change/")
    copy = page.context["autosave"]["server"]
    assert copy["fields"]["body"] == "Typed elsewhere."
    assert 'id="essay-server-autosave"' in page.text
    assert f'data-url="{autosave_url(draft)}"' in page.text
    assert 'name="based_on"' in page.text
    assert 'name="local_copy"' in page.text


def test_a_real_save_clears_the_autosave_and_the_browser_copy_of_its_page(admin_client, draft):
    send(admin_client, draft, body="Typed.")
    form = admin_client.get(f"/admin/blog/post/{draft.pk}/change/")
    copy_id = form.context["autosave"]["copy_id"]
    data = post_form(slug=draft.slug, body="Typed.", local_copy=copy_id, _continue="1")
    response = admin_client.post(f"/admin/blog/post/{draft.pk}/change/", data)
    assert response.status_code == 302
    assert not Autosave.objects.exists()
    # The next form page tells the script that this page's browser copy was saved.
    page = admin_client.get(f"/admin/blog/post/{draft.pk}/change/")
    assert json.loads(page.context["autosave"]["saved_copies"]) == [copy_id]
    assert page.context["autosave"]["server"] is None
    again = admin_client.get(f"/admin/blog/post/{draft.pk}/change/")
    assert json.loads(again.context["autosave"]["saved_copies"]) == []


def test_saving_a_new_essay_clears_the_new_essay_autosave(admin_client):
    send(admin_client, body="A beginning.")
    response = admin_client.post("/admin/blog/post/add/", post_form(body="A beginning."))
    assert response.status_code == 302
    assert not Autosave.objects.exists()


def test_a_save_that_fails_keeps_the_autosave(admin_client, draft):
    send(admin_client, draft, body="Typed.")
    data = post_form(slug="Not A Slug", body="Typed.")
    assert admin_client.post(f"/admin/blog/post/{draft.pk}/change/", data).status_code == 200
    assert Autosave.objects.exists()


def test_another_writers_autosave_is_hers_alone(admin_client, writer_client, draft):
    send(writer_client, draft, body="Hers.")
    page = admin_client.get(f"/admin/blog/post/{draft.pk}/change/")
    assert page.context["autosave"]["server"] is None


# Pages: the same autosave as essays, a copy of their own.


def page_autosave_url(page: Page | None = None) -> str:
    return f"/admin/blog/page/{page.pk}/autosave/" if page else "/admin/blog/page/autosave/"


def send_page(client, page: Page | None = None, **fields: str):
    data = {"title": "About", "slug": "about", "body": "", **fields}
    return client.post(page_autosave_url(page), data, headers={"accept": "json"})


def test_a_page_has_its_own_autosave_beside_an_essay_of_the_same_number(
    admin_client, make_post, make_page
):
    post = make_post(body="The essay.")
    page = make_page(slug="about", body="As saved.")
    Page.objects.filter(pk=page.pk).update(id=post.pk)  # the same number, another table
    page = Page.objects.get(pk=post.pk)
    assert send(admin_client, post, body="The essay, changed.").status_code == 200
    assert send_page(admin_client, page, body="The page, changed.").status_code == 200
    assert Autosave.objects.count() == 2
    assert Autosave.objects.get(object_id=page.pk, content_type__model="page").written == page
    form = admin_client.get(f"/admin/blog/page/{page.pk}/change/")
    drafts = form.context["autosave"]
    assert drafts["server"]["fields"]["body"] == "The page, changed."
    assert drafts["url"] == page_autosave_url(page)
    assert drafts["key"] == f"essay-draft:page:{form.context['user'].pk}:{page.pk}"
    essay = admin_client.get(f"/admin/blog/post/{post.pk}/change/").context["autosave"]
    assert essay["server"]["fields"]["body"] == "The essay, changed."
    assert essay["key"] == f"essay-draft:{form.context['user'].pk}:{post.pk}"  # as before


def test_a_new_page_and_a_new_essay_keep_a_copy_each(admin_client):
    send(admin_client, body="An essay begins.")
    send_page(admin_client, body="A page begins.")
    assert sorted(copy.fields["body"] for copy in Autosave.objects.all()) == [
        "A page begins.",
        "An essay begins.",
    ]
    response = admin_client.post("/admin/blog/page/add/", page_form(body="A page begins."))
    assert response.status_code == 302
    (left,) = Autosave.objects.all()  # saving the page cleared the page's copy only
    assert left.fields["body"] == "An essay begins."


def test_saving_or_deleting_a_page_clears_its_autosave(admin_client, make_page):
    page = make_page(slug="about", body="As saved.")
    send_page(admin_client, page, body="Typed.")
    data = page_form(body="Typed.")
    assert admin_client.post(f"/admin/blog/page/{page.pk}/change/", data).status_code == 302
    assert not Autosave.objects.exists()
    send_page(admin_client, page, body="Typed again.")
    page.delete()
    assert not Autosave.objects.exists()


def test_staff_who_may_not_change_pages_cant_autosave_one(staff_client, make_page):
    page = make_page(slug="about")
    response = send_page(staff_client, page, body="Hers.")
    assert response.status_code == 403
    assert response.json() == {"error": "Your account may not change pages."}
    assert not Autosave.objects.exists()
