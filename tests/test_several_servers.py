"""Several app servers behind a load balancer, on one database and one shared cache (the
pages' generation: files on one machine, Redis across machines). Each server keeps its own
page cache; an edit made anywhere shows on the very next request to any of them, and a Redis
that stops, restarts or hangs never takes a page down nor holds a request long."""

import re
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from html.parser import HTMLParser

import pytest
from django.core.management import call_command
from django.test import Client

from blog.models import Autosave, Post
from tests.conftest import ROOT, SEED, AppServer, database_url, production_env

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

PAGE = "/words/autonomy/"
# The servers' own back-off after a failure of the shared cache (site_config.cache), and a
# margin for a loaded machine.
RECOVERY_SECONDS = 10 + 20


@pytest.fixture
def shared(request, settings, tmp_path, monkeypatch):
    """The shared cache of the servers, of this process (its saves invalidate there) and of
    the management commands: {"DJANGO_CACHE_DIR": folder} or {"REDIS_URL": url}."""
    from site_config import cache

    if request.param == "redis":
        redis = request.getfixturevalue("redis_server")
        variables = {"REDIS_URL": redis.url}
        backend = {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": redis.url,
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    else:
        variables = {"DJANGO_CACHE_DIR": str(tmp_path / "shared-cache")}
        backend = {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": variables["DJANGO_CACHE_DIR"],
        }
    working = settings.CACHES
    settings.CACHES = {"default": backend}
    # This process's saves during an outage must not leave it without a page cache for the
    # tests after this one.
    monkeypatch.setattr(cache, "RETRY_SECONDS", 0)
    yield variables
    settings.CACHES = working
    assert cache.generation.current() is not None


@pytest.fixture
def site_env(shared, tmp_path):
    """The environment of every process of the site: the test database, the shared cache."""
    call_command("import_essays", str(SEED), verbosity=0)
    return production_env(DATABASE_URL=database_url(), WEB_CONCURRENCY="1", **shared)


@pytest.fixture
def servers(site_env, app_server, tmp_path) -> list[AppServer]:
    """Two servers, each with its own worker, page cache and cache folder."""
    return [
        app_server(site_env | {"DJANGO_CACHE_DIR": str(tmp_path / f"own-{n}")})
        if "REDIS_URL" in site_env
        else app_server(site_env)
        for n in range(2)
    ]


def title(server: AppServer) -> str:
    return re.search(r"<h1>(.*?)</h1>", server.get(PAGE))[1]


def titles(servers: list[AppServer]) -> list[str]:
    return [title(server) for server in servers]


_unseen = iter(range(10**6))


def serves_from_its_cache(server: AppServer) -> bool:
    """Whether the server's next request for the page comes from its page cache: the title
    is changed in the database without a signal (no invalidation), so a fresh page shows
    it and a cached one doesn't."""
    server.get(PAGE)  # stored, if caching works
    unseen = f"Unseen {next(_unseen)}"
    Post.objects.filter(slug="autonomy").update(title=unseen)
    return title(server) != unseen


def wait_until(condition, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.2)


class _Form(HTMLParser):
    """The fields a browser submits from the admin's essay form."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.fields: dict[str, str] = {}
        self._in_form = False
        self._textarea: str | None = None
        self._select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {name: value or "" for name, value in attrs}
        if tag == "form":
            self._in_form = a.get("id") == "post_form"
        if not self._in_form:
            return
        if tag == "option" and self._select:
            if "selected" in a or self._select not in self.fields:  # the first by default
                self.fields[self._select] = a.get("value", "")
        elif "name" not in a:
            return
        elif tag == "input" and a.get("type") not in ("submit", "button", "file"):
            if a.get("type") not in ("checkbox", "radio") or "checked" in a:
                self.fields[a["name"]] = a.get("value", "")
        elif tag == "textarea":
            self._textarea = a["name"]
            self.fields[a["name"]] = ""
        elif tag == "select":
            self._select = a["name"]

    def handle_data(self, data: str) -> None:
        if self._textarea:
            self.fields[self._textarea] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._in_form = False
        elif tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._select = None


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def save_in_admin(server: AppServer, writer: Client, **changes: str) -> float:
    """Open the essay's form in the server's admin and save it with these changes, as the
    writer's browser does; the seconds the save took."""
    post = Post.objects.get(slug="autonomy")
    url = f"{server.url}/admin/blog/post/{post.pk}/change/"
    cookie = f"sessionid={writer.cookies['sessionid'].value}"
    with urllib.request.urlopen(urllib.request.Request(url, headers={"Cookie": cookie})) as page:
        html = page.read().decode()
        csrf = re.search(r"csrftoken=([^;]+)", str(page.headers.get_all("Set-Cookie")))[1]
    form = _Form()
    form.feed(html)
    data = urllib.parse.urlencode(form.fields | changes).encode()
    headers = {"Cookie": f"{cookie}; csrftoken={csrf}", "Referer": url}
    started = time.monotonic()
    with pytest.raises(urllib.error.HTTPError) as redirect:
        urllib.request.build_opener(_NoRedirect).open(urllib.request.Request(url, data, headers))
    assert redirect.value.code == 302, redirect.value.read().decode()[:2000]
    return time.monotonic() - started


@pytest.fixture
def writer(django_user_model) -> Client:
    """The writer, signed in: the session is in the database, so every server knows it."""
    client = Client()
    client.force_login(django_user_model.objects.create_superuser("writer", "w@example.com"))
    return client


def manage(env: dict[str, str], *args: str) -> None:
    """A management command in its own process, on the site's database and shared cache."""
    command = [sys.executable, "manage.py", *args]
    subprocess.run(command, cwd=ROOT, env=env, check=True, timeout=120, capture_output=True)


@pytest.mark.parametrize("shared", ["file", "redis"], indirect=True)
def test_an_edit_anywhere_shows_on_the_next_request_to_every_server(
    shared, servers, site_env, writer, tmp_path
):
    assert all(serves_from_its_cache(server) for server in servers)

    post = Post.objects.get(slug="autonomy")
    post.title = "Saved by a script"  # another process: this one
    post.save()
    assert titles(servers) == ["Saved by a script"] * 2

    save_in_admin(servers[0], writer, title="Saved in the admin")
    assert titles(servers[::-1]) == ["Saved in the admin"] * 2

    essay = tmp_path / "essays" / SEED.name
    essay.parent.mkdir()
    essay.write_text(SEED.read_text().replace('title: "Autonomy"', 'title: "Imported"'))
    manage(site_env, "import_essays", str(essay))
    assert titles(servers) == ["Imported"] * 2

    Post.objects.filter(slug="autonomy").update(title="Re-rendered", body_html="")
    manage(site_env, "rerender", "--all")
    assert titles(servers) == ["Re-rendered"] * 2


@pytest.mark.parametrize("shared", ["redis"], indirect=True)
def test_redis_stopped_and_started_again(shared, servers, redis_server, writer):
    assert all(serves_from_its_cache(server) for server in servers)
    redis_server.stop()

    # Served uncached, so always the database's latest, each answer without a wait.
    for server in servers:
        for n in range(3):
            Post.objects.filter(slug="autonomy").update(title=f"Down {n}")
            started = time.monotonic()
            assert title(server) == f"Down {n}"
            assert time.monotonic() - started < 2
    # Saves work: in another process, and through the admin.
    post = Post.objects.get(slug="autonomy")
    post.title = "Saved while Redis was down"
    post.save()
    assert titles(servers) == ["Saved while Redis was down"] * 2
    assert save_in_admin(servers[1], writer, title="Saved in the admin") < 2
    assert titles(servers) == ["Saved in the admin"] * 2

    redis_server.start()  # empty
    wait_until(lambda: all(serves_from_its_cache(server) for server in servers), RECOVERY_SECONDS)
    post = Post.objects.get(slug="autonomy")
    post.title = "After the outage"
    post.save()
    assert titles(servers) == ["After the outage"] * 2
    for server in servers:
        log = server.log.read_text()
        assert log.count("The shared cache fails") == 1, log  # one line per outage
        assert "The shared cache answers again" in log


@pytest.mark.parametrize("shared", ["redis"], indirect=True)
def test_a_hung_redis_holds_a_request_about_a_second_and_no_edit_is_lost(
    shared, servers, redis_server, writer
):
    """A Redis that accepts connections and never answers (here: paused), then comes back
    with its data: the generation from before, which the servers' cached pages carry."""
    first, second = servers
    assert all(serves_from_its_cache(server) for server in servers)
    redis_server.pause()

    # The first request waits for the socket timeout (1 s), the next ones not at all.
    times = []
    for n in range(4):
        Post.objects.filter(slug="autonomy").update(title=f"Hung {n}")
        started = time.monotonic()
        assert title(first) == f"Hung {n}"
        times.append(time.monotonic() - started)
    assert times[0] < 2.5, times
    assert sum(times[1:]) < 1.5, times
    # A save through the first server (the second has no request meanwhile and keeps its
    # page, cached under the generation that Redis still holds).
    assert save_in_admin(first, writer, title="Saved while Redis hung") < 2.5
    assert title(first) == "Saved while Redis hung"

    redis_server.resume()
    # The first server replaces the generation once Redis answers it again: the second's
    # page, stale, is never served again.
    wait_until(
        lambda: first.get(PAGE) and title(second) == "Saved while Redis hung", RECOVERY_SECONDS
    )
    wait_until(lambda: all(serves_from_its_cache(server) for server in servers), RECOVERY_SECONDS)


def autosave(server: AppServer, writer: Client, body: str) -> float:
    """Autosave the essay's form through the server, as the editor's script does; the
    seconds it took."""
    post = Post.objects.get(slug="autonomy")
    url = f"{server.url}/admin/blog/post/{post.pk}/autosave/"
    csrf = "a" * 32  # the double-submit cookie: any token the cookie and the header share
    cookie = f"sessionid={writer.cookies['sessionid'].value}; csrftoken={csrf}"
    headers = {"Cookie": cookie, "X-CSRFToken": csrf, "Referer": server.url + "/admin/"}
    data = urllib.parse.urlencode({"title": "Autonomy", "body": body}).encode()
    started = time.monotonic()
    with urllib.request.urlopen(urllib.request.Request(url, data, headers)) as response:
        assert response.status == 200
    return time.monotonic() - started


@pytest.mark.parametrize("shared", ["redis"], indirect=True)
def test_a_hung_redis_holds_one_autosave_not_every_one(
    shared, site_env, app_server, redis_server, writer
):
    """The rate limit's count is in Redis: while it hangs, the limit is left out, and only
    one request per worker waits for the socket timeout."""
    server = app_server(site_env)
    assert autosave(server, writer, "Before") < 1
    redis_server.pause()
    try:
        times = [autosave(server, writer, f"While Redis hung {n}") for n in range(4)]
    finally:
        redis_server.resume()
    assert times[0] < 2.5, times
    assert sum(times[1:]) < 1.5, times
    # Every one was kept.
    assert Autosave.objects.get().fields["body"] == "While Redis hung 3"
    assert server.log.read_text().count("Rate limits not applied") == 1
