"""Whole public pages cached in each worker's memory, made stale by any change to the essays.

- **What is cached**: the blog's public URLs only (`/healthz`, the admin and media never
  touch the page cache), and only under their canonical spelling: the host as the site is
  reached (no stray port, lower case), and no query string but `?page=N` on a list that has
  that page (the views redirect `?page=1`, `01`, `+2`...). Any other spelling (`?x=1`,
  `/atom.xml?page=3`, `Host: site:1234`) is served fresh, never stored: a query string or a
  Host header of anyone's choosing must not fill the cache with copies. The key carries the
  scheme, since pages hold absolute links (canonical, og:url).
- **How much**: at most settings.PAGE_CACHE_MAX_BYTES per worker, the least recently used
  page dropped first.
- **How long**: settings.CACHE_MIDDLEWARE_SECONDS, also sent as `max-age` (one setting).
- **Invalidation**: the key carries a *generation*, replaced whenever posts change (signals,
  imports), and the site's date (an essay dated today appears at midnight). The generation
  lives in the cache shared by all worker processes (file or Redis, see settings). It is read
  once at the start of a request and pinned for it: a page rendered from data older than a
  concurrent save is stored under the old generation, which no later request reads.
- **Faults**: while the shared cache fails (folder not writable, Redis down or hung), pages
  are served uncached, with one warning per outage; it is left alone for RETRY_SECONDS, then
  tried again, so a dead Redis holds a request at most once per RETRY_SECONDS, for its
  socket timeout (1 s, settings). A failed invalidation never fails the save: the process
  replaces the generation when the shared cache answers again (a Redis kept across the
  outage would bring back the old one); until then other servers' pages are at most
  CACHE_MIDDLEWARE_SECONDS stale, as a CDN may keep them anyway.
"""

import functools
import logging
import os
import pickle
import re
import threading
import time
import uuid
from collections import OrderedDict
from collections.abc import Callable
from typing import Protocol, cast

from django.conf import settings
from django.core.cache import cache, caches
from django.core.cache.backends.filebased import FileBasedCache
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.http.request import split_domain_port
from django.urls import Resolver404, resolve
from django.utils import timezone
from django.utils.cache import patch_response_headers, set_response_etag

logger = logging.getLogger(__name__)

GENERATION_KEY = "pages:generation"
# The URL namespace of the public pages (blog/urls.py).
PUBLIC_APP = "blog"
# Responses that say so are never kept (drafts, previews, search results).
_UNCACHEABLE = re.compile(r"\b(private|no-store|no-cache)\b")
# After the shared cache failed, it is left alone this long: no connection attempt and no
# log line per request while it is down.
RETRY_SECONDS = 10.0


class Generation:
    """The pages' generation, kept in the shared cache; None while that cache fails."""

    def __init__(self, on_failure: Callable[[], None]) -> None:
        self._on_failure = on_failure
        self._retry_at = 0.0
        self._failing = False
        self._missed = False  # an invalidation failed: replace the generation once back
        # The generation file's (inode, mtime) and the value read from it.
        self._file_seen: tuple[tuple[int, int], str | None] | None = None

    def current(self) -> str | None:
        if time.monotonic() < self._retry_at:
            return None
        try:
            if self._missed:
                generation: str | None = _new()
                cache.set(GENERATION_KEY, generation, timeout=None)
                self._missed = False
            else:
                generation = self._read()
        except Exception as error:  # each backend has its own (OSError, redis's errors...)
            self._failed(error)
            return None
        if self._failing:
            self._failing = False
            logger.warning("The shared cache answers again: pages are cached again.")
        return generation

    def _read(self) -> str | None:
        """The shared cache's generation. With the file cache, the value read last while its
        file is the same one (a stat, 10 us here, instead of the cache's open, read and two
        unpicklings, 100 us: a third of a cached page's cost): a new value is a new file
        (written aside, then renamed), and a file a second old has its final mtime."""
        backend = caches["default"]
        if not isinstance(backend, FileBasedCache):
            return cache.get_or_set(GENERATION_KEY, _new, timeout=None)
        try:
            stat = os.stat(cast(_Files, backend)._key_to_file(GENERATION_KEY))
            file = (stat.st_ino, stat.st_mtime_ns)
        except OSError:
            file = None
        if (
            file is not None
            and self._file_seen is not None
            and self._file_seen[0] == file
            and time.time() - stat.st_mtime > 1
        ):
            return self._file_seen[1]
        generation = cache.get_or_set(GENERATION_KEY, _new, timeout=None)
        # Seen before the read: if the file changed in between, the next stat differs.
        self._file_seen = (file, generation) if file is not None else None
        return generation

    def replace(self) -> None:
        """Make every cached page stale, in every process; while the shared cache fails,
        as soon as it answers again (a save must not wait for a dead Redis each time)."""
        self._missed = True
        if time.monotonic() < self._retry_at:
            return
        try:
            cache.set(GENERATION_KEY, _new(), timeout=None)
            self._missed = False
        except Exception as error:
            self._failed(error)

    def _failed(self, error: Exception) -> None:
        self._retry_at = time.monotonic() + RETRY_SECONDS
        # Pages kept before the outage may have missed an invalidation: never serve them.
        self._on_failure()
        if not self._failing:
            self._failing = True
            logger.warning(
                "The shared cache fails (%s: %s): pages are served uncached, and may stay "
                "stale in other workers for up to %s s; it is tried again every %s s.",
                type(error).__name__,
                error,
                settings.CACHE_MIDDLEWARE_SECONDS,
                RETRY_SECONDS,
            )


class _Files(Protocol):
    """FileBasedCache's own method for the file of a key (not in django-stubs)."""

    def _key_to_file(self, key: str) -> str: ...


def _new() -> str:
    return uuid.uuid4().hex


class PageStore:
    """Pickled responses by key, for a timeout; least recently used dropped first once
    their bytes pass `max_bytes`. Thread-safe (a worker runs threads)."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self.bytes = 0
        self._pages: OrderedDict[str, tuple[float, bytes]] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._pages)

    def get(self, key: str) -> HttpResponse | None:
        with self._lock:
            entry = self._pages.get(key)
            if entry is None:
                return None
            expires, data = entry
            if expires <= time.monotonic():
                self._drop(key)
                return None
            self._pages.move_to_end(key)
        return pickle.loads(data)  # noqa: S301 (pickled by this process, never from outside)

    def set(self, key: str, response: HttpResponse, timeout: float) -> None:
        data = pickle.dumps(response, pickle.HIGHEST_PROTOCOL)
        if len(key) + len(data) > self.max_bytes:
            return
        with self._lock:
            self._drop(key)
            self._pages[key] = (time.monotonic() + timeout, data)
            self.bytes += len(key) + len(data)
            while self.bytes > self.max_bytes:
                self._drop(next(iter(self._pages)))

    def clear(self) -> None:
        with self._lock:
            self._pages.clear()
            self.bytes = 0

    def _drop(self, key: str) -> None:
        if (entry := self._pages.pop(key, None)) is not None:
            self.bytes -= len(key) + len(entry[1])


pages = PageStore(settings.PAGE_CACHE_MAX_BYTES)
generation = Generation(on_failure=pages.clear)


class PerGeneration[T]:
    """A value loaded once per page generation in this process (what every page shows of
    the site): no query while the pages are current, one load after any change. Uncached
    while the shared cache fails, as pages are."""

    def __init__(self, load: Callable[[], T]) -> None:
        self._load = load
        self._held: tuple[str, T] | None = None

    def get(self) -> T:
        current, held = generation.current(), self._held
        if current is not None and held is not None and held[0] == current:
            return held[1]
        value = self._load()
        if current is not None:
            self._held = (current, value)  # one assignment: safe between threads
        return value

    def last(self) -> T | None:
        """The value last loaded, whatever the generation now (no I/O at all)."""
        held = self._held
        return held[1] if held is not None else None


def invalidate_pages() -> None:
    """Make every cached page stale, in every process (never raises)."""
    generation.replace()


def invalidate_pages_on_change(using: str | None = None, **_signal_kwargs: object) -> None:
    """Signal receiver for changes to posts: invalidate now, and again on commit.

    A request that starts between the two reads the database before the change is
    committed and caches the old page under the new generation; the second invalidation
    makes that page unreachable too.
    """
    invalidate_pages()
    transaction.on_commit(invalidate_pages, using=using)


class PageCacheMiddleware:
    """Whole public pages from the worker's page store, under the current generation.

    Leaner than Django's CacheMiddleware, which learns each URL's Vary headers with an extra
    cache read and two hashes per hit: public pages here vary on nothing, and a response
    that varies, sets a cookie or is private is simply not cached.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.timeout = settings.CACHE_MIDDLEWARE_SECONDS

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method not in ("GET", "HEAD") or not _public(request.path_info):
            return self.get_response(request)
        # The generation is read before the page is made: see the module's docstring.
        prefix = generation.current()
        if prefix is None:
            return self._fresh(request)
        key = f"{prefix}:{timezone.localdate()}:{request.scheme}://{request.get_host()}"
        key += request.get_full_path()
        response = pages.get(key)
        if response is None:
            response = self._fresh(request)
            if request.method == "GET" and _cacheable(response) and _canonical(request, response):
                # Django's own ETag, computed once and kept with the page: left to
                # ConditionalGetMiddleware, it is an MD5 of the whole page on every hit
                # (0.3 ms for 40 KB measured here, more than the rest of a hit).
                set_response_etag(response)
                pages.set(key, response, self.timeout)
        return response

    def _fresh(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if _cacheable(response):
            # Readers and CDNs keep a page as long as this cache does; then they ask again
            # (and get 304).
            patch_response_headers(response, self.timeout)
        return response


# Remembered per path: resolving costs more than the rest of a cached page's lookup (64 us
# of about 300 measured). Bounded, as anyone may invent paths.
@functools.lru_cache(maxsize=256)
def _public(path: str) -> bool:
    try:
        return resolve(path).app_name == PUBLIC_APP
    except Resolver404:
        return False


def _cacheable(response: HttpResponse) -> bool:
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        and not response.has_header("Vary")
        and not _UNCACHEABLE.search(response.get("Cache-Control", ""))
    )


def _canonical(request: HttpRequest, response: HttpResponse) -> bool:
    """Whether the request spells the page's URL the one way the site links to it."""
    host = request.get_host()
    domain, _port = split_domain_port(host)
    if host not in (domain, f"{domain}:{request.META.get('SERVER_PORT')}"):
        return False  # another case, a trailing dot, or a port the server is not on
    query = request.META.get("QUERY_STRING", "")
    if not query:
        return True
    # A page of a paginated list (ListView's page_obj), spelled as the views redirect to.
    page = (getattr(response, "context_data", None) or {}).get("page_obj")
    return page is not None and page.number > 1 and query == f"page={page.number}"
