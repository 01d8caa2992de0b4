"""Whole public pages cached server-side, invalidated on every change to the essays.

The cache key carries a *generation*, replaced whenever posts change (signals, imports),
and the site's date (so an essay dated today appears at midnight). The generation lives in
the cache shared by all worker processes (file or Redis, see settings); the pages may live
in each process's memory, since a new generation makes every old key unreachable. The
generation is read once at the start of a request and pinned for it: a page rendered from
data older than a concurrent save is stored under the old generation, which no later
request reads.
"""

import hashlib
import re
import uuid
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache, caches
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.cache import patch_response_headers

GENERATION_KEY = "pages:generation"
# Responses that say so are never kept (drafts, previews, the admin, search results).
_UNCACHEABLE = re.compile(r"\b(private|no-store|no-cache)\b")
# The query parameters of the site's own URLs. Any other (?utm_source=, ?x=1, ?x=2...) is
# served uncached: a query string of anyone's choosing must not fill the cache with copies.
CACHED_PARAMETERS = frozenset({"page"})


def invalidate_pages() -> None:
    """Make every cached page stale, in every process."""
    cache.set(GENERATION_KEY, uuid.uuid4().hex, timeout=None)


def invalidate_pages_on_change(using: str | None = None, **_signal_kwargs: object) -> None:
    """Signal receiver for changes to posts: invalidate now, and again on commit.

    A request that starts between the two reads the database before the change is
    committed and caches the old page under the new generation; the second invalidation
    makes that page unreachable too.
    """
    invalidate_pages()
    transaction.on_commit(invalidate_pages, using=using)


def current_prefix() -> str:
    generation = cache.get_or_set(GENERATION_KEY, lambda: uuid.uuid4().hex, timeout=None)
    return f"pages:{generation}:{timezone.localdate().isoformat()}"


class PageCacheMiddleware:
    """Whole public pages from the per-process page cache, under the current generation.

    Leaner than Django's CacheMiddleware, which learns each URL's Vary headers with an extra
    cache read and two hashes per hit: public pages here vary on nothing, and a response
    that varies, sets a cookie or is private is simply not cached.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.timeout = settings.CACHE_MIDDLEWARE_SECONDS

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method != "GET" or not CACHED_PARAMETERS.issuperset(request.GET):
            return self.get_response(request)
        pages = caches[settings.CACHE_MIDDLEWARE_ALIAS]
        # The generation is read before the page is made: see the module's docstring.
        url = f"{request.get_host()}{request.get_full_path()}".encode()
        key = f"{current_prefix()}:{hashlib.sha256(url).hexdigest()}"
        response = pages.get(key)
        if response is None:
            response = self.get_response(request)
            if _cacheable(response):
                patch_response_headers(response, self.timeout)
                pages.set(key, response, self.timeout)
        return response


def _cacheable(response: HttpResponse) -> bool:
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        and not response.has_header("Vary")
        and not _UNCACHEABLE.search(response.get("Cache-Control", ""))
    )
