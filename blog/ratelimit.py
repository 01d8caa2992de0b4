"""Per-client request counts in the shared cache, so every worker process counts the same.

A fixed window: at most `limit` requests per `seconds`, counted under a key that names the
window. With Redis the count is atomic; the file cache may lose a count under concurrent
requests (it never adds one), which is enough to stop a flood. When the cache is unusable
the limit is not applied (logged): the writer's work and a reader's note come first.
"""

import logging
import time

from django.core.cache import cache

log = logging.getLogger(__name__)


def allow(scope: str, client: str, limit: int, seconds: int) -> bool:
    """Count one request of `client` in `scope`; False once it is over the limit."""
    key = f"rate:{scope}:{client}:{int(time.time() // seconds)}"
    try:
        cache.add(key, 0, timeout=seconds)
        try:
            return cache.incr(key) <= limit
        except ValueError:  # the window ended between add and incr: a new one starts
            cache.set(key, 1, timeout=seconds)
            return True
    except Exception:
        log.warning("Rate limit %s not applied: the shared cache is unusable.", scope)
        return True
