"""Whole public pages are cached, cost no query on a hit, and an edit shows at once."""

import os
import socket
import subprocess
import sys
import time
import urllib.request

import pytest
from django.conf import settings

from blog.models import Post
from tests.conftest import ROOT, SEED

pytestmark = pytest.mark.django_db


def test_a_cached_page_costs_no_query(client, make_post, django_assert_num_queries):
    make_post(title="Cached essay")
    first = client.get("/words/")
    with django_assert_num_queries(0):
        second = client.get("/words/")
    assert second.content == first.content
    assert "Cached essay" in second.text


def test_saving_a_post_shows_on_the_next_request(client, make_post):
    post = make_post(title="Before")
    client.get(post.get_absolute_url())
    client.get("/words/")
    post.title = "After"
    post.save()
    assert "After" in client.get(post.get_absolute_url()).text
    assert "After" in client.get("/words/").text


def test_deleting_a_post_shows_on_the_next_request(client, make_post):
    post = make_post(title="Soon gone")
    assert "Soon gone" in client.get("/words/").text
    post.delete()
    assert "Soon gone" not in client.get("/words/").text
    assert client.get(post.get_absolute_url()).status_code == 404


def test_unpublishing_hides_the_cached_essay(client, make_post):
    post = make_post()
    assert client.get(post.get_absolute_url()).status_code == 200
    post.status = Post.Status.DRAFT
    post.save()
    assert client.get(post.get_absolute_url()).status_code == 404


def test_admin_pages_are_never_cached(admin_client, make_post):
    admin_client.get("/admin/blog/post/")
    make_post(title="Fresh")
    assert "Fresh" in admin_client.get("/admin/blog/post/").text


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(url: str) -> str:
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.read().decode()


@pytest.mark.slow
def test_an_edit_is_visible_at_once_in_every_worker_process(tmp_path):
    """Two servers (two processes) share the database and the page cache; a third edits."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("DATABASE_URL")}
    env |= {
        "DATABASE_URL": f"sqlite:///{tmp_path / 'site.db'}",
        "DJANGO_CACHE_DIR": str(tmp_path / "cache"),
        "DJANGO_STATIC_ROOT": str(settings.STATIC_ROOT),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "GUNICORN_ACCESS_LOG": "",
    }

    def manage(*args: str) -> None:
        subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=env,
            check=True,
            timeout=60,
            capture_output=True,
        )

    manage("migrate", "--noinput")
    manage("loaddata", str(SEED))
    ports = [free_port(), free_port()]
    servers = [
        subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}", "--workers", "1"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for port in ports
    ]
    try:
        urls = [f"http://127.0.0.1:{port}/words/autonomy/" for port in ports]
        deadline = time.monotonic() + 30
        while True:
            try:
                pages = [get(url) for url in urls]
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        assert all("<h1>Autonomy</h1>" in page for page in pages + [get(u) for u in urls])
        manage(
            "shell",
            "-c",
            "from blog.models import Post; p = Post.objects.get(slug='autonomy');"
            "p.title = 'Autonomy, revised'; p.save()",
        )
        assert all("<h1>Autonomy, revised</h1>" in get(url) for url in urls)
    finally:
        for server in servers:
            server.terminate()
            server.wait(timeout=20)


def test_an_import_shows_on_the_next_request(client):
    from django.core.management import call_command

    assert "Autonomy" not in client.get("/words/").text
    call_command("import_essays", str(SEED), verbosity=0)
    assert "Autonomy" in client.get("/words/").text


def test_urls_with_other_query_strings_are_not_cached(client, make_post, django_assert_num_queries):
    make_post()
    client.get("/words/?utm_source=x")
    with django_assert_num_queries(2):
        client.get("/words/?utm_source=x")  # served fresh, not from the cache
    client.get("/words/?page=1")
    with django_assert_num_queries(0):
        client.get("/words/?page=1")
