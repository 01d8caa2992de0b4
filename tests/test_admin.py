import pytest
from django.core.management import call_command

from blog import notes
from blog.models import Post
from tests.conftest import SEED

pytestmark = pytest.mark.django_db


def test_superuser_sees_the_add_page_with_the_markdown_editor(admin_client):
    response = admin_client.get("/admin/blog/post/add/")
    assert response.status_code == 200
    assert 'class="markdownx' in response.text
    assert 'data-markdownx-urls-path="/admin/markdownx/markdownify/"' in response.text


def test_superuser_sees_the_change_page(admin_client, make_post):
    post = make_post()
    response = admin_client.get(f"/admin/blog/post/{post.pk}/change/")
    assert response.status_code == 200
    assert post.title in response.text


def test_superuser_adds_a_post_and_it_is_rendered(admin_client):
    response = admin_client.post(
        "/admin/blog/post/add/",
        {
            "slug": "new",
            "date": "2024-01-01",
            "title": "New",
            "external_link": "",
            "body": "Some *markdown*",
            "status": "published",
        },
    )
    assert response.status_code == 302
    assert Post.objects.get(slug="new").body_html == "<p>Some <em>markdown</em></p>\n"


def test_preview_renders_with_the_sites_renderer(admin_client):
    response = admin_client.post("/admin/markdownx/markdownify/", {"content": "Hi *there*"})
    assert response.status_code == 200
    assert response.text == "<p>Hi <em>there</em></p>\n"


def test_preview_is_the_essay_pages_body_footnotes_included(admin_client, client):
    call_command("loaddata", SEED, verbosity=0)
    post = Post.objects.get()
    preview = admin_client.post("/admin/markdownx/markdownify/", {"content": post.body})
    assert preview.status_code == 200
    assert preview.text == notes.for_page(post.body_html)  # the page's notes (blog.notes)
    assert 'role="doc-noteref"' in preview.text
    assert preview.text in client.get(post.get_absolute_url()).text


def test_preview_equals_what_saving_the_form_stores(admin_client):
    """Browsers send a form's textarea with CRLF line ends, the preview's text with LF."""
    body = "An essay(1).\n\n```python\nx = 1\n```\n\n--\n\n(1) With a note."
    admin_client.post(
        "/admin/blog/post/add/",
        {
            "slug": "crlf",
            "date": "2024-01-01",
            "title": "CRLF",
            "external_link": "",
            "body": body.replace("\n", "\r\n"),
            "status": "published",
        },
    )
    preview = admin_client.post("/admin/markdownx/markdownify/", {"content": body})
    assert preview.text == notes.for_page(Post.objects.get(slug="crlf").body_html)


def test_preview_without_content_is_a_bad_request(admin_client):
    assert admin_client.post("/admin/markdownx/markdownify/", {}).status_code == 400


@pytest.mark.parametrize("path", ["/admin/markdownx/markdownify/", "/admin/markdownx/upload/"])
def test_editor_endpoints_reject_anonymous_requests(client, settings, tmp_path, path):
    settings.MEDIA_ROOT = tmp_path
    png = (
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00"
        b"\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N"
        b"\x00\x00\x00\x00IEND\xaeB`\x82"
    )
    from django.core.files.uploadedfile import SimpleUploadedFile

    image = SimpleUploadedFile("x.png", png, content_type="image/png")
    response = client.post(path, {"content": "<b>x</b>", "image": image})
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")
    assert list(tmp_path.rglob("*")) == []


def test_markdownx_views_and_pillow_load_with_the_first_editor_request_only():
    """Workers that only serve readers never load Pillow and Python-Markdown (9 MB)."""
    import os
    import subprocess
    import sys

    from tests.conftest import ROOT

    script = (
        "import sys, django; django.setup();"
        "from django.urls import get_resolver, reverse; get_resolver().url_patterns;"
        "reverse('markdownx_upload'); reverse('blog:post_detail', args=['x']);"
        "print(sorted(m for m in ('PIL', 'markdown', 'markdownx.views') if m in sys.modules))"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "site_config.settings"}
    command = [sys.executable, "-c", script]
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_the_preview_says_what_will_not_show_as_written(admin_client):
    body = "Intro.\n\nUse a <textarea> for input.\n\nAfter it."
    preview = admin_client.post("/admin/markdownx/markdownify/", {"content": body})
    assert preview.status_code == 200
    notice, _, html = preview.text.partition("</ul>")
    assert 'class="editor-notice"' in notice
    assert "line 3: &lt;textarea&gt;" in notice
    assert "After it." in html


def test_the_preview_of_a_clean_text_has_no_notice(admin_client):
    preview = admin_client.post("/admin/markdownx/markdownify/", {"content": "Just *words*."})
    assert "editor-notice" not in preview.text
