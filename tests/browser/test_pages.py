"""The writer's whole site in a real browser: an About page written in the admin with its
live preview, found in the navigation; a new site name seen at once by every worker of a
real multi-process server."""

import re
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from playwright.sync_api import expect

from blog.models import Autosave, Page
from tests.browser.conftest import PASSWORD, sign_in
from tests.conftest import ROOT, production_env

pytestmark = pytest.mark.django_db(transaction=True)

# The editor autosaves a few seconds after the last keystroke.
AUTOSAVE_WAIT = 15_000


def test_an_about_page_written_in_the_admin_is_in_the_navigation(writer):
    page = writer
    # markdownx previews the empty text once loaded; its answer must not come after the one
    # for the text typed below (markdownx shows whichever answer comes last).
    with page.expect_response(re.compile(r"/markdownify/$")):
        page.goto("/admin/blog/page/add/")
    page.get_by_label("Title").fill("About")
    page.locator("#id_body").fill("I run *engineering* at a small company.[^1]\n\n[^1]: Ten.")
    expect(page.locator("#id_slug")).to_have_value("about")  # from the title
    # The live preview: the site's renderer, notes and all.
    expect(page.locator(".markdownx-preview em")).to_have_text("engineering")
    expect(page.locator(".markdownx-preview section.footnotes li")).to_have_count(1)
    # Autosaved as an essay is: nothing typed is lost before the first save.
    status = page.locator(".essay-drafts-status")
    expect(status).to_have_text(re.compile(r"^Saved at \d\d:\d\d$"), timeout=AUTOSAVE_WAIT)
    assert "engineering" in Autosave.objects.get(object_id=None).fields["body"]
    page.get_by_label("Status").select_option("published")
    page.get_by_role("button", name="Save", exact=True).click()
    page.wait_for_url("**/admin/blog/page/")
    assert Page.objects.get().slug == "about"
    assert not Autosave.objects.exists()  # the save cleared it

    page.goto("/words/")
    nav = page.get_by_role("navigation", name="Site")
    expect(nav.get_by_role("link")).to_have_text(["Essays", "About", "Feed"])
    nav.get_by_role("link", name="About").click()
    page.wait_for_url("**/about/")
    expect(page.get_by_role("heading", level=1)).to_have_text("About")
    expect(page.locator(".essay-body em")).to_have_text("engineering")
    expect(nav.get_by_role("link", name="About")).to_have_attribute("aria-current", "page")
    assert page.js_errors == []


WORKERS = 2


class Site:
    """The server as `make serve` runs it with WORKERS workers, against a file SQLite
    database; its access log names the worker that answered each request."""

    def __init__(self, tmp_path: Path, app_server) -> None:
        env = production_env(
            DATABASE_URL=f"sqlite:///{tmp_path / 'site.db'}",
            DJANGO_CACHE_DIR=str(tmp_path / "cache"),
            SITE_NAME="Old name",
            DJANGO_SUPERUSER_USERNAME="writer",
            DJANGO_SUPERUSER_EMAIL="writer@example.com",
            DJANGO_SUPERUSER_PASSWORD=PASSWORD,
            WEB_CONCURRENCY=str(WORKERS),
            ACCESS_LOG="1",
        )
        for command in (["migrate", "--noinput"], ["ensure_writer"]):
            subprocess.run(
                [sys.executable, "manage.py", *command],
                cwd=ROOT,
                env=env,
                check=True,
                timeout=60,
                capture_output=True,
            )
        self.server = app_server(env)
        self.url = self.server.url

    def _served(self) -> list[str]:
        """The worker of each home page request so far, in order."""
        log = self.server.log.read_text()
        return re.findall(r'^\[worker (\d+)\] .*"GET / ', log, re.MULTILINE)

    def get(self, path: str = "/") -> tuple[str, str]:
        """(the home page, the pid of the worker that served it): one request at a time,
        so the next access line is this request's."""
        before = len(self._served())
        with urllib.request.urlopen(self.url + path, timeout=15) as response:
            text = response.read().decode()
        # The line is logged once the request is answered: wait for it (bounded).
        deadline = time.monotonic() + 10
        while len(served := self._served()) == before:
            assert time.monotonic() < deadline, "the request is not in the access log"
            time.sleep(0.01)
        return text, served[before]


@pytest.fixture
def server(tmp_path, app_server) -> Site:
    return Site(tmp_path, app_server)


@pytest.mark.slow
def test_a_new_site_name_shows_on_the_next_request_in_every_worker(browser, server):
    # Every worker has the home page cached with the old name.
    served_by: set[str] = set()
    for _ in range(200):
        text, pid = server.get("/")
        assert "Old name" in text
        served_by.add(pid)
        if len(served_by) == WORKERS:
            break
    assert len(served_by) == WORKERS, "the requests all went to one worker"

    context = browser.new_context(base_url=server.url)
    page = context.new_page()
    sign_in(page)
    page.goto("/admin/site_config/sitesettings/")  # the one object's form
    page.get_by_label("Name").fill("New name")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")
    context.close()

    # Whichever worker answers, from the very next request on: the new name.
    seen: set[str] = set()
    for _ in range(200):
        text, pid = server.get("/")
        assert "New name" in text, pid
        assert "Old name" not in text, pid
        seen.add(pid)
        if seen == served_by:
            break
    assert seen == served_by
