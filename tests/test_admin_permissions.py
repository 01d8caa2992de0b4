"""Who may use the writer's tools: the editor's preview and upload, the draft preview, the
history and the revisions. Signed out or not staff: the admin login; staff without the
permission to change essays: 403; a writer with it, and a superuser: allowed."""

import pytest
import reversion
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from reversion.models import Version

from blog.models import Post
from tests.images import image_bytes

pytestmark = pytest.mark.django_db

XHR = {"HTTP_X_REQUESTED_WITH": "XMLHttpRequest"}

CLIENTS = {
    "client": "login",  # signed out
    "reader_client": "login",  # signed in, not staff
    "staff_client": 403,  # staff without the permission
    "writer_client": 200,  # staff who may change essays
    "admin_client": 200,  # superuser
}


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def draft(db) -> Post:
    with reversion.create_revision():
        post = Post.objects.create(slug="draft", title="A draft", body="Not *yet*.")
    return post


def editor_preview(client, post):
    return client.post("/admin/markdownx/markdownify/", {"content": "*hi*"})


def editor_upload(client, post):
    image = SimpleUploadedFile("x.png", image_bytes("PNG"), content_type="image/png")
    return client.post("/admin/markdownx/upload/", {"image": image})


def draft_preview(client, post):
    return client.get(f"/admin/blog/post/preview/{post.slug}/")


def history(client, post):
    return client.get(f"/admin/blog/post/{post.pk}/history/")


def revision(client, post):
    version = Version.objects.get_for_object(post).get()
    return client.get(f"/admin/blog/post/{post.pk}/history/{version.pk}/")


VIEWS = [editor_preview, editor_upload, draft_preview, history, revision]


@pytest.mark.parametrize("view", VIEWS, ids=lambda view: view.__name__)
@pytest.mark.parametrize(("client_name", "expected"), CLIENTS.items())
def test_who_may_use_the_writers_tools(request, draft, media, view, client_name, expected):
    client = request.getfixturevalue(client_name)
    response = view(client, draft)
    if expected == "login":
        assert response.status_code == 302
        assert response["Location"].startswith("/admin/login/")
    else:
        assert response.status_code == expected
    if view is editor_upload:  # stored only when allowed (so the empty folder means refused)
        stored = [path for path in media.rglob("*") if path.is_file()]
        assert len(stored) == (1 if expected == 200 else 0)


def test_the_editor_told_the_session_ended_gets_a_notice_not_the_login_page(client):
    """markdownx shows whatever the preview answers: a signed-out writer sees a sentence."""
    response = client.post("/admin/markdownx/markdownify/", {"content": "x"}, **XHR)
    assert response.status_code == 403
    assert "sign in again" in response.text
    assert "<form" not in response.text


def test_a_signed_out_upload_gets_a_json_message(client):
    image = SimpleUploadedFile("x.png", image_bytes("PNG"), content_type="image/png")
    response = client.post("/admin/markdownx/upload/", {"image": image}, **XHR)
    assert response.status_code == 403
    assert "sign in again" in response.json()["image"][0]


def test_staff_without_permission_get_a_json_message_from_the_upload(staff_client):
    image = SimpleUploadedFile("x.png", image_bytes("PNG"), content_type="image/png")
    response = staff_client.post("/admin/markdownx/upload/", {"image": image}, **XHR)
    assert response.status_code == 403
    assert response.json() == {"image": ["Your account may not change essays."]}


def test_view_only_staff_may_not_see_history_or_revisions(client, django_user_model, draft):
    from django.contrib.auth.models import Permission

    user = django_user_model.objects.create_user("viewer", is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="view_post"))
    client.force_login(user)
    assert client.get(f"/admin/blog/post/{draft.pk}/change/").status_code == 200
    assert history(client, draft).status_code == 403
    assert revision(client, draft).status_code == 403
    assert draft_preview(client, draft).status_code == 403


def view_on_site(client, post):
    content_type = ContentType.objects.get_for_model(Post)
    return client.get(f"/admin/r/{content_type.pk}/{post.pk}/")


@pytest.mark.parametrize(("client_name", "expected"), CLIENTS.items())
def test_view_on_site_leads_to_a_draft_only_for_those_who_may_see_essays(
    request, draft, client_name, expected
):
    response = view_on_site(request.getfixturevalue(client_name), draft)
    if expected == "login":
        assert response["Location"].startswith("/admin/login/")
    elif expected == 403:
        assert response.status_code == 403
        assert draft.slug not in response.text
    else:
        assert response.status_code == 302
        assert response["Location"].endswith(draft.get_absolute_url())


def test_view_on_site_leads_to_a_draft_for_view_only_staff(client, django_user_model, draft):
    from django.contrib.auth.models import Permission

    user = django_user_model.objects.create_user("viewer", is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="view_post"))
    client.force_login(user)
    assert view_on_site(client, draft)["Location"].endswith(draft.get_absolute_url())


def test_view_on_site_of_what_the_admin_does_not_show_is_404(admin_client):
    not_in_the_admin = ContentType.objects.get_for_model(ContentType).pk
    for path in ["999999/1/", "abc/1/", f"{not_in_the_admin}/1/"]:
        assert admin_client.get(f"/admin/r/{path}").status_code == 404, path


def test_editor_responses_are_never_cached(admin_client):
    response = admin_client.post("/admin/markdownx/markdownify/", {"content": "x"})
    assert "no-store" in response["Cache-Control"]
