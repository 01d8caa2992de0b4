"""Notes where readers read, in Debian's chromium: in the margin beside their references on
wide screens, in place on narrow ones (keyboard and touch), never overlapping, never
scrolling the page sideways; the admin preview set like the page; axe-core clean.

Screenshots: test-artifacts/sidenotes-<width>.png, sidenotes-open-<width>.png,
sidenotes-preview.png.
"""

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from tests.browser.conftest import axe_violations
from tests.samples import NOTES_BODY

pytestmark = pytest.mark.django_db(transaction=True)

URL = "/words/many-notes/"
MARGIN_NOTES = 13  # NOTES_BODY's 14 notes but the one in a table cell
PASSWORD = "correct horse battery staple"

# Each margin note and its reference (the <sup> before it), in page coordinates, with the
# line height of the text around the reference.
GEOMETRY = """() => [...document.querySelectorAll(".essay-body .sidenote")].map(note => {
    const box = (el) => {
        const r = el.getBoundingClientRect();
        return {top: r.top + scrollY, bottom: r.bottom + scrollY, left: r.left, right: r.right};
    };
    return {
        note: box(note),
        ref: box(note.previousElementSibling),
        line: parseFloat(getComputedStyle(note.parentElement).lineHeight),
        shown: getComputedStyle(note).display !== "none",
    };
})"""


@pytest.fixture
def essay(make_post):
    return make_post(
        slug="many-notes", title="Many notes, long notes, close notes", body=NOTES_BODY
    )


def no_horizontal_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def overlap(a: dict, b: dict) -> bool:
    return (
        a["left"] < b["right"] - 0.5
        and b["left"] < a["right"] - 0.5
        and a["top"] < b["bottom"] - 0.5
        and b["top"] < a["bottom"] - 0.5
    )


@pytest.mark.parametrize("width", [1440, 1024, 800, 375])
def test_notes_stand_beside_their_references_without_overlapping(page, essay, artifacts, width):
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(URL)
    assert no_horizontal_scroll(page)
    page.screenshot(path=artifacts / f"sidenotes-{width}.png", full_page=True)
    notes = page.evaluate(GEOMETRY)
    assert len(notes) == MARGIN_NOTES
    buttons = page.locator(".essay-body .note-button")
    links = page.locator(".essay-body .footnote-ref a")
    if width < 1000:  # no room for a margin: references open their notes in place
        assert not any(n["shown"] for n in notes)
        expect(buttons.first).to_be_visible()
        assert links.evaluate_all("els => els.every(el => el.checkVisibility() === false)")
        return
    assert all(n["shown"] for n in notes)
    assert buttons.evaluate_all("els => els.every(el => el.checkVisibility() === false)")
    text_right = page.locator(".essay-body > p").first.bounding_box()
    text_right = text_right["x"] + text_right["width"]
    previous = None
    for n, found in enumerate(notes):
        note, ref, line = found["note"], found["ref"], found["line"]
        assert note["left"] >= text_right + 16, f"note {n + 1} is in the margin"
        assert note["right"] <= width, f"note {n + 1} fits the screen"
        beside = abs(note["top"] - ref["top"]) <= line
        below_previous = (
            previous is not None
            and 0 <= note["top"] - previous["bottom"] <= line
            and note["top"] > ref["top"]
        )
        assert beside or below_previous, f"note {n + 1}: {note} for its reference {ref}"
        previous = note
    for i, a in enumerate(notes):
        for b in notes[i + 1 :]:
            assert not overlap(a["note"], b["note"]), (a, b)
    assert page.js_errors == []


def open_note_is_in_view_beside(page, note, button) -> None:
    expect(note).to_be_visible()
    assert note.evaluate("el => el.matches(':popover-open')")
    box, at = note.bounding_box(), button.bounding_box()
    viewport = page.viewport_size
    assert box["x"] >= 0
    assert box["x"] + box["width"] <= viewport["width"]
    assert box["y"] >= 0
    assert box["y"] + box["height"] <= viewport["height"]
    below = 0 <= box["y"] - (at["y"] + at["height"]) <= 24
    above = 0 <= at["y"] - (box["y"] + box["height"]) <= 24
    assert below or above, f"the note {box} opens next to its reference {at}"


def closed(note) -> None:
    note.page.wait_for_function("el => !el.matches(':popover-open')", arg=note.element_handle())


@pytest.mark.parametrize("width", [800, 375])
def test_a_note_opens_in_place_and_closes_by_keyboard(page, essay, artifacts, width):
    page.set_viewport_size({"width": width, "height": 800})
    page.goto(URL)
    button = page.locator('.note-button[popovertarget="fn-m2"]')
    note = page.locator("#fn-m2")
    page.evaluate("y => window.scrollTo(0, y)", button.bounding_box()["y"] - 400)
    scrolled = page.evaluate("scrollY")
    assert scrolled > 0

    button.focus()
    page.keyboard.press("Enter")
    open_note_is_in_view_beside(page, note, button)
    assert "Many two" in note.inner_text()
    page.screenshot(path=artifacts / f"sidenotes-open-{width}.png")
    page.keyboard.press("Escape")
    closed(note)
    assert page.evaluate("document.activeElement.getAttribute('popovertarget')") == "fn-m2"
    assert page.evaluate("scrollY") == scrolled

    # Space opens it too; Tab goes into the note, to its Close button first.
    page.keyboard.press("Space")
    open_note_is_in_view_beside(page, note, button)
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Close"
    page.keyboard.press("Enter")
    closed(note)
    assert page.evaluate("scrollY") == scrolled
    # Closed, the note is back in the list at the end.
    expect(note).to_be_visible()
    assert note.evaluate("el => el.closest('section.footnotes') !== null")
    assert page.js_errors == []


def test_a_note_opens_in_place_and_closes_by_touch(browser, live_server, essay):
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": 375, "height": 800}, has_touch=True
    )
    page = context.new_page()
    page.goto(URL)
    button = page.locator('.note-button[popovertarget="fn-m2"]')
    note = page.locator("#fn-m2")
    button.scroll_into_view_if_needed()
    scrolled = page.evaluate("scrollY")

    button.tap()
    open_note_is_in_view_beside(page, note, button)
    page.touchscreen.tap(20, 20)  # outside the note
    closed(note)
    assert page.evaluate("scrollY") == scrolled

    button.tap()
    open_note_is_in_view_beside(page, note, button)
    note.get_by_role("button", name="Close").tap()
    closed(note)
    assert page.evaluate("scrollY") == scrolled
    assert no_horizontal_scroll(page)
    context.close()


@pytest.mark.parametrize(
    ("scheme", "width"), [("light", 1440), ("dark", 1440), ("light", 375), ("dark", 375)]
)
def test_no_axe_violations_with_notes(axe_page, essay, scheme, width):
    axe_page.emulate_media(color_scheme=scheme)
    axe_page.set_viewport_size({"width": width, "height": 900})
    axe_page.goto(URL)
    violations = axe_violations(axe_page)
    assert violations == "[]", violations
    if width < 1000:  # and with a note open
        axe_page.locator('.note-button[popovertarget="fn-long"]').click()
        expect(axe_page.locator("#fn-long")).to_be_visible()
        violations = axe_violations(axe_page)
        assert violations == "[]", violations


def test_the_preview_is_set_like_the_page(page, essay, artifacts):
    """Same type face and link colour as the essay page, and sidenotes when the preview
    pane is wide enough for them (the admin's editor stacked, on a wide screen)."""
    page.goto(URL)
    font = "el => getComputedStyle(el).fontFamily"
    colour = "el => getComputedStyle(el).color"
    on_page = page.locator(".essay-body > p").first.evaluate(font)
    link_on_page = page.locator(".essay-body > p a[href^=http]").first.evaluate(colour)

    get_user_model().objects.create_superuser("writer", "writer@example.com", PASSWORD)
    page.goto("/admin/login/")
    page.get_by_label("Username").fill("writer")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/admin/")
    page.set_viewport_size({"width": 1099, "height": 900})
    page.goto(f"/admin/blog/post/{essay.pk}/change/")
    preview = page.locator(".markdownx-preview")
    expect(preview.locator(".sidenote").first).to_be_attached()
    assert preview.locator("p").first.evaluate(font) == on_page
    assert preview.locator(":scope > p a[href^=http]").first.evaluate(colour) == link_on_page
    assert preview.locator(".sidenote").first.is_visible(), "the pane has room for a margin"
    print("preview width", preview.evaluate("el => el.clientWidth"))
    preview.screenshot(path=artifacts / "sidenotes-preview.png")
    assert page.js_errors == []
