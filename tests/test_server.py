"""The production server as `make serve` runs it (gunicorn.conf.py): no request runs long."""

import http.client
import re
import sqlite3
import subprocess
import sys
import time
import urllib.request

import pytest

from tests.conftest import ROOT, SEED, production_env

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_stuck_request_ends_its_worker_after_the_timeout(tmp_path, app_server):
    """A request held by a locked database (SQLite waits up to 20 s for it) is ended at
    GUNICORN_TIMEOUT by ending its worker, which gunicorn replaces. gthread's own timeout
    would let it run."""
    database = tmp_path / "site.db"
    env = production_env(
        DATABASE_URL=f"sqlite:///{database}",
        DJANGO_CACHE_DIR=str(tmp_path / "cache"),
        GUNICORN_TIMEOUT="2",
        WEB_CONCURRENCY="1",
    )
    for command in (["migrate", "--noinput"], ["loaddata", str(SEED)]):
        subprocess.run(
            [sys.executable, "manage.py", *command], cwd=ROOT, env=env, check=True, timeout=60
        )
    server = app_server(env)
    log = server.log
    url = server.url + "/words/autonomy/"
    workers = lambda: len(re.findall(r"Booting worker", log.read_text()))  # noqa: E731

    # Another process takes the database for itself: every query now waits.
    lock = sqlite3.connect(database, isolation_level=None)
    lock.execute("PRAGMA locking_mode=EXCLUSIVE")
    lock.execute("BEGIN EXCLUSIVE")
    lock.execute("UPDATE blog_post SET title = title")
    started = time.monotonic()
    # The connection closes without an answer (no 503 after SQLite's 20 s).
    with pytest.raises((ConnectionError, http.client.RemoteDisconnected)):
        urllib.request.urlopen(url, timeout=15)
    assert time.monotonic() - started < 8  # 2 s, the heartbeat's second, the exit
    assert "Request over the 2 s limit" in log.read_text()
    assert "GET /words/autonomy/" in log.read_text()

    lock.execute("ROLLBACK")
    lock.close()
    deadline = time.monotonic() + 30
    while workers() < 2:  # gunicorn replaces the worker
        assert time.monotonic() < deadline, log.read_text()
        time.sleep(0.1)
    with urllib.request.urlopen(url, timeout=15) as response:
        assert response.status == 200
