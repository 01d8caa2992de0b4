"""The newsletter's real parts: an SMTP server (aiosmtpd) on 127.0.0.1 and the task worker
(`manage.py db_worker`) in its own process, on the test database."""

import asyncio
import email
import email.policy
import logging
import os
import socket
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller

from tests.conftest import ROOT


class Inbox:
    """What the SMTP server accepted. `refuse` answers chosen recipients with a code;
    `hold_at` stops the n-th transaction at RCPT until `release` is set."""

    def __init__(self) -> None:
        self.received: list[bytes] = []
        self.refuse: dict[str, str] = {}
        self.lock = threading.Lock()
        self.hold_at: int | None = None
        self.holding = threading.Event()
        self.release = threading.Event()
        self._transactions = 0

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        if address in self.refuse:
            return self.refuse[address]
        with self.lock:
            self._transactions += 1
            hold = self._transactions == self.hold_at
        if hold:
            self.holding.set()
            while not self.release.is_set():
                await asyncio.sleep(0.01)
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

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if m["To"] == address]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def smtp() -> Iterator[tuple[Inbox, int]]:
    """A real SMTP server on 127.0.0.1, on a free port: (its inbox, its port)."""
    logging.getLogger("mail.log").setLevel(logging.WARNING)  # a line logged per SMTP line
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield inbox, port
    inbox.release.set()
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


@pytest.fixture
def worker(smtp, settings) -> Iterator[Callable[..., subprocess.Popen]]:
    """worker(*args, **env): the real `manage.py db_worker` on the test database, sending
    to the test SMTP server. Every process started is ended after the test."""
    from django.db import connection

    _, port = smtp
    db = connection.settings_dict
    if db["ENGINE"] == "django.db.backends.sqlite3":
        url = f"sqlite:///{db['NAME']}"
    else:
        url = f"postgresql://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
    base = os.environ | {
        "DATABASE_URL": url,
        "DJANGO_EMAIL_HOST": "127.0.0.1",
        "DJANGO_EMAIL_PORT": str(port),
        "DJANGO_EMAIL_USE_TLS": "0",
        "DJANGO_NEWSLETTER_SEND_RATE": "0",
        "SITE_URL": settings.SITE_URL,
        "DJANGO_LOG_LEVEL": "WARNING",
    }
    started: list[subprocess.Popen] = []

    def start(*args: str, **env: str) -> subprocess.Popen:
        command = [sys.executable, "manage.py", "db_worker", "--no-startup-delay"]
        process = subprocess.Popen(
            [*command, "--interval", "0.05", "--verbosity", "0", *args],
            cwd=ROOT,
            env=base | env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        started.append(process)
        return process

    yield start
    for process in started:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=30)


def run_batch(start: Callable[..., subprocess.Popen], **env: str) -> None:
    """`db_worker --batch`: run every task that is due, then exit."""
    process = start("--batch", **env)
    _, errors = process.communicate(timeout=120)
    assert process.returncode == 0, errors


@pytest.fixture
def drain(worker) -> Callable[..., None]:
    return lambda **env: run_batch(worker, **env)


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
