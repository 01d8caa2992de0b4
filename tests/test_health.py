"""Health check and the 503 page, against a real database and a real unreachable one."""

import os
import subprocess
import sys

import pytest
from django.conf import settings

from tests.conftest import ROOT

# A PostgreSQL URL nobody listens on: connections are refused at once.
DEAD_DATABASE = "postgresql://essays@127.0.0.1:9/essays"


@pytest.mark.django_db
def test_healthz_answers_ok_after_a_database_round_trip(client, django_assert_num_queries):
    with django_assert_num_queries(1):
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.text == "ok\n"
    assert "no-store" in response["Cache-Control"]


def request_with_database_down(path: str) -> str:
    """GET path in a fresh process whose database is unreachable; return status and body."""
    script = (
        "import django; django.setup();"
        "from django.test import Client;"
        f"r = Client(raise_request_exception=False).get({path!r});"
        "print(r.status_code, r.get('Retry-After'), r.get('Cache-Control'));"
        "print(r.content.decode())"
    )
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env |= {
        "DATABASE_URL": DEAD_DATABASE,
        "DJANGO_ALLOWED_HOSTS": "testserver",
        "DJANGO_STATIC_ROOT": str(settings.STATIC_ROOT),
        "DJANGO_SETTINGS_MODULE": "site_config.settings",
    }
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.mark.slow
def test_healthz_is_503_when_the_database_is_down():
    assert request_with_database_down("/healthz").startswith("503 None")


@pytest.mark.slow
def test_pages_answer_the_sites_503_page_when_the_database_is_down():
    output = request_with_database_down("/words/")
    status_line, body = output.split("\n", 1)
    assert status_line == "503 5 no-store"
    assert "Back in a moment" in body
    assert "Traceback" not in body
