"""Whole public pages cached server-side, invalidated on every change to the essays.

The cache key carries a *generation*, replaced whenever posts change (signals, imports),
and the site's date (so an essay dated today appears at midnight). The generation lives in
the cache shared by all worker processes (file or Redis, see settings); the pages may live
in each process's memory, since a new generation makes every old key unreachable. The
generation is read once at the start of a request and pinned for it: a page rendered from
data older than a concurrent save is stored under the old generation, which no later
request reads.
"""

import uuid
from contextvars import ContextVar

from django.core.cache import cache
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.middleware.cache import CacheMiddleware
from django.utils import timezone

GENERATION_KEY = "pages:generation"
# The query parameters of the site's own URLs. Any other (?utm_source=, ?x=1, ?x=2...) is
# served uncached: a query string of anyone's choosing must not fill the cache with copies.
CACHED_PARAMETERS = frozenset({"page"})
_request_prefix: ContextVar[str] = ContextVar("page_cache_prefix", default="")


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


class PageCacheMiddleware(CacheMiddleware):
    """Django's cache middleware with a key prefix pinned per request (thread-safe)."""

    @property
    def key_prefix(self) -> str:
        return _request_prefix.get()

    @key_prefix.setter
    def key_prefix(self, value: str) -> None:
        pass  # the prefix is per request, not per instance

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not CACHED_PARAMETERS.issuperset(request.GET):
            return self.get_response(request)
        token = _request_prefix.set(current_prefix())
        try:
            return super().__call__(request)
        finally:
            _request_prefix.reset(token)
