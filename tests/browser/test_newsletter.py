"""Subscribing in a real browser: the form, the confirmation page, the unsubscribe page,
on a phone and a desktop, with CSP 'self' (a violation is a console error) and without
JavaScript. Screenshots: test-artifacts/newsletter-<page>-<width>.png."""

from urllib.parse import urlsplit

import pytest

from blog.models import Post
from blog.newsletter import tokens
from blog.newsletter.models import Subscriber

pytestmark = pytest.mark.django_db(transaction=True)

WIDTHS = [375, 1280]


def fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


@pytest.fixture
def essay():
    return Post.objects.create(
        slug="notes", title="Notes on notes", body="Words. " * 100, status="published"
    )


@pytest.mark.parametrize("width", WIDTHS)
def test_subscribe_from_an_essay(page, essay, artifacts, width):
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(essay.get_absolute_url())
    form = page.locator("form.subscribe")
    form.scroll_into_view_if_needed()
    assert form.is_visible()
    assert not page.locator("input[name=website]").is_visible()  # the honeypot
    page.screenshot(path=artifacts / f"newsletter-form-{width}.png", full_page=True)
    page.get_by_label("Your email address").fill("reader@example.com")
    page.get_by_role("button", name="Subscribe").click()
    page.wait_for_url("**/subscribe/check-your-inbox/")
    assert page.get_by_role("heading", name="Check your inbox").is_visible()
    assert fits(page)
    page.screenshot(path=artifacts / f"newsletter-sent-{width}.png", full_page=True)
    assert Subscriber.objects.get().status == "pending"
    assert page.js_errors == []


@pytest.mark.parametrize("width", WIDTHS)
def test_a_bad_address_is_explained_on_the_form(page, artifacts, width):
    page.set_viewport_size({"width": width, "height": 900})
    page.goto("/subscribe/")
    page.get_by_label("Your email address").fill("not an address")
    page.get_by_role("button", name="Subscribe").click()
    page.wait_for_load_state()
    error = page.locator(".subscribe-error")
    assert "like name@example.com" in error.inner_text()
    assert page.get_by_label("Your email address").get_attribute("aria-invalid") == "true"
    assert fits(page)
    page.screenshot(path=artifacts / f"newsletter-error-{width}.png", full_page=True)
    assert page.js_errors == []


@pytest.mark.parametrize("width", WIDTHS)
def test_the_confirmation_page_confirms_with_its_button(page, artifacts, width):
    subscriber = Subscriber.objects.create(email="reader@example.com")
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(urlsplit(tokens.confirm_url(subscriber)).path)
    assert page.get_by_text("reader@example.com").is_visible()
    assert fits(page)
    page.screenshot(path=artifacts / f"newsletter-confirm-{width}.png", full_page=True)
    subscriber.refresh_from_db()
    assert subscriber.status == "pending"
    page.get_by_role("button", name="Yes, subscribe me").click()
    page.get_by_role("heading", name="You're subscribed").wait_for()
    subscriber.refresh_from_db()
    assert subscriber.status == "confirmed"
    assert page.js_errors == []


@pytest.mark.parametrize("width", WIDTHS)
def test_the_unsubscribe_page_leaves_and_comes_back(page, artifacts, width):
    subscriber = Subscriber.objects.create(email="reader@example.com", status="confirmed")
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(urlsplit(tokens.unsubscribe_url(subscriber.pk)).path)
    assert fits(page)
    page.screenshot(path=artifacts / f"newsletter-unsubscribe-{width}.png", full_page=True)
    page.get_by_role("button", name="Unsubscribe").click()
    page.get_by_role("heading", name="You're unsubscribed").wait_for()
    page.screenshot(path=artifacts / f"newsletter-unsubscribed-{width}.png", full_page=True)
    subscriber.refresh_from_db()
    assert subscriber.status == "unsubscribed"
    page.get_by_role("button", name="Subscribe again").click()
    page.get_by_role("heading", name="Unsubscribe").wait_for()
    subscriber.refresh_from_db()
    assert subscriber.status == "confirmed"
    assert page.js_errors == []


def test_the_form_works_without_javascript(browser, live_server):
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    page = context.new_page()
    page.goto("/")
    page.get_by_label("Your email address").fill("nojs@example.com")
    page.get_by_role("button", name="Subscribe").click()
    page.wait_for_url("**/subscribe/check-your-inbox/")
    context.close()
    assert Subscriber.objects.get().email == "nojs@example.com"
