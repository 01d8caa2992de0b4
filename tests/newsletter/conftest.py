"""The newsletter's real parts: SMTP servers (aiosmtpd) on 127.0.0.1 and the task worker
(`manage.py db_worker`) in its own processes, on the test database."""

import email
import email.policy
import logging
import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from email.message import EmailMessage
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller

from tests.conftest import ROOT, database_url, free_port


class Inbox:
    """What the SMTP server accepted; `refuse` answers chosen recipients with a code."""

    def __init__(self) -> None:
        self.received: list[bytes] = []
        self.refuse: dict[str, str] = {}
        self.lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        if address in self.refuse:
            return self.refuse[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        with self.lock:
            self.received.append(envelope.content)  # parsed when looked at: a fast server
        return "250 Message accepted for delivery"

    @property
    def messages(self) -> list[EmailMessage]:
        with self.lock:
            received = list(self.received)
        return [email.message_from_bytes(raw, policy=email.policy.default) for raw in received]


@pytest.fixture
def smtp() -> Iterator[tuple[Inbox, int]]:
    """A real SMTP server on 127.0.0.1, on a free port, in this process: (its inbox, its
    port). For tasks run in this process; the worker tests use mail_server's process."""
    logging.getLogger("mail.log").setLevel(logging.WARNING)  # a line logged per SMTP line
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield inbox, port
    controller.stop()


@pytest.fixture
def inbox(smtp, settings) -> Inbox:
    """The SMTP server, used by this process too (the admin's test email, in-process tasks)."""
    inbox, port = smtp
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": port, "use_tls": False, "timeout": 10},
        }
    }
    settings.NEWSLETTER_SEND_RATE = 0
    return inbox


# An SMTP server in a process of its own, for the worker tests: every accepted message is a
# file in its folder; with a hold, the n-th transaction waits at RCPT for a "release" file.
SERVER = """
import asyncio, pathlib, sys, threading
from aiosmtpd.controller import Controller

folder, port, hold_at = pathlib.Path(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])


class Sink:
    recipients = messages = 0

    async def handle_RCPT(self, server, session, envelope, address, options):
        Sink.recipients += 1
        if Sink.recipients == hold_at:
            (folder / "holding").touch()
            while not (folder / "release").exists():
                await asyncio.sleep(0.01)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        Sink.messages += 1
        path = folder / f"{Sink.messages:07d}.eml"
        path.with_suffix(".tmp").write_bytes(envelope.content)
        path.with_suffix(".tmp").rename(path)
        return "250 Message accepted for delivery"


Controller(Sink(), hostname="127.0.0.1", port=port).start()
(folder / "ready").touch()
threading.Event().wait()
"""


class Mailbox:
    """What the server process accepted, read from its folder."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    @property
    def received(self) -> list[bytes]:
        return [path.read_bytes() for path in sorted(self.folder.glob("*.eml"))]

    @property
    def messages(self) -> list[EmailMessage]:
        return [email.message_from_bytes(raw, policy=email.policy.default) for raw in self.received]

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if m["To"] == address]

    def wait_holding(self, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while not (self.folder / "holding").exists():
            if time.monotonic() > deadline:
                return False
            time.sleep(0.05)
        return True

    def release(self) -> None:
        (self.folder / "release").touch()


@pytest.fixture
def mail_server(tmp_path) -> Callable[..., tuple[Mailbox, int]]:
    """mail_server(hold_at=0): start the SMTP server process; (its mailbox, its port)."""
    started: list[subprocess.Popen] = []

    def start(hold_at: int = 0) -> tuple[Mailbox, int]:
        folder = tmp_path / f"mail-{len(started)}"
        folder.mkdir()
        port = free_port()
        command = [sys.executable, "-c", SERVER, str(folder), str(port), str(hold_at)]
        started.append(subprocess.Popen(command, cwd=ROOT))
        deadline = time.monotonic() + 30
        while not (folder / "ready").exists():
            assert time.monotonic() < deadline, "the SMTP server did not start"
            time.sleep(0.05)
        return Mailbox(folder), port

    yield start
    for process in started:
        process.kill()
        process.wait(timeout=30)


@pytest.fixture
def worker(settings, tmp_path) -> Iterator[Callable[..., subprocess.Popen]]:
    """worker(port, *args, **env): the real `manage.py db_worker` on the test database,
    sending to the SMTP server on `port`; its output goes to a file (`process.log`): an
    unread pipe would fill up and block it. Every process started is ended after the test."""
    base = os.environ | {
        "DATABASE_URL": database_url(),
        "DJANGO_EMAIL_HOST": "127.0.0.1",
        "DJANGO_EMAIL_USE_TLS": "0",
        "DJANGO_NEWSLETTER_SEND_RATE": "0",
        "SITE_URL": settings.SITE_URL,
        "DJANGO_LOG_LEVEL": "WARNING",
    }
    started: list[subprocess.Popen] = []

    def start(port: int, *args: str, **env: str) -> subprocess.Popen:
        env = {"DJANGO_EMAIL_PORT": str(port), **env}
        command = [sys.executable, "manage.py", "db_worker", "--no-startup-delay"]
        log = tmp_path / f"worker-{len(started)}.log"
        with log.open("w") as output:
            process = subprocess.Popen(
                [*command, "--interval", "0.05", "--verbosity", "0", *args],
                cwd=ROOT,
                env=base | env,
                stdout=output,
                stderr=subprocess.STDOUT,
            )
        process.log = log
        started.append(process)
        return process

    yield start
    for process in started:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=30)


@pytest.fixture
def drain(worker) -> Callable[..., None]:
    """drain(port): `db_worker --batch` runs every task that is due, then exits."""

    def run(port: int, **env: str) -> None:
        process = worker(port, "--batch", **env)
        process.wait(timeout=300)
        assert process.returncode == 0, process.log.read_text()

    return run


@pytest.fixture
def run_tasks(db) -> Callable[[], None]:
    """Run every due task in this process, as `db_worker --batch` does; fail on a failed one."""
    from django_tasks_db.management.commands.db_worker import Worker
    from django_tasks_db.models import DBTaskResult

    worker = Worker(
        queue_names=["default"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="test",
        excluded_queue_names=[],
    )

    def run() -> None:
        # The worker's own loop closes the connection between tasks (not in a test).
        while (result := DBTaskResult.objects.ready().first()) is not None:
            result.claim("test")
            worker.run_task(result)
        failed = DBTaskResult.objects.failed().values_list("traceback", flat=True)
        assert not failed, failed[0]

    return run


@pytest.fixture
def subscribe(client, db) -> Callable[..., object]:
    """Post the subscribe form as a reader's browser does (no CSRF token: cached pages)."""

    def post(email: str, **fields: str):
        return client.post("/subscribe/", {"email": email, "website": "", **fields})

    return post
