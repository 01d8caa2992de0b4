"""Validators for public pages and feeds, so a revisit with a matching one gets 304.

Django's ConditionalGetMiddleware compares them with the request and answers 304; it sits
outside the page cache, so cached pages answer 304 too. The ETag is a hash of the bytes
sent, so it changes whenever anything on the page does (a neighbour's title, the design).
Last-Modified comes from the data, for clients that only send If-Modified-Since; it cannot
see a deletion or a new design, which the ETag does (browsers and most feed readers send
both, and the ETag then decides).
"""

import datetime as dt
import hashlib

from django.conf import settings
from django.db.models import Max, QuerySet
from django.http import HttpResponse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.http import http_date


def visible_since(date: dt.date) -> dt.datetime:
    """When an essay dated `date` appears: midnight of that day in the site's time zone."""
    return timezone.make_aware(dt.datetime.combine(date, dt.time.min))


def changed(post) -> dt.datetime:
    """When a post last changed as readers see it: edited, or became visible on its date."""
    return max(post.updated, visible_since(post.date))


def last_modified(posts: QuerySet) -> dt.datetime | None:
    """The last time the set of `posts` changed as readers see it: the newest edit, or the
    moment the newest-dated essay became visible (its `updated` may be older than that)."""
    newest = posts.aggregate(updated=Max("updated"), date=Max("date"))
    if newest["updated"] is None:
        return None
    return max(newest["updated"], visible_since(newest["date"]))


def conditional(response: HttpResponse, modified: dt.datetime | None) -> HttpResponse:
    """Add validators and cache headers to a public response (computed once, then cached)."""
    if response.status_code != 200:
        return response
    response.headers["ETag"] = f'"{hashlib.sha256(response.content).hexdigest()[:32]}"'
    if modified is not None:
        response.headers["Last-Modified"] = http_date(modified.timestamp())
    # Readers and CDNs keep a page as long as the server's own page cache does; after
    # that they ask again (and get 304).
    patch_cache_control(response, public=True, max_age=settings.CACHE_MIDDLEWARE_SECONDS)
    return response
