"""Security headers, login throttling, the configurable admin path, SQLite tuning."""

import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model

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


def test_admin_login_is_locked_after_repeated_failures(client):
    get_user_model().objects.create_superuser("writer", "w@example.com", "right-password-123")
    statuses = [
        client.post("/admin/login/", {"username": "writer", "password": "wrong"}).status_code
        for _ in range(settings.AXES_FAILURE_LIMIT)
    ]
    # The form again with an error, until the limit; then locked out.
    assert statuses == [200] * (settings.AXES_FAILURE_LIMIT - 1) + [429]
    response = client.post(
        "/admin/login/?next=/admin/", {"username": "writer", "password": "right-password-123"}
    )
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_a_correct_login_works_and_resets_the_count(client):
    get_user_model().objects.create_superuser("writer", "w@example.com", "right-password-123")
    client.post("/admin/login/", {"username": "writer", "password": "wrong"})
    response = client.post(
        "/admin/login/?next=/admin/", {"username": "writer", "password": "right-password-123"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/admin/"


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
