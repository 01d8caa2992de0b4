"""The site's availability: a health check, and a 503 page when the database is down."""

import sys

from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse, HttpResponseServerError
from django.template import loader
from django.views.decorators.cache import never_cache

from site_config.context_processors import offline_site


@never_cache
def healthz(request: HttpRequest) -> HttpResponse:
    """200 after a database round-trip, 503 when the database does not answer."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        return HttpResponse("database unavailable\n", status=503, content_type="text/plain")
    return HttpResponse("ok\n", content_type="text/plain")


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500: a database outage is a 503 (try again soon), anything else a 500.

    Rendered without the request context: no context processor, no database.
    """
    context = offline_site(request)
    if isinstance(sys.exc_info()[1], DatabaseError):
        response = HttpResponse(loader.render_to_string("503.html", context), status=503)
        response["Retry-After"] = "5"
    else:
        response = HttpResponseServerError(loader.render_to_string("500.html", context))
    response["Cache-Control"] = "no-store"
    return response
