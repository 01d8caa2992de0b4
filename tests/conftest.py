import datetime as dt
import itertools
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.utils import timezone

from bench import corpus as bench_corpus
from blog import frontmatter
from blog.models import Page, Post

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "fixtures" / "2023-09-09_autonomy.md"
# The CommonMark spec's examples, taken once from its spec.txt (source and licence inside).
COMMONMARK_SPEC = ROOT / "tests" / "data" / "commonmark-spec-0.31.2.json"

_numbers = itertools.count()


def seed_body() -> str:
    """The seed essay's markdown: the writer's own footnotes, quotes, a list."""
    return frontmatter.parse(SEED.read_text(encoding="utf-8"), str(SEED)).body


def post_form(**fields: str) -> dict[str, str]:
    """The admin's essay form, filled in: a draft unless told otherwise."""
    data = {
        "title": "An essay",
        "slug": "an-essay",
        "date": "2024-01-01",
        "status": "draft",
        "external_link": "",
        "body": "Text.",
    }
    return {**data, **fields}


def page_form(**fields: str) -> dict[str, str]:
    """The admin's page form, filled in: a published About page in the navigation."""
    data = {
        "title": "About",
        "slug": "about",
        "status": "published",
        "in_navigation": "on",
        "navigation_order": "0",
        "body": "About *me*.",
    }
    return {**data, **fields}


@pytest.fixture
def make_post(db):
    """Create a post; published and dated today unless told otherwise."""

    def make(**fields) -> Post:
        n = next(_numbers)
        fields.setdefault("slug", f"essay-{n}")
        fields.setdefault("title", f"Essay {n}")
        fields.setdefault("body", f"Body of essay {n}.")
        fields.setdefault("date", timezone.localdate())
        fields.setdefault("status", Post.Status.PUBLISHED)
        return Post.objects.create(**fields)

    return make


@pytest.fixture
def make_page(db):
    """Create a page; published and in the navigation unless told otherwise."""

    def make(**fields) -> Page:
        n = next(_numbers)
        fields.setdefault("slug", f"page-{n}")
        fields.setdefault("title", f"Page {n}")
        fields.setdefault("body", f"Body of page {n}.")
        fields.setdefault("status", Page.Status.PUBLISHED)
        return Page.objects.create(**fields)

    return make


@pytest.fixture
def yesterday() -> dt.date:
    return timezone.localdate() - dt.timedelta(days=1)


@pytest.fixture
def tomorrow() -> dt.date:
    return timezone.localdate() + dt.timedelta(days=1)


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix, tmp_path_factory):
    """On SQLite the test database is a file, not memory: tests that run the real task
    worker in another process (tests/newsletter/) need it to see the same database."""
    from django.conf import settings

    database = settings.DATABASES["default"]
    if database["ENGINE"] == "django.db.backends.sqlite3":
        database.setdefault("TEST", {})["NAME"] = str(tmp_path_factory.mktemp("db") / "test.db")


@pytest.fixture(scope="session", autouse=True)
def _static_files(tmp_path_factory):
    """Collect static files once, as a deployment does: the manifest storage needs them."""
    from django.conf import settings
    from django.core.management import call_command

    settings.STATIC_ROOT = tmp_path_factory.mktemp("static")
    call_command("collectstatic", interactive=False, verbosity=0)


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with no cached pages (the file cache outlives a test's database)."""
    from django.core.cache import caches

    for cache in caches.all():
        cache.clear()


@pytest.fixture(scope="session")
def commonmark_examples() -> list[tuple[int, str, str]]:
    """(number, markdown, html) for each of the CommonMark spec's 655 examples."""
    examples = json.loads(COMMONMARK_SPEC.read_text(encoding="utf-8"))["examples"]
    return [(example["example"], example["markdown"], example["html"]) for example in examples]


@pytest.fixture(scope="session")
def corpus(tmp_path_factory):
    """corpus(n): a folder of n essays in the site's format, from bench/corpus.py."""
    made: dict[int, Path] = {}

    def make(posts: int) -> Path:
        if posts not in made:
            made[posts] = bench_corpus.write(tmp_path_factory.mktemp(f"corpus-{posts}"), posts)
        return made[posts]

    return make


# Accounts for permission tests: a reader with an account, staff without any permission,
# and a writer who is staff with only the permission to change essays (not a superuser).
def _signed_in(client, django_user_model, username: str, *, staff: bool, perms=()):
    from django.contrib.auth.models import Permission

    user = django_user_model.objects.create_user(username, is_staff=staff)
    for codename in perms:
        user.user_permissions.add(Permission.objects.get(codename=codename))
    client.force_login(user)
    return client


@pytest.fixture
def reader_client(client, django_user_model):
    return _signed_in(client, django_user_model, "reader", staff=False)


@pytest.fixture
def staff_client(client, django_user_model):
    return _signed_in(client, django_user_model, "staff", staff=True)


@pytest.fixture
def viewer_client(client, django_user_model):
    """Staff who may look at essays in the admin but not change them."""
    return _signed_in(client, django_user_model, "viewer", staff=True, perms=["view_post"])


@pytest.fixture
def writer_client(client, django_user_model):
    return _signed_in(
        client, django_user_model, "writer", staff=True, perms=["view_post", "change_post"]
    )


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Accounts made by tests (admin_client's too) don't need a slow, strong hash."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


# Real servers beside the tests, each in its own process on 127.0.0.1, stopped after the test:
# the production app server (site_config.serve, as `make serve` runs it) and redis-server.


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def database_url() -> str:
    """The test database as a DATABASE_URL, for the processes a test starts on it."""
    from django.db import connection

    db = connection.settings_dict
    if db["ENGINE"] == "django.db.backends.sqlite3":
        return f"sqlite:///{db['NAME']}"
    return f"postgresql://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


def production_env(**variables: str) -> dict[str, str]:
    """The environment of a production process started by a test: this one's (secret key,
    HTTPS off), the collected static files, no access log, `variables` (DATABASE_URL...)
    over it."""
    from django.conf import settings

    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "REDIS_URL"))}
    return env | {
        "DJANGO_STATIC_ROOT": str(settings.STATIC_ROOT),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "ACCESS_LOG": "0",
        **variables,
    }


class AppServer:
    """A running production server: its address, its process and its log (its output)."""

    def __init__(self, process: subprocess.Popen, log: Path, url: str) -> None:
        self.process = process
        self.log = log
        self.url = url

    def get(self, path: str) -> str:
        with urllib.request.urlopen(self.url + path, timeout=15) as response:
            return response.read().decode()

    def workers(self) -> list[int]:
        """The process ids of its workers now."""
        pid = self.process.pid
        return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]


@pytest.fixture
def app_server(tmp_path) -> Iterator[Callable[[dict[str, str]], AppServer]]:
    """app_server(env): the server as `make serve` runs it (site_config.serve), with this
    environment, on a free port; returned once a worker serves (no request made: the
    database may be locked)."""
    started: list[AppServer] = []

    def start(env: dict[str, str]) -> AppServer:
        port = free_port()
        log = tmp_path / f"server-{len(started)}.log"
        with log.open("w") as output:
            process = subprocess.Popen(
                [sys.executable, "-m", "site_config.serve"],
                cwd=ROOT,
                env=env | {"BIND": f"127.0.0.1:{port}"},
                stdout=output,
                stderr=subprocess.STDOUT,
            )
        server = AppServer(process, log, f"http://127.0.0.1:{port}")
        started.append(server)
        deadline = time.monotonic() + 90  # a loaded machine: a worker may take its time
        while "Started worker" not in log.read_text():
            assert process.poll() is None, log.read_text()
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.1)
        return server

    yield start
    for server in started:
        server.process.terminate()
        server.process.wait(timeout=30)


REDIS_SERVER = Path("/usr/bin/redis-server")  # Debian's package


class RedisServer:
    """Debian's redis-server on a free 127.0.0.1 port, in its own folder, keeping nothing
    on disk: stop() and start() again give an empty Redis at the same address."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        import redis

        self.folder.mkdir(exist_ok=True)
        options = ["--port", str(self.port), "--bind", "127.0.0.1", "--dir", str(self.folder)]
        options += ["--save", "", "--appendonly", "no", "--logfile", "redis.log"]
        self.process = subprocess.Popen([REDIS_SERVER, *options], cwd=self.folder)
        client = redis.Redis(port=self.port, socket_connect_timeout=1, socket_timeout=1)
        deadline = time.monotonic() + 30
        while True:
            try:
                client.ping()
                break
            except redis.ConnectionError:
                assert self.process.poll() is None, (self.folder / "redis.log").read_text()
                assert time.monotonic() < deadline, "redis-server did not answer"
                time.sleep(0.05)
        client.close()

    def stop(self) -> None:
        if self.process is not None:
            self.process.send_signal(signal.SIGCONT)  # if paused
            self.process.terminate()
            self.process.wait(timeout=30)
            self.process = None

    def pause(self) -> None:
        """Hang it: connections are accepted (by the system), never answered."""
        assert self.process is not None
        self.process.send_signal(signal.SIGSTOP)

    def resume(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGCONT)


@pytest.fixture
def redis_server(tmp_path) -> Iterator[RedisServer]:
    """A real Redis for the test (skipped without the binary, unless REQUIRE_REDIS=1)."""
    if not os.access(REDIS_SERVER, os.X_OK):
        reason = f"{REDIS_SERVER} is missing (Debian: apt-get install redis-server)"
        if os.environ.get("REQUIRE_REDIS") == "1":
            pytest.fail(f"{reason}, and REQUIRE_REDIS=1 requires it")
        pytest.skip(reason)
    server = RedisServer(tmp_path / "redis")
    server.start()
    yield server
    server.stop()
