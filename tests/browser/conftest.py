"""Playwright driving Debian's chromium against the live test server (127.0.0.1 only)."""

import datetime as dt
import json
import os
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from blog.models import Post
from tests.conftest import SEED
from tests.samples import RICH_BODY

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
# Every WCAG 2.0-2.2 A/AA rule and axe's best practices.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]

# Playwright's sync API runs an event loop in this thread; the ORM calls the tests make
# around it are still synchronous.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_collection_modifyitems(items):
    # The hook sees the whole session's items: mark only this folder's.
    here = Path(__file__).parent
    for item in items:
        if item.path.is_relative_to(here):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        if os.environ.get("REQUIRE_BROWSER"):
            pytest.fail(f"{CHROMIUM} is missing: apt-get install chromium")
        pytest.skip(f"{CHROMIUM} is missing: apt-get install chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def live_server(_static_files):
    """pytest-django's live server on 127.0.0.1, serving static files as production does:
    WhiteNoise from the collected, hashed files (not the development finders)."""
    from pytest_django.live_server_helper import LiveServer

    server = LiveServer("127.0.0.1", start=False)
    server.thread.static_handler = lambda handler: handler
    server.start()
    yield server
    server.stop()


@pytest.fixture
def page(browser, live_server):
    """A fresh browser page; `page.goto("/words/")` is relative to the live server."""
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on(
        "console",
        lambda message: errors.append(message.text) if message.type == "error" else None,
    )
    # A request the browser aborts because the page moved on (a preview still loading when
    # the writer clicks Save) is not an error; any other failure is.
    page.on(
        "requestfailed",
        lambda request: (
            None
            if request.failure == "net::ERR_ABORTED"
            else errors.append(f"failed: {request.url}")
        ),
    )
    page.on(
        "response", lambda r: errors.append(f"{r.status}: {r.url}") if r.status >= 400 else None
    )
    page.js_errors = errors
    yield page
    context.close()


@pytest.fixture
def artifacts() -> Path:
    """Where screenshots go, to be looked at (gitignored)."""
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


@pytest.fixture
def axe_page(browser, live_server):
    """A page whose CSP lets Playwright add axe's script (the site's own CSP allows 'self')."""
    if not AXE.exists():
        message = "node_modules/axe-core is missing: run `npm ci`"
        if os.environ.get("REQUIRE_BROWSER"):
            pytest.fail(message)
        pytest.skip(message)
    context = browser.new_context(base_url=live_server.url, bypass_csp=True)
    yield context.new_page()
    context.close()


def axe_violations(page) -> str:
    """axe-core's violations on the page as it is now, as JSON ("[]" when there are none)."""
    page.add_script_tag(path=str(AXE))
    violations = page.evaluate(
        """async (tags) => {
            const result = await axe.run(document, {runOnly: {type: "tag", values: tags}});
            return result.violations.map(v => ({
                id: v.id, impact: v.impact, nodes: v.nodes.map(n => n.target.join(" "))
            }));
        }""",
        AXE_TAGS,
    )
    return json.dumps(violations, indent=1)


# The site a reader visits (test_reader.py, test_reader_a11y.py).
EXTERNAL = "https://www.posthog.com/blog/handbook"

PAGES = {
    "home": "/",
    "list": "/words/",
    "archive": "/words/2023/",
    "essay": "/words/notes/",
    "link-post": "/words/elsewhere/",
    "search": "/words/?q=autonomy",
    "not-found": "/words/nothing-here/",
}

TITLES = [
    "Why we don't do sprints",
    "The case for boring technology, again",
    "Hiring engineers who like talking to customers",
    "Pricing is a product decision",
    "Write things down",
    "Small teams, big surface area",
]


@pytest.fixture
def site(settings):
    """The reader's site: the seed essay, a rich one, a link post, older essays, a draft."""
    settings.SITE_AUTHOR = "Ada Writer"
    settings.SITE_DESCRIPTION = "Essays on building companies, hiring, and writing things down."
    settings.SITE_INTRO = (
        "I run engineering at a small software company. These are notes on what worked, "
        "what didn't, and what I would do again."
    )
    call_command("loaddata", SEED, verbosity=0)
    for n, title in enumerate(TITLES):
        Post.objects.create(
            slug=f"essay-{n}",
            title=title,
            date=dt.date(2022, 3, 14) + dt.timedelta(days=97 * n),
            body="A short essay. " * 40,
            status=Post.Status.PUBLISHED,
        )
    Post.objects.create(
        slug="elsewhere",
        title="How PostHog writes its handbook",
        date=dt.date(2024, 2, 2),
        external_link=EXTERNAL,
        body="Worth reading for the part on *writing things down* before meetings.",
        status=Post.Status.PUBLISHED,
    )
    Post.objects.create(
        slug="notes",
        title="Autonomy, and what it takes to give it",
        date=dt.date(2024, 5, 20),
        body=RICH_BODY,
        status=Post.Status.PUBLISHED,
    )
    Post.objects.create(slug="draft", title="A draft", status=Post.Status.DRAFT, body="x")


PASSWORD = "correct horse battery staple"

# Records Content-Security-Policy violations the page reports, to be read back.
CSP_LISTENER = """
window.cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.cspViolations.push(`${event.violatedDirective} ${event.blockedURI}`);
});
"""


def sign_in(page) -> None:
    """Sign the browser page in to the admin of its site as the writer."""
    page.goto("/admin/login/")
    page.get_by_label("Username").fill("writer")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/admin/")


@pytest.fixture
def writer(page):
    """The browser page, signed in as the writer (a superuser), watching for CSP reports."""
    get_user_model().objects.create_superuser("writer", "writer@example.com", PASSWORD)
    page.add_init_script(CSP_LISTENER)
    sign_in(page)
    yield page
    if not page.is_closed():
        # Let a background request (an autosave, a preview) finish while the test's
        # database is still there, then leave the editor so no timer sends another.
        page.wait_for_load_state("networkidle")
        assert page.evaluate("window.cspViolations") == []
        page.goto("about:blank")
