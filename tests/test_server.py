"""The production server as `make serve` runs it (site_config.serve): no request runs long,
a restart fails no request, each request is logged on standard output."""

import http.client
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request

import pytest

from tests.conftest import ROOT, SEED, production_env

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.slow,
    # The server runs on a SQLite file of its own: on PostgreSQL, the same tests again.
    pytest.mark.skipif(
        os.environ.get("DATABASE_URL", "").startswith("postgres"),
        reason="the server runs on its own SQLite file whatever the test database",
    ),
]


def site_env(tmp_path, **variables: str) -> dict[str, str]:
    """A production site in tmp_path with the seed essay (/words/autonomy/)."""
    env = production_env(
        DATABASE_URL=f"sqlite:///{tmp_path / 'site.db'}",
        DJANGO_CACHE_DIR=str(tmp_path / "cache"),
        **variables,
    )
    for command in (["migrate", "--noinput"], ["loaddata", str(SEED)]):
        subprocess.run(
            [sys.executable, "manage.py", *command], cwd=ROOT, env=env, check=True, timeout=60
        )
    return env


def test_a_stuck_request_ends_its_worker_after_the_timeout(tmp_path, app_server):
    """A request held by a locked database (SQLite waits up to 20 s for it) is ended at
    REQUEST_TIMEOUT by ending its worker, which the server replaces."""
    server = app_server(site_env(tmp_path, REQUEST_TIMEOUT="2", WEB_CONCURRENCY="1"))
    [worker] = server.workers()

    # Another process takes the database for itself: every query now waits.
    lock = sqlite3.connect(tmp_path / "site.db", isolation_level=None)
    lock.execute("PRAGMA locking_mode=EXCLUSIVE")
    lock.execute("BEGIN EXCLUSIVE")
    lock.execute("UPDATE blog_post SET title = title")
    started = time.monotonic()
    # The connection closes without an answer (no 503 after SQLite's 20 s).
    with pytest.raises((ConnectionError, http.client.RemoteDisconnected)):
        urllib.request.urlopen(server.url + "/words/autonomy/", timeout=15)
    assert time.monotonic() - started < 8  # 2 s, the watchdog's second, the exit
    assert "Request over the 2 s limit" in server.log.read_text()
    assert "GET /words/autonomy/" in server.log.read_text()

    lock.execute("ROLLBACK")
    lock.close()
    # A lone worker's successor listens within a second; until then, connections fail.
    deadline = time.monotonic() + 30
    while server.workers() in ([], [worker]):
        assert time.monotonic() < deadline, server.log.read_text()
        time.sleep(0.1)
    while True:
        try:
            assert "Autonomy" in server.get("/words/autonomy/")
            break
        except (urllib.error.URLError, ConnectionError):
            assert time.monotonic() < deadline, server.log.read_text()
            time.sleep(0.1)


def test_a_restart_fails_no_request_and_replaces_the_workers(tmp_path, app_server):
    """SIGHUP under load: every worker is replaced, one by one, and every request of a
    bounded load (a new connection each, as from a proxy) is answered 200. A connection a
    stopping worker took but had not read yet is closed unanswered (hyper's graceful
    shutdown), and one still queued on its listening socket is reset (each worker has its
    own, SO_REUSEPORT, unless net.ipv4.tcp_migrate_req is on): the reader sends the GET
    again once, as HTTP lets clients and proxies do with an idempotent request."""
    server = app_server(site_env(tmp_path, WEB_CONCURRENCY="2", ACCESS_LOG="1"))
    before = set(server.workers())
    statuses: list[int | str] = []
    stop = threading.Event()

    def get() -> int:
        with urllib.request.urlopen(server.url + "/words/autonomy/", timeout=30) as response:
            return response.status

    def reader() -> None:
        deadline = time.monotonic() + 120  # bounded whatever happens
        while not stop.is_set() and time.monotonic() < deadline:
            try:
                try:
                    statuses.append(get())
                except (http.client.RemoteDisconnected, ConnectionResetError):
                    statuses.append(get())
                except urllib.error.URLError as error:
                    if not isinstance(error.reason, ConnectionResetError):
                        raise
                    statuses.append(get())
            except (urllib.error.URLError, ConnectionError) as error:
                statuses.append(repr(error))

    readers = [threading.Thread(target=reader) for _ in range(4)]
    for thread in readers:
        thread.start()
    try:
        deadline = time.monotonic() + 90
        while len(statuses) < 20:  # the load runs before the signal, and on
            assert time.monotonic() < deadline, server.log.read_text()
            time.sleep(0.05)
        server.process.send_signal(signal.SIGHUP)
        while server.log.read_text().count("Stopped old worker") < 2:
            assert time.monotonic() < deadline, server.log.read_text()
            assert server.process.poll() is None, server.log.read_text()
            time.sleep(0.2)
        served = len(statuses)
        while len(statuses) < served + 20:  # the new workers serve too
            assert time.monotonic() < deadline, server.log.read_text()
            time.sleep(0.1)
    finally:
        stop.set()
        for thread in readers:
            thread.join(timeout=60)
    assert statuses
    assert set(statuses) == {200}, [s for s in statuses if s != 200][:5]
    assert not before & set(server.workers())

    # The access log, on standard output: a line per request (written once it is answered:
    # the last few may come a moment after their responses).
    def logged() -> int:
        return server.log.read_text().count('"GET /words/autonomy/ HTTP/1.1" 200')

    deadline = time.monotonic() + 10
    while logged() < len(statuses) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert logged() == len(statuses)


def test_a_request_sees_its_own_environment_not_the_servers(monkeypatch):
    """granian starts each request's environ from the process's environment: the secrets
    in it (DATABASE_URL, the secret key) must not reach the request, where an error report
    would show them."""
    from site_config.serve import without_process_environment

    monkeypatch.setenv("DATABASE_URL", "postgresql://essays:s3cret@db/essays")
    seen: dict[str, str] = {}

    def application(environ, start_response):
        seen.update(environ)
        return [b""]

    environ = dict(os.environ) | {"PATH_INFO": "/words/", "HTTP_HOST": "essays.example.com"}
    without_process_environment(application)(environ, lambda *args: None)
    assert "DATABASE_URL" not in seen
    assert "DJANGO_SECRET_KEY" not in seen
    assert seen["PATH_INFO"] == "/words/"
    assert seen["HTTP_HOST"] == "essays.example.com"
