"""WSGI entry point: `application` (runserver, any WSGI server); `make serve` runs it through
site_config.serve, warmed and under a TimeLimit."""

import logging
import os
import threading
import time
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from django.core.wsgi import get_wsgi_application

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "site_config.settings")

application = get_wsgi_application()
logger = logging.getLogger(__name__)


def warm() -> None:
    """Do once, before a worker serves, what Django does lazily on its first request
    (measured: that request took 0.5 s more than the next, on cold imports): compile every
    template, build the URL resolver, import the SQL compiler. No database connection is
    kept: the worker opens its own."""
    from django.conf import settings
    from django.db import connections
    from django.template.loader import get_template
    from django.urls import reverse

    from blog.models import Post

    for folder in map(Path, settings.TEMPLATES[0]["DIRS"]):
        for path in folder.rglob("*.*"):
            get_template(str(path.relative_to(folder)))
    reverse("blog:home")
    str(Post.objects.published().query)
    if os.environ.get("REDIS_URL"):  # the shared cache is Redis (settings)
        # Imported by the shared cache's first use otherwise (0.5 s measured on 2 busy
        # cores); its connections are opened later, in each worker.
        import redis  # noqa: F401
    connections.close_all()


class TimeLimit:
    """A request that runs longer than `seconds` ends its worker process, which the server
    replaces (granian: respawn_failed_workers), whatever the server.

    Python cannot stop a thread, and a request stuck on a locked database or an input no
    check foresaw would hold its thread, then the worker, for good; the process goes with
    its other requests in flight (the log names the request). A watchdog thread checks the
    requests in flight every second; create the TimeLimit in the worker process (threads
    do not survive a fork). Only the application's call is timed: a response that streams
    to a slow client is the server's business.
    """

    def __init__(self, app: "WSGIApplication", seconds: float) -> None:
        self.app = app
        self.seconds = seconds
        self._in_flight: dict[int, tuple[float, WSGIEnvironment]] = {}  # by thread
        threading.Thread(target=self._watch, name="request time limit", daemon=True).start()

    def __call__(
        self, environ: "WSGIEnvironment", start_response: "StartResponse"
    ) -> Iterable[bytes]:
        thread = threading.get_ident()
        self._in_flight[thread] = (time.monotonic(), environ)
        try:
            return self.app(environ, start_response)
        finally:
            del self._in_flight[thread]

    def _watch(self) -> None:
        while True:
            time.sleep(min(1.0, self.seconds / 2))
            now = time.monotonic()
            for started, environ in list(self._in_flight.values()):
                if now - started > self.seconds:
                    logger.critical(
                        "Request over the %g s limit, ending worker %d: %s %s",
                        self.seconds,
                        os.getpid(),
                        environ["REQUEST_METHOD"],
                        environ["PATH_INFO"],
                    )
                    os._exit(1)
