"""Whole public pages are cached, cost no query on a hit, and an edit shows at once."""

import os
import socket

import pytest

from blog.models import Post
from tests.conftest import SEED

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


def test_an_import_shows_on_the_next_request(client):
    from django.core.management import call_command

    assert "Autonomy" not in client.get("/words/").text
    call_command("import_essays", str(SEED), verbosity=0)
    assert "Autonomy" in client.get("/words/").text


def test_a_rerender_shows_on_the_next_request(client, make_post):
    from django.core.management import call_command

    post = make_post(body="*Words*")
    assert "<em>Words</em>" in client.get(post.get_absolute_url()).text
    # A body whose stored HTML is out of date, as after a renderer upgrade (no signal).
    Post.objects.filter(pk=post.pk).update(body="*Rendered again*")
    assert "<em>Words</em>" in client.get(post.get_absolute_url()).text
    call_command("rerender", "--all", verbosity=0)
    assert "<em>Rendered again</em>" in client.get(post.get_absolute_url()).text


def test_urls_with_other_query_strings_are_not_cached(client, make_post, django_assert_num_queries):
    make_post()
    client.get("/words/?utm_source=x")
    with django_assert_num_queries(2):
        client.get("/words/?utm_source=x")  # served fresh, not from the cache
    client.get("/words/?page=1")
    with django_assert_num_queries(0):
        client.get("/words/?page=1")


# Only the canonical spelling of a URL is stored: anyone's query strings, page numbers and
# Host headers are served, but never fill the cache.


@pytest.fixture
def stored():
    """How many pages this worker's page store holds."""
    from site_config.cache import pages

    return lambda: len(pages)


@pytest.fixture
def many_posts(make_post, yesterday):
    return [make_post(date=yesterday) for _ in range(60)]  # two pages of 50


@pytest.mark.parametrize(
    ("query", "location"),
    [
        ("page=1", "/words/"),
        ("page=", "/words/"),
        ("page=01", "/words/"),
        ("page=+1", "/words/"),
        ("page=%201", "/words/"),
        ("page=02", "/words/?page=2"),
        ("page=+2", "/words/?page=2"),
        ("page=2_0", "/words/?page=20"),
        ("page=%D9%A2", "/words/?page=2"),  # an Arabic-Indic two: int() reads it
        ("q=essay&page=1", "/words/?q=essay"),
    ],
)
def test_other_spellings_of_a_page_number_redirect_to_the_canonical_url(client, query, location):
    response = client.get(f"/words/?{query}")
    assert response.status_code == 301
    assert response["Location"] == location


@pytest.mark.parametrize("page", ["1000", "0", "-1", "abc", "%20", "9" * 40])
def test_pages_that_do_not_exist_are_404_and_never_stored(client, many_posts, stored, page):
    before = stored()
    assert client.get(f"/words/?page={page}").status_code == 404
    assert stored() == before


def test_the_second_page_is_cached_under_its_one_spelling(
    client, many_posts, stored, django_assert_num_queries
):
    client.get("/words/?page=2")
    with django_assert_num_queries(0):
        assert "Essay" in client.get("/words/?page=2").text
    before = stored()
    for spelling in ("page=2&page=2", "page=last", "page=2&x=1", "x=1&page=2"):
        assert client.get(f"/words/?{spelling}").status_code == 200
    assert stored() == before


@pytest.mark.parametrize("url", ["/", "/words/essay/", "/atom.xml", "/rss.xml", "/sitemap.xml"])
def test_query_strings_on_pages_without_pages_are_served_but_never_stored(
    client, make_post, stored, url
):
    make_post(slug="essay")
    client.get(url)
    before = stored()
    for n in range(30):
        for query in (f"page={n}", f"utm_source={n}", f"{n}"):
            assert client.get(f"{url}?{query}").status_code == 200
    assert stored() == before


@pytest.mark.parametrize(
    "host", ["testserver:1", "testserver:8080", "TESTSERVER", "TestServer:80", "testserver."]
)
def test_other_spellings_of_the_host_are_served_but_never_stored(client, make_post, stored, host):
    make_post()
    client.get("/words/")
    before = stored()
    response = client.get("/words/", headers={"host": host})
    assert response.status_code == 200
    assert stored() == before


def test_the_scheme_is_part_of_the_key(client, make_post, settings):
    """One request through a TLS proxy must not make the cached links https for everyone."""
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    post = make_post(slug="essay")
    through_proxy = {"x-forwarded-proto": "https", "host": "testserver"}
    secure = client.get("/words/essay/", headers=through_proxy).text
    assert '<link rel="canonical" href="https://testserver/words/essay/">' in secure
    plain = client.get("/words/essay/").text
    assert '<link rel="canonical" href="http://testserver/words/essay/">' in plain
    assert 'property="og:url" content="http://testserver/words/essay/"' in plain
    again = client.get(post.get_absolute_url(), headers=through_proxy).text
    assert again == secure


def test_a_forwarded_proto_is_ignored_when_not_behind_a_proxy(client, make_post):
    make_post(slug="essay")
    client.get("/words/essay/", headers={"x-forwarded-proto": "https"})
    assert "https://" not in client.get("/words/essay/").text


def test_the_page_store_stays_under_its_size_in_bytes(client, make_post, monkeypatch):
    from site_config.cache import pages

    posts = [make_post(body="Words. " * 2000) for _ in range(30)]  # each page about 15 KB
    monkeypatch.setattr(pages, "max_bytes", 100_000)
    pages.clear()
    for post in posts:
        assert client.get(post.get_absolute_url()).status_code == 200
        assert pages.bytes <= 100_000
    assert 3 <= len(pages) < 30  # the most recent kept, the oldest dropped


def test_the_least_recently_used_page_goes_first():
    from django.http import HttpResponse

    from site_config.cache import PageStore

    store = PageStore(max_bytes=10**6)
    store.set("a", HttpResponse(b"x" * 1000), timeout=60)
    store.max_bytes = 3 * store.bytes  # room for three such pages
    for key in "bc":
        store.set(key, HttpResponse(b"x" * 1000), timeout=60)
    assert store.get("a") is not None  # a is now the most recently used
    store.set("d", HttpResponse(b"x" * 1000), timeout=60)
    assert store.get("b") is None
    assert [key for key in "acd" if store.get(key) is not None] == ["a", "c", "d"]
    assert store.bytes <= store.max_bytes
    store.set("huge", HttpResponse(b"x" * 10_000), timeout=60)  # larger than the whole store
    assert store.get("huge") is None
    assert len(store) == 3


def test_a_page_expires_after_its_timeout():
    from django.http import HttpResponse

    from site_config.cache import PageStore

    store = PageStore(max_bytes=10_000)
    store.set("gone", HttpResponse(b"x"), timeout=0)
    store.set("kept", HttpResponse(b"x"), timeout=60)
    assert store.get("gone") is None
    assert store.get("kept").content == b"x"
    assert store.bytes == len(store._pages["kept"][1]) + len("kept")


def test_the_attack_of_the_issue_leaves_memory_flat(client, make_post, stored):
    """300 requests of /atom.xml?page=N once grew two workers by 140 MB."""
    from site_config.cache import pages

    for _ in range(20):
        make_post(body="A long essay. " * 500)
    client.get("/atom.xml")
    before = (stored(), pages.bytes)
    for n in range(300):
        assert client.get(f"/atom.xml?page={n}").status_code == 200
    assert (stored(), pages.bytes) == before


# An unusable shared cache (where the pages' generation lives): pages are served uncached,
# saves still work, /healthz and the admin never touch it.


def unusable_cache(kind: str, tmp_path) -> dict:
    if kind == "unwritable-folder":
        regular_file = tmp_path / "a-file"
        regular_file.write_text("not a folder")
        return {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            # A folder that cannot be made, whoever runs the tests (root ignores chmod).
            "LOCATION": str(regular_file / "cache"),
        }
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": f"redis://127.0.0.1:{port}/0",
        "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
    }


@pytest.fixture(params=["unwritable-folder", "redis-down"])
def outage(request, settings, tmp_path, monkeypatch):
    """The shared cache fails until the test calls the returned end()."""
    from site_config import cache

    working = settings.CACHES
    settings.CACHES = {"default": unusable_cache(request.param, tmp_path)}
    monkeypatch.setattr(cache, "RETRY_SECONDS", 0)  # try it at every request

    def end() -> None:
        settings.CACHES = working

    yield end
    end()
    assert cache.generation.current() is not None  # and the next test finds it working


def cache_warnings(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "site_config.cache"]


def test_pages_and_saves_work_when_the_shared_cache_fails(
    client, admin_client, make_post, outage, caplog
):
    caplog.set_level("WARNING", logger="site_config.cache")
    post = make_post(title="Before", slug="essay")  # the invalidation fails quietly
    for url in ("/", "/words/", "/words/essay/", "/atom.xml", "/sitemap.xml"):
        for _ in range(3):
            assert client.get(url).status_code == 200, url
    warnings = cache_warnings(caplog)
    assert len(warnings) == 1  # one per outage, not one per request
    assert "served uncached" in warnings[0]
    post.title = "After"
    post.save()
    assert "After" in client.get("/words/essay/").text
    form = {"slug": "essay", "date": post.date.isoformat(), "status": "published"}
    form |= {"title": "Saved in the admin", "external_link": "", "body": "Text."}
    assert admin_client.post(f"/admin/blog/post/{post.pk}/change/", form).status_code == 302
    assert "Saved in the admin" in client.get("/words/essay/").text


def test_healthz_and_the_admin_never_touch_the_page_cache(client, admin_client, outage, caplog):
    caplog.set_level("WARNING", logger="site_config.cache")
    assert client.get("/healthz").status_code == 200
    assert client.get("/admin/login/").status_code == 200
    assert admin_client.get("/admin/blog/post/").status_code == 200
    assert cache_warnings(caplog) == []


def test_pages_are_cached_again_once_the_shared_cache_is_back(
    client, make_post, outage, caplog, django_assert_num_queries
):
    make_post(slug="essay")
    client.get("/words/essay/")
    outage()
    client.get("/words/essay/")
    with django_assert_num_queries(0):
        assert client.get("/words/essay/").status_code == 200
    assert "answers again" in cache_warnings(caplog)[-1]


def test_an_invalidation_missed_in_an_outage_is_made_once_the_shared_cache_is_back(
    client, make_post, settings, monkeypatch, tmp_path
):
    """A Redis that comes back with its data holds the generation other servers' pages
    carry: the worker whose save failed to replace it replaces it then."""
    from django.core.cache import cache as shared

    from site_config import cache

    monkeypatch.setattr(cache, "RETRY_SECONDS", 0)
    post = make_post(slug="essay")
    client.get("/words/essay/")
    before = shared.get(cache.GENERATION_KEY)
    working = settings.CACHES
    settings.CACHES = {"default": unusable_cache("redis-down", tmp_path)}
    post.title = "Edited while Redis was down"
    post.save()
    settings.CACHES = working
    assert shared.get(cache.GENERATION_KEY) == before  # kept across the outage
    assert "Edited while Redis was down" in client.get("/words/essay/").text
    assert shared.get(cache.GENERATION_KEY) not in (None, before)


def test_a_generation_kept_from_its_file_is_replaced_at_once(settings, tmp_path):
    """With the file cache, a worker keeps the generation it read while the cache's file for
    it stays the same file (one stat per request); another process's invalidation writes a
    new file, seen on the next read, however old the first one was."""
    from django.core.cache import caches

    from site_config.cache import GENERATION_KEY, Generation

    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(tmp_path / "cache"),
        }
    }
    reader, writer = Generation(on_failure=list), Generation(on_failure=list)

    def age_the_file() -> None:
        file = caches["default"]._key_to_file(GENERATION_KEY)
        stat = os.stat(file)
        os.utime(file, ns=(stat.st_atime_ns, stat.st_mtime_ns - 60 * 10**9))

    first = reader.current()
    age_the_file()
    assert reader.current() == first
    for _ in range(3):
        writer.replace()  # another process saves an essay
        age_the_file()  # old by the next read, or not: the same
        assert reader.current() == writer.current() != first
        first = reader.current()
    caches["default"].delete(GENERATION_KEY)  # culled by the cache: a new generation
    assert reader.current() != first
