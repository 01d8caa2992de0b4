"""Per-client request counts in the shared cache, so every worker process counts the same.

A fixed window: at most `limit` requests per `seconds`, counted under a key that names the
window. With Redis the count is atomic; the file cache may lose a count under concurrent
requests (it never adds one), which is enough to stop a flood. When the cache is unusable
the limit is not applied: the writer's work and a reader's note come first. After a
failure the cache is left alone for the page cache's RETRY_SECONDS (one place for that
interval), so a hung Redis holds one request of a worker per RETRY_SECONDS for its socket
timeout, not every autosave, and the warning is logged as often, not per request.
"""

import logging
import time

from django.core.cache import cache

from site_config import cache as page_cache

log = logging.getLogger(__name__)

# While the shared cache is left alone: the time.monotonic() when it is tried again.
_retry_at = 0.0


def allow(scope: str, client: str, limit: int, seconds: int) -> bool:
    """Count one request of `client` in `scope`; False once it is over the limit."""
    global _retry_at
    if time.monotonic() < _retry_at:
        return True
    key = f"rate:{scope}:{client}:{int(time.time() // seconds)}"
    try:
        cache.add(key, 0, timeout=seconds)
        try:
            return cache.incr(key) <= limit
        except ValueError:  # the window ended between add and incr: a new one starts
            cache.set(key, 1, timeout=seconds)
            return True
    except Exception:
        _retry_at = time.monotonic() + page_cache.RETRY_SECONDS
        log.warning(
            "Rate limits not applied for %s s: the shared cache is unusable (%s).",
            page_cache.RETRY_SECONDS,
            scope,
        )
        return True
