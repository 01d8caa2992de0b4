"""Security headers, login throttling, the configurable admin path, SQLite tuning."""

import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client

from tests.conftest import ROOT

pytestmark = pytest.mark.django_db


def test_public_pages_send_the_security_headers(client):
    response = client.get("/words/")
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "script-src 'self'" in csp
    assert "style-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert "camera=()" in response["Permissions-Policy"]
    assert response["X-Frame-Options"] == "DENY"


def test_admin_pages_send_the_same_policy(admin_client):
    response = admin_client.get("/admin/blog/post/add/")
    assert "script-src 'self'" in response["Content-Security-Policy"]


WRITER_ADDRESS = "198.51.100.7"
STRANGER_ADDRESS = "203.0.113.9"
PROXY_ADDRESS = "10.0.0.2"
PASSWORD = "right-password-123"


@pytest.fixture
def writer(db):
    return get_user_model().objects.create_superuser("writer", "w@example.com", PASSWORD)


def log_in(password: str, remote: str, forwarded: str | None = None) -> int:
    """One admin login attempt as the writer's username, from a fresh browser: the status."""
    headers = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        headers["HTTP_X_FORWARDED_FOR"] = forwarded
    data = {"username": "writer", "password": password}
    return Client().post("/admin/login/?next=/admin/", data, **headers).status_code


def fail_until_locked(remote: str, forwarded: list[str | None]) -> list[int]:
    return [log_in("wrong", remote, header) for header in forwarded]


def test_admin_login_is_locked_after_repeated_failures(client, writer):
    statuses = [
        client.post("/admin/login/", {"username": "writer", "password": "wrong"}).status_code
        for _ in range(settings.AXES_FAILURE_LIMIT)
    ]
    # The form again with an error, until the limit; then locked out.
    assert statuses == [200] * (settings.AXES_FAILURE_LIMIT - 1) + [429]
    right = {"username": "writer", "password": PASSWORD}
    response = client.post("/admin/login/?next=/admin/", right)
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_a_correct_login_works_and_resets_the_count(client, writer):
    client.post("/admin/login/", {"username": "writer", "password": "wrong"})
    right = {"username": "writer", "password": PASSWORD}
    response = client.post("/admin/login/?next=/admin/", right)
    assert response.status_code == 302
    assert response["Location"] == "/admin/"


LOCKED_AFTER_THE_LIMIT = [200] * (settings.AXES_FAILURE_LIMIT - 1) + [429] * 3


def test_a_stranger_elsewhere_never_locks_the_writer_out(writer):
    assert fail_until_locked(STRANGER_ADDRESS, [None] * 7) == LOCKED_AFTER_THE_LIMIT
    assert log_in(PASSWORD, STRANGER_ADDRESS) == 429  # the stranger stays locked
    assert log_in(PASSWORD, WRITER_ADDRESS) == 302


@pytest.mark.parametrize(
    "stranger_headers",
    [
        pytest.param([STRANGER_ADDRESS] * 7, id="the-proxy's-header"),
        # What a client writes before the proxy's entry is not believed: neither made-up
        # addresses (to dodge the lock) nor the writer's own (to lock it).
        pytest.param([f"192.0.2.{n}, {STRANGER_ADDRESS}" for n in range(7)], id="made-up"),
        pytest.param([f"{WRITER_ADDRESS}, {STRANGER_ADDRESS}"] * 7, id="the-writer's-address"),
    ],
)
def test_behind_the_proxy_the_lock_goes_by_the_client_address(settings, writer, stranger_headers):
    settings.BEHIND_TLS_PROXY = True
    assert fail_until_locked(PROXY_ADDRESS, stranger_headers) == LOCKED_AFTER_THE_LIMIT
    assert log_in(PASSWORD, PROXY_ADDRESS, STRANGER_ADDRESS) == 429
    assert log_in(PASSWORD, PROXY_ADDRESS, f"{STRANGER_ADDRESS}, {WRITER_ADDRESS}") == 302


def test_behind_the_proxy_a_header_that_is_no_address_counts_as_the_proxy(settings, writer):
    settings.BEHIND_TLS_PROXY = True
    assert fail_until_locked(PROXY_ADDRESS, ["not-an-address"] * 7) == LOCKED_AFTER_THE_LIMIT
    assert log_in(PASSWORD, PROXY_ADDRESS, WRITER_ADDRESS) == 302


def test_without_a_proxy_x_forwarded_for_is_ignored(settings, writer):
    settings.BEHIND_TLS_PROXY = False
    # Fresh addresses in the header don't dodge the lock...
    headers = [f"192.0.2.{n}" for n in range(7)]
    assert fail_until_locked(STRANGER_ADDRESS, headers) == LOCKED_AFTER_THE_LIMIT
    # ...and naming the writer's address in it locks only the stranger.
    assert fail_until_locked(STRANGER_ADDRESS, [WRITER_ADDRESS] * 2) == [429, 429]
    assert log_in(PASSWORD, WRITER_ADDRESS) == 302


def run_python(script: str, **env: str) -> str:
    base = {k: v for k, v in os.environ.items() if k not in env}
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup();" + script],
        cwd=ROOT,
        env={**base, "DJANGO_SETTINGS_MODULE": "site_config.settings", **env},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


@pytest.mark.slow
def test_the_admin_path_comes_from_the_environment():
    output = run_python(
        "from django.urls import reverse; from django.conf import settings;"
        "print(reverse('admin:index'), settings.MARKDOWNX_URLS_PATH)",
        DJANGO_ADMIN_PATH="writers-desk",
    )
    assert output == "/writers-desk/ /writers-desk/markdownx/markdownify/"


def test_the_proxy_is_believed_only_when_the_environment_says_so():
    script = "from django.conf import settings; print(settings.BEHIND_TLS_PROXY)"
    assert run_python(script, DJANGO_BEHIND_TLS_PROXY="1") == "True"
    assert run_python(script, DJANGO_BEHIND_TLS_PROXY="") == "False"


def test_sqlite_runs_in_wal_mode_with_immediate_transactions(tmp_path):
    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3":
        pytest.skip("SQLite tuning applies to SQLite only")
    output = run_python(
        "from django.db import connection;"
        "c = connection.cursor(); c.execute('PRAGMA journal_mode'); print(c.fetchone()[0]);"
        "print(connection.transaction_mode)",
        DATABASE_URL=f"sqlite:///{tmp_path / 'site.db'}",
    )
    assert output.split() == ["wal", "IMMEDIATE"]
