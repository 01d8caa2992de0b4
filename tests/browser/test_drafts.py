"""From first draft to beta readers in a real browser: nothing typed is lost (a closed
browser, an ended session), an older tab cannot overwrite a newer save, and a share link
takes a reader's note to the writer. Every wait is for a condition, never a fixed time."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from playwright.sync_api import expect

from blog.models import Autosave, Post, ReaderNote, ShareLink

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "correct horse battery staple"
BODY = "A first paragraph.\n\nA second, about cats.\n\nA third."
SAVED_AT = re.compile(r"^Saved at \d\d:\d\d$")
# The editor autosaves a few seconds after the last keystroke.
AUTOSAVE_WAIT = 15_000

# Records Content-Security-Policy violations and script errors, to be read back.
WATCH = """
window.problems = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.problems.push(`CSP ${event.violatedDirective} ${event.blockedURI}`);
});
window.addEventListener("error", (event) => window.problems.push(String(event.message)));
"""


@pytest.fixture
def essay(db):
    get_user_model().objects.create_superuser("writer", "writer@example.com", PASSWORD)
    return Post.objects.create(slug="beta", title="Beta", body=BODY, status=Post.Status.DRAFT)


@pytest.fixture
def open_browser(browser, live_server):
    """open_browser(): a fresh browser profile (its own cookies and local storage)."""
    contexts = []

    def new_page():
        context = browser.new_context(base_url=live_server.url)
        context.add_init_script(WATCH)
        contexts.append(context)
        return context.new_page()

    yield new_page
    for context in contexts:
        for page in context.pages:
            assert page.evaluate("window.problems") == []
        context.close()


def change_url(post: Post) -> str:
    return f"/admin/blog/post/{post.pk}/change/"


def log_in(page) -> None:
    page.get_by_label("Username").fill("writer")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()


def open_form(page, post: Post) -> None:
    page.goto(change_url(post))
    if "/login/" in page.url:
        log_in(page)
    page.wait_for_url(f"**{change_url(post)}")


def save_and_continue(page) -> None:
    page.get_by_role("button", name="Save and continue editing").click()


def test_text_typed_in_a_closed_browser_is_offered_back(open_browser, essay, artifacts):
    page = open_browser()
    open_form(page, essay)
    body = page.locator("#id_body")
    body.fill("Typed, never saved.\n\nA third.")
    body.press("Control+Home")
    body.press_sequentially("Still ")
    cursor = body.evaluate("(editor) => editor.selectionStart")
    expect(page.locator(".essay-drafts-status")).to_have_text(SAVED_AT, timeout=AUTOSAVE_WAIT)
    # Saved in the background: the cursor stayed where she was typing.
    assert body.evaluate("(editor) => editor.selectionStart") == cursor == len("Still ")
    assert page.evaluate("document.activeElement.id") == "id_body"
    page.context.close()

    page = open_browser()  # another browser: nothing of the first one's storage
    open_form(page, essay)
    offer = page.locator(".essay-restore")
    expect(offer).to_be_visible()
    expect(offer).to_contain_text("autosaved on the server")
    expect(offer.locator(".diff-add").first).to_have_text("+ Still Typed, never saved.")
    expect(offer.locator(".diff-del").first).to_have_text("\u2212 A first paragraph.")
    page.screenshot(path=artifacts / "drafts-restore-offer.png")
    offer.get_by_role("button", name="Restore it").click()
    expect(offer).to_be_hidden()
    expect(page.locator("#id_body")).to_have_value("Still Typed, never saved.\n\nA third.")
    expect(page.locator(".markdownx-preview")).to_contain_text("Still Typed, never saved.")

    save_and_continue(page)
    expect(page.locator(".messagelist .success")).to_be_visible()
    essay.refresh_from_db()
    assert essay.body == "Still Typed, never saved.\n\nA third."
    assert not Autosave.objects.exists()
    expect(page.locator(".essay-restore")).to_be_hidden()


def test_a_save_after_the_session_ended_keeps_the_text(open_browser, essay):
    page = open_browser()
    open_form(page, essay)
    page.locator("#id_body").fill("Written while the session ended.")
    Session.objects.all().delete()  # the session expires while she types
    save_and_continue(page)
    page.wait_for_url("**/admin/login/**")
    log_in(page)
    page.wait_for_url(f"**{change_url(essay)}")

    offer = page.locator(".essay-restore")
    expect(offer).to_contain_text("kept in this browser")
    offer.get_by_role("button", name="Restore it").click()
    expect(page.locator("#id_body")).to_have_value("Written while the session ended.")
    save_and_continue(page)
    expect(page.locator(".messagelist .success")).to_be_visible()
    essay.refresh_from_db()
    assert essay.body == "Written while the session ended."
    # Saved: this browser's copy is cleared, and nothing is offered any more.
    page.reload()
    expect(page.locator(".messagelist")).to_have_count(0)
    kept = page.evaluate("Object.keys(localStorage)")
    assert [key for key in kept if key.startswith("essay-draft:")] == []
    expect(page.locator(".essay-restore")).to_be_hidden()


def test_a_new_essay_once_saved_is_not_offered_again(open_browser, essay):
    page = open_browser()
    page.goto("/admin/blog/post/add/")
    log_in(page)
    page.wait_for_url("**/admin/blog/post/add/")
    page.get_by_label("Title").fill("Brand new")
    page.locator("#id_body").fill("Its first words.")
    save_and_continue(page)
    expect(page.locator(".messagelist .success")).to_be_visible()
    assert Post.objects.get(slug="brand-new").body == "Its first words."
    page.goto("/admin/blog/post/add/")
    expect(page.locator("#id_title")).to_be_visible()
    kept = page.evaluate("Object.keys(localStorage)")
    assert [key for key in kept if key.startswith("essay-draft:")] == []
    expect(page.locator(".essay-restore")).to_be_hidden()


def test_the_older_of_two_tabs_cannot_overwrite_the_newer_save(open_browser, essay):
    first = open_browser()
    open_form(first, essay)
    second = first.context.new_page()
    open_form(second, essay)

    first.locator("#id_body").fill("From the first tab.")
    save_and_continue(first)
    expect(first.locator(".messagelist .success")).to_be_visible()

    second.locator("#id_body").fill("From the second tab.")
    save_and_continue(second)
    expect(second.locator(".errornote")).to_be_visible()
    expect(second.locator(".errorlist.nonfield")).to_contain_text("saved elsewhere")
    conflict = second.locator(".essay-conflict")
    expect(conflict.locator(".diff-del")).to_have_text("-From the first tab.")
    expect(conflict.locator(".diff-add")).to_have_text("+From the second tab.")
    expect(second.locator("#id_body")).to_have_value("From the second tab.")
    essay.refresh_from_db()
    assert essay.body == "From the first tab."


def test_a_beta_reader_reads_the_draft_and_leaves_a_note(open_browser, essay, artifacts):
    page = open_browser()
    open_form(page, essay)
    page.get_by_role("button", name=re.compile("Add another share link", re.IGNORECASE)).click()
    page.locator("#id_share_links-0-reader").fill("Ann")
    save_and_continue(page)
    expect(page.locator(".messagelist .success")).to_be_visible()
    page.screenshot(path=artifacts / "drafts-share-links.png", full_page=True)
    address = page.locator(".field-address a").first.text_content()
    link = ShareLink.objects.get(reader="Ann")
    assert address.endswith(link.get_absolute_url())

    reader = open_browser()  # signed out
    assert reader.goto(address).status == 200
    expect(reader.get_by_role("heading", level=1)).to_have_text("Beta")
    expect(reader.locator(".essay-body")).to_contain_text("A second, about cats.")
    reader.get_by_role("button", name="Leave a note on paragraph 2").click()
    expect(reader.get_by_role("combobox", name="On paragraph")).to_have_value("1")
    reader.get_by_label("Your note").fill("Which cats?")
    reader.get_by_label("Your name (optional)").fill("Ann B.")
    reader.get_by_role("button", name="Send the note").click()
    expect(reader.locator(".note-sent")).to_contain_text("your note was sent")
    reader.screenshot(path=artifacts / "drafts-shared-page.png", full_page=True)
    assert ReaderNote.objects.get().text == "Which cats?"

    # The writer finds the note beside its paragraph.
    page.reload()
    paragraph = page.locator(".reader-notes-paragraph").filter(has_text="Which cats?")
    expect(paragraph.locator(".reader-notes-text")).to_contain_text("A second, about cats.")
    expect(paragraph.locator(".reader-note-meta")).to_contain_text("Ann B.")
    paragraph.scroll_into_view_if_needed()
    page.screenshot(path=artifacts / "drafts-reader-notes.png", full_page=True)

    # Published: the link leads to the essay.
    page.get_by_label("Status").select_option("published")
    save_and_continue(page)
    expect(page.locator(".messagelist .success")).to_be_visible()
    answer = reader.request.get(address, max_redirects=0)
    assert answer.status == 301
    assert answer.headers["location"] == essay.get_absolute_url()
    reader.goto(address)
    assert reader.url.endswith(essay.get_absolute_url())

    # Revoked: the link is dead.
    page.locator("#id_share_links-0-revoked").check()
    save_and_continue(page)
    expect(page.locator(".messagelist .success")).to_be_visible()
    assert reader.request.get(address, max_redirects=0).status == 404
