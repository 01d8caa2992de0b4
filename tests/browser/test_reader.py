"""A reader in a real browser: lists, an essay, footnotes, a link post, phone and desktop.

Screenshots go to the artifacts folder (test-artifacts/), named reader-<page>-<width>-<scheme>.
"""

import re

import pytest

from tests.browser.conftest import EXTERNAL, PAGES

pytestmark = pytest.mark.django_db(transaction=True)


def no_horizontal_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


@pytest.mark.slow
def test_reader_opens_the_list_reads_an_essay_and_its_footnotes(page, site, artifacts):
    page.goto("/")
    page.get_by_role("link", name="Essays", exact=True).click()
    page.wait_for_url("**/words/")
    assert "A draft" not in page.content()
    page.get_by_role("link", name="Autonomy, and what it takes to give it").click()
    page.wait_for_url("**/words/notes/")
    assert page.get_by_role("heading", level=1).inner_text() == (
        "Autonomy, and what it takes to give it"
    )

    reference = page.locator("#fnref-1")
    reference.click()
    page.wait_for_url("**/words/notes/#fn-1")
    note = page.locator("#fn-1")
    assert note.is_visible()
    assert note.evaluate("el => el.matches(':target')")
    assert "Not for everyone" in note.inner_text()
    page.screenshot(path=artifacts / "reader-footnote-1280-light.png")

    note.locator("a.footnote-backref").first.click()
    page.wait_for_url("**/words/notes/#fnref-1")
    assert reference.evaluate("el => el.matches(':target')")
    box = reference.bounding_box()
    assert 0 <= box["y"] <= page.viewport_size["height"]

    page.go_back()
    page.wait_for_url("**/words/notes/#fn-1")
    page.go_back()
    page.wait_for_url("**/words/notes/")
    assert page.js_errors == []


def test_footnote_targets_are_easy_to_hit(page, site, artifacts):
    page.set_viewport_size({"width": 375, "height": 800})
    page.goto("/words/notes/")
    page.locator(".essay-body > p").first.screenshot(path=artifacts / "reader-refs-375.png")
    page.locator(".footnotes").screenshot(path=artifacts / "reader-notes-375.png")
    # A reference is a link or, where notes open in place, a button: whichever is shown.
    for selector in (".footnote-ref :is(a, button)", ".footnote-backref"):
        boxes = page.locator(selector).evaluate_all(
            "els => els.filter(el => el.checkVisibility())"
            ".map(el => el.getBoundingClientRect().toJSON())"
        )
        assert len(boxes) >= 3, selector
        for box in boxes:
            assert box["width"] >= 24
            assert box["height"] >= 24
    backref = page.locator(".footnote-backref").first.bounding_box()
    assert backref["width"] >= 44
    assert backref["height"] >= 44


@pytest.mark.slow
def test_reader_follows_a_link_post_without_leaving_for_the_network(page, site):
    page.context.route(
        re.compile(r"^https://www\.posthog\.com/"),
        lambda route: route.fulfill(
            body="<!doctype html><title>Handbook</title>", content_type="text/html"
        ),
    )
    page.goto("/words/")
    link = page.get_by_role("link", name="How PostHog writes its handbook")
    assert link.get_attribute("href") == EXTERNAL
    assert link.get_attribute("target") == "_blank"
    assert "noopener" in link.get_attribute("rel")
    with page.expect_popup() as popup:
        link.click()
    outside = popup.value
    outside.wait_for_load_state()
    assert outside.url == EXTERNAL
    # noopener: the new tab cannot reach back into ours.
    assert outside.evaluate("window.opener") is None
    outside.close()

    page.goto("/words/elsewhere/")
    assert page.locator('link[rel="canonical"]').get_attribute("href") == EXTERNAL
    out = page.locator(".link-out a")
    assert out.get_attribute("href") == EXTERNAL
    assert "Read it on posthog.com" in out.inner_text()
    assert page.js_errors == []


@pytest.mark.slow
@pytest.mark.parametrize("width", [375, 1280])
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_pages_fit_the_screen_and_are_captured(page, site, artifacts, width, scheme):
    page.set_viewport_size({"width": width, "height": 900})
    page.emulate_media(color_scheme=scheme)
    for name, url in PAGES.items():
        response = page.goto(url)
        assert response.status == (404 if name == "not-found" else 200)
        assert no_horizontal_scroll(page), f"{url} scrolls sideways at {width}px"
        page.screenshot(path=artifacts / f"reader-{name}-{width}-{scheme}.png", full_page=True)
        if name == "not-found":
            page.js_errors.clear()  # the 404 itself, as expected
        assert page.js_errors == [], url


def test_print_hides_the_chrome(page, site, artifacts):
    page.emulate_media(media="print")
    page.goto("/words/notes/")
    assert page.locator(".site-nav").is_hidden()
    assert page.locator(".essay-nav").is_hidden()
    assert page.locator(".essay-body").is_visible()
    link = page.locator(".essay-body a[href^=http]").first
    after = link.evaluate("el => getComputedStyle(el, '::after').content")
    assert "(https://example.com/handbook)" in after
    page.screenshot(path=artifacts / "reader-essay-print.png", full_page=True)
