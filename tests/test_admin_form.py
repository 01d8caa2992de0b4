"""The essay form: the editor and its stylesheets, slug and link checks with messages a
writer can act on, today's date by default, help for both footnote syntaxes."""

import pytest
from django.utils import timezone

from blog.forms import PostAdminForm
from blog.models import Post
from tests.conftest import post_form

pytestmark = pytest.mark.django_db

ADD = "/admin/blog/post/add/"


def slug_errors(slug: str) -> list[str]:
    form = PostAdminForm(data=post_form(slug=slug))
    assert not form.is_valid()
    return form.errors["slug"]


def test_the_add_page_has_the_side_by_side_editor_with_the_essay_styles(admin_client):
    html = admin_client.get(ADD).text
    assert 'class="markdownx essay-editor"' in html
    assert 'class="markdownx-preview essay-body"' in html
    for sheet in ("blog/admin/editor.", "blog/essay.", "blog/code."):
        assert sheet in html
    assert "blog/admin/editor." in html
    assert "blog/admin/unsaved." in html
    assert "markdownx/js/markdownx.min." in html
    # markdownx's own admin stylesheet (fixed 610 px boxes) is left out.
    assert "markdownx/admin/css" not in html


def test_no_inline_script_or_style_on_the_editor_page(admin_client, make_post):
    """The CSP allows only files from the site: no <style>, style="", or inline <script>."""
    post = make_post()
    for url in (ADD, f"/admin/blog/post/{post.pk}/change/"):
        html = admin_client.get(url).text
        assert "<style" not in html
        assert " style=" not in html
        for tag in html.split("<script")[1:]:
            opening = tag.split(">", 1)[0]
            assert "src=" in opening or 'type="application/json"' in opening, opening


def test_the_date_defaults_to_today(admin_client):
    response = admin_client.get(ADD)
    assert response.context["adminform"].form["date"].value() == timezone.localdate()


def test_the_body_help_explains_both_footnote_syntaxes(admin_client):
    html = admin_client.get(ADD).text
    assert "<code>[^1]: the note</code>" in html
    assert "<code>a claim(1)</code>" in html
    assert "<code>--</code>" in html


def test_the_slug_is_prepopulated_from_the_title(admin_client):
    import json

    fields = json.loads(admin_client.get(ADD).context["prepopulated_fields_json"])
    assert [(f["id"], f["dependency_ids"]) for f in fields] == [("#id_slug", ["#id_title"])]


@pytest.mark.parametrize(
    ("slug", "message"),
    [
        ("/autonomy", "Leave out the leading slash: “autonomy”, not “/autonomy”."),
        ("My-Essay", "Use lowercase: “my-essay”, not “My-Essay”."),
        ("my essay!", "Use only lowercase letters, digits, hyphens, underscores: “my-essay”."),
    ],
)
def test_a_bad_slug_is_refused_with_what_to_type_instead(slug, message):
    assert slug_errors(slug) == [message]


def test_a_slug_already_taken_is_refused(make_post):
    make_post(slug="taken")
    assert slug_errors("taken") == ["Another essay already has this slug: choose a different one."]


def test_an_essay_keeps_its_own_slug_when_edited(make_post):
    post = make_post(slug="mine")
    form = PostAdminForm(data=post_form(slug="mine"), instance=post)
    assert form.is_valid(), form.errors


@pytest.mark.parametrize("slug", ["autonomy", "a-b_c-2", "old--style"])
def test_good_slugs_pass(slug):
    form = PostAdminForm(data=post_form(slug=slug))
    assert form.is_valid(), form.errors


@pytest.mark.parametrize(
    "link", ["ftp://example.com/file", "javascript:alert(1)", "mailto:me@example.com"]
)
def test_the_external_link_must_be_http_or_https(link):
    form = PostAdminForm(data=post_form(external_link=link))
    assert not form.is_valid()
    assert form.errors["external_link"] == [
        "Enter a web address starting with https:// or http://."
    ]


@pytest.mark.parametrize("link", ["https://posthog.com/handbook", "http://example.com/a?b=c"])
def test_http_and_https_links_pass(link):
    form = PostAdminForm(data=post_form(external_link=link))
    assert form.is_valid(), form.errors


def test_saving_through_the_admin_renders_the_body(admin_client):
    response = admin_client.post(ADD, post_form(slug="new", body="Some *markdown*"))
    assert response.status_code == 302
    assert Post.objects.get(slug="new").body_html == "<p>Some <em>markdown</em></p>\n"


def test_the_body_is_stored_as_written_with_the_browsers_crlf_undone(admin_client):
    body = "  Indented first line.\r\n\r\nLast line.\r\n"
    admin_client.post(ADD, post_form(slug="exact", body=body))
    assert Post.objects.get(slug="exact").body == "  Indented first line.\n\nLast line.\n"


def test_the_change_page_links_the_draft_preview_and_hides_view_on_site_for_drafts(
    admin_client, make_post
):
    draft = make_post(slug="draft", status=Post.Status.DRAFT)
    html = admin_client.get(f"/admin/blog/post/{draft.pk}/change/").text
    assert 'href="/admin/blog/post/preview/draft/"' in html
    assert "View on site" not in html


def test_the_change_page_of_a_public_essay_links_it(admin_client, make_post):
    post = make_post(slug="public")
    html = admin_client.get(f"/admin/blog/post/{post.pk}/change/").text
    assert "View on site" in html


def test_a_link_that_shows_one_host_and_goes_to_another_is_refused():
    form = PostAdminForm(data=post_form(external_link="https://evil.example\\@good.example/"))
    assert not form.is_valid()
    (message,) = form.errors["external_link"]
    assert message.startswith("Take out the backslash")


def test_a_soft_line_break_pasted_from_a_word_processor_is_refused_with_its_line():
    form = PostAdminForm(data=post_form(body="First line.\n\nPasted\x0bfrom Word."))
    assert not form.is_valid()
    assert form.errors["body"] == [
        "line 3: a vertical tab (U+000B, a word processor's soft line break): "
        "delete it, or type a space or a line break instead"
    ]
