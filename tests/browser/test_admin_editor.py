"""The writer's desk in a real browser: write with both footnote syntaxes and see the
preview, save a draft readers can't see, publish, restore an earlier revision, add images,
be warned before losing changes. No JavaScript error and no CSP violation on the way."""

import base64
import re

import pytest
from playwright.sync_api import expect

from blog import rendering
from blog.models import Post
from tests.images import SVG_WITH_SCRIPT, image_bytes

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "correct horse battery staple"

ESSAY = """An essay needs a claim[^note] and the writer's own convention(1).

> A quote, to see how it looks.

```python
def answer():
    return 42
```

[^note]: A note in the GitHub syntax.

--

(1) A note in the writer's syntax.
"""


@pytest.fixture
def reader(browser, live_server):
    """A second browser, signed out: what a reader gets."""
    context = browser.new_context(base_url=live_server.url)
    yield context.new_page()
    context.close()


def preview_notes(page) -> int:
    return page.locator(".markdownx-preview section.footnotes li").count()


def expected_notes(markdown: str) -> int:
    """Footnotes the site's renderer makes of `markdown`: the preview must show as many."""
    return rendering.render(markdown).count('<li id="fn-')


def write_essay(page, title: str, body: str) -> None:
    page.goto("/admin/blog/post/add/")
    page.get_by_label("Title").fill(title)
    page.locator("#id_body").fill(body)
    # markdownx refreshes the preview 500 ms after the last keystroke.
    expect(page.locator(".markdownx-preview section.footnotes")).to_be_visible()


def save_and_continue(page) -> None:
    page.get_by_role("button", name="Save and continue editing").click()
    expect(page.locator(".messagelist .success")).to_be_visible()


@pytest.mark.slow
def test_write_preview_draft_publish_and_restore(writer, reader, artifacts):
    page = writer
    write_essay(page, "Footnotes, both ways", ESSAY)
    assert preview_notes(page) == expected_notes(ESSAY) >= 1
    expect(page.locator(".markdownx-preview")).to_contain_text("A note in the GitHub syntax.")
    expect(page.locator(".markdownx-preview .highlight pre")).to_be_visible()
    page.screenshot(path=artifacts / "editor-1280.png")

    # A draft: readers get 404; the writer's preview shows the page as it will be.
    save_and_continue(page)
    post = Post.objects.get(slug="footnotes-both-ways")
    assert post.status == Post.Status.DRAFT
    assert reader.goto(post.get_absolute_url()).status == 404
    with page.expect_popup() as popup:
        page.get_by_role("link", name="Preview", exact=True).click()
    draft = popup.value
    draft.wait_for_load_state()
    expect(draft.get_by_role("heading", level=1)).to_have_text("Footnotes, both ways")
    assert draft.locator("section.footnotes li").count() == expected_notes(ESSAY)
    draft.close()

    # Published: readers see it, footnotes included.
    page.get_by_label("Status").select_option("published")
    save_and_continue(page)
    response = reader.goto(post.get_absolute_url())
    assert response.status == 200
    assert reader.locator("section.footnotes li").count() == expected_notes(ESSAY)
    expect(reader.locator(".essay-body")).to_contain_text("A note in the GitHub syntax.")

    # Rewritten, then the first version restored from the history.
    page.locator("#id_body").fill("Rewritten without notes.")
    expect(page.locator(".markdownx-preview")).to_have_text("Rewritten without notes.")
    save_and_continue(page)
    page.get_by_role("link", name="History").click()
    # Newest first: the rewrite, the publishing, the first draft.
    page.locator("#change-history tbody tr a").nth(1).click()
    expect(page.locator("#id_body")).to_have_value(ESSAY)
    expect(page.locator(".markdownx-preview section.footnotes")).to_be_visible()
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".messagelist .success")).to_be_visible()
    post.refresh_from_db()
    assert post.body == ESSAY
    assert post.body_html == rendering.render(ESSAY)
    reader.goto(post.get_absolute_url())
    assert reader.locator("section.footnotes li").count() == expected_notes(ESSAY)
    assert page.js_errors == []


def drop_file(page, name: str, mime: str, data: bytes) -> None:
    """Drop a file on the editor as a desktop would (a DataTransfer with a File)."""
    page.locator("#id_body").evaluate(
        """(editor, [name, mime, b64]) => {
            const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
            const transfer = new DataTransfer();
            transfer.items.add(new File([bytes], name, { type: mime }));
            editor.dispatchEvent(new DragEvent("drop", { dataTransfer: transfer, bubbles: true }));
        }""",
        [name, mime, base64.b64encode(data).decode()],
    )


@pytest.mark.slow
def test_images_dropped_or_picked_are_uploaded_and_refusals_explained(
    writer, artifacts, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    page = writer
    write_essay(page, "Pictures", "A picture[^1]:\n\n\n\n[^1]: Of red.")
    editor = page.locator("#id_body")
    message = page.locator(".essay-editor-message")

    # A PNG dropped at the cursor becomes an image in the text and in the preview.
    after_colon = "(e) => { const at = e.value.indexOf(':') + 2; e.setSelectionRange(at, at); }"
    editor.evaluate(after_colon)
    drop_file(page, "red.png", "image/png", image_bytes("PNG", size=(300, 150)))
    expect(message).to_contain_text("Added “red.png”")
    expect(editor).to_have_value(re.compile(r"!\[\]\(/media/images/[\w-]+\.png\)"))
    image = page.locator(".markdownx-preview img")
    expect(image).to_be_visible()
    page.wait_for_function("() => document.querySelector('.markdownx-preview img').naturalWidth")
    assert image.evaluate("(img) => img.naturalWidth") == 300

    # A JPEG picked with the button, named like a web page, arrives as a .jpg.
    with page.expect_file_chooser() as chooser:
        page.get_by_role("button", name="Add image…").click()
    chooser.value.set_files(
        {"name": "photo.html", "mimeType": "text/html", "buffer": image_bytes("JPEG")}
    )
    expect(message).to_contain_text("Added “photo.html”")
    expect(editor).to_have_value(re.compile(r"\.jpg\)"))
    expect(page.locator(".markdownx-preview img")).to_have_count(2)
    page.screenshot(path=artifacts / "editor-with-images-1280.png")
    assert page.js_errors == []

    # An SVG is refused with a message; nothing is written into the essay.
    before = editor.input_value()
    drop_file(page, "logo.svg", "image/svg+xml", SVG_WITH_SCRIPT)
    expect(message).to_contain_text("“logo.svg” was not added: This is not a JPEG, PNG or WebP")
    expect(message).to_have_class(re.compile("is-error"))
    assert editor.input_value() == before
    assert "Invalid response" not in editor.input_value()
    page.screenshot(path=artifacts / "editor-upload-refused.png")
    # The only errors: the browser logging the refusal's 400.
    assert page.js_errors
    assert all("400" in error for error in page.js_errors), page.js_errors
    assert len(list(tmp_path.rglob("*.*"))) == 2


def test_a_file_over_the_limit_is_refused_before_it_is_sent(writer, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.MARKDOWNX_UPLOAD_MAX_SIZE = 200 * 1024
    page = writer
    uploads = []
    page.on("request", lambda r: uploads.append(r) if "markdownx/upload" in r.url else None)
    page.goto("/admin/blog/post/add/")
    drop_file(page, "huge.png", "image/png", b"\0" * (200 * 1024 + 1))
    expect(page.locator(".essay-editor-message")).to_contain_text("larger than 200 KB")
    assert page.locator("#id_body").input_value() == ""
    assert uploads == []
    assert page.js_errors == []


@pytest.mark.slow
def test_leaving_with_unsaved_changes_asks_first_and_saving_does_not(writer):
    page = writer
    page.goto("/admin/blog/post/add/")
    dialogs = []

    def dismiss(dialog):
        dialogs.append(dialog.type)
        dialog.dismiss()

    page.on("dialog", dismiss)
    # Nothing typed yet: leaving is free.
    page.get_by_role("link", name="Posts").click()
    page.wait_for_url("**/admin/blog/post/")
    assert dialogs == []

    page.goto("/admin/blog/post/add/")
    page.get_by_label("Title").fill("Unsaved")
    page.locator("#id_body").fill("Words I would hate to lose.")
    with page.expect_event("dialog"):
        page.get_by_role("link", name="Posts").click()
    assert dialogs == ["beforeunload"]
    assert page.url.endswith("/admin/blog/post/add/")  # stayed, the words still there

    page.get_by_role("button", name="Save", exact=True).click()
    page.wait_for_url("**/admin/blog/post/")
    assert dialogs == ["beforeunload"]
    assert Post.objects.filter(title="Unsaved").exists()
    assert page.js_errors == []


@pytest.mark.slow
def test_editor_screenshots_at_1280_and_800_in_both_themes(writer, artifacts):
    page = writer
    write_essay(page, "Footnotes, both ways", ESSAY)
    editor = page.locator(".essay-editor")
    columns = "(e) => getComputedStyle(e).gridTemplateColumns.split(' ').length"
    for theme in ("light", "dark"):
        page.emulate_media(color_scheme=theme)
        page.set_viewport_size({"width": 1280, "height": 900})
        assert editor.evaluate(columns) == 2  # side by side
        page.screenshot(path=artifacts / f"editor-{theme}-1280.png", full_page=True)
        page.set_viewport_size({"width": 800, "height": 900})
        assert editor.evaluate(columns) == 1  # stacked
        box = page.locator(".markdownx-preview").bounding_box()
        assert box["x"] >= 0
        assert box["x"] + box["width"] <= 800
        page.screenshot(path=artifacts / f"editor-{theme}-800.png", full_page=True)
    assert page.js_errors == []
