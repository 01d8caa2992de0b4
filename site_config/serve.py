"""The production server, as `make serve` runs it: granian (WSGI), set up from the environment.

    python -m site_config.serve

- BIND (127.0.0.1:8000): the address, `host:port` or `[IPv6]:port`.
- WEB_CONCURRENCY (the number of cores): worker processes, forked from this one once it has
  loaded and warmed the site (site_config.wsgi.warm), and never recycled: each keeps its page
  cache, bounded in bytes (bench/load.py --soak: memory flat once it is full).
- REQUEST_TIMEOUT (30): the longest a request may run, in seconds; past it, its worker ends
  and granian starts another (site_config.wsgi.TimeLimit).
- ACCESS_LOG (1): a line per request on standard output, naming the worker (its process
  id) that answered; 0 turns it off.

SIGHUP replaces the workers one by one: a new one starts, then the old one stops taking
connections, ends its requests and exits. New code needs a restart of the server (the
workers are forks of the site loaded here). SIGTERM stops the server the same way.

Why granian: measured on 2 cores in one run, it served the cached essay and the list about
twice the requests of gunicorn (sync or gthread), for about 8 MiB more per worker (README).
"""

import ctypes
import os
import sys
from collections.abc import Iterable
from typing import TYPE_CHECKING, cast

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

# Threads per worker: one request waiting on the database doesn't hold the other requests of
# its worker. More than 2 only added memory (granian's default, 256, grew workers to 120 MB).
THREADS = 2
M_ARENA_MAX = -8  # glibc's malloc.h
# granian's own allocator (jemalloc, read once when granian loads; the environment's wins):
# one arena, no thread caches. Measured (wrk, one essay, alternating runs): a worker's RSS
# 1.5 MiB lower at the same requests/s; handing freed pages back at once as well
# (dirty_decay_ms:0) saved 0.4 MiB more but cost 10% of the requests/s.
JEMALLOC_CONF = "narenas:1,tcache:false"


def worker_application() -> object:
    """What each worker serves (granian calls it in the worker, before serving)."""
    from site_config.wsgi import TimeLimit, application

    return TimeLimit(without_process_environment(application), _timeout())


def without_process_environment(app: "WSGIApplication") -> "WSGIApplication":
    """granian copies the process's environment into every request's environ (with
    DATABASE_URL, the secret key...), where an error report would show it as the request's:
    each request keeps only its own."""
    inherited = dict(os.environ)

    def each_request(
        environ: "WSGIEnvironment", start_response: "StartResponse"
    ) -> Iterable[bytes]:
        for key, value in inherited.items():
            if environ.get(key) == value:
                del environ[key]
        return app(environ, start_response)

    return each_request


def _compact_memory() -> None:
    """Before the fork: hand the memory that loading freed back to the system, and keep the
    workers' threads on the one malloc arena (glibc gives each thread its own, mostly
    empty), where they reuse the holes loading left. Measured: a worker's peak RSS under
    load 67 MiB with an arena per thread, 64-65 with two, 1-1.5 MiB less again with one."""
    libc = ctypes.CDLL(None)
    if hasattr(libc, "mallopt"):  # glibc
        libc.mallopt(M_ARENA_MAX, 1)
        libc.malloc_trim(0)


def _logging() -> dict:
    """granian's logging, with each access line naming the worker that answered."""
    from granian.log import LOGGING_CONFIG

    formatters = cast(dict[str, dict[str, str]], LOGGING_CONFIG["formatters"])
    access = formatters["access"] | {"fmt": "[worker %(process)d] %(message)s"}
    return {"formatters": formatters | {"access": access}}


def _timeout() -> float:
    return float(os.environ.get("REQUEST_TIMEOUT", "30"))


def main() -> None:
    if sys.flags.optimize < 2:
        # Without docstrings (-OO): each worker held them all, 2 MiB, and nothing served
        # reads them (Django's admindocs would). Asserts go too: the site's own only tell
        # the type checker what it can't infer. The same process (same pid), started again.
        os.execv(sys.executable, [sys.executable, "-OO", *sys.orig_argv[1:]])  # noqa: S606
    bind = os.environ.get("BIND", "127.0.0.1:8000")
    host, _, port = bind.rpartition(":")
    if not host or not port.isdigit():
        raise SystemExit(f"BIND must be host:port or [IPv6]:port, not {bind!r}")
    # The site is loaded and warmed once, here, before the workers are forked: a worker
    # starts ready in milliseconds, when the server starts, restarts or replaces one.
    # (Granian doesn't wait for a new worker before stopping the old one on SIGHUP; one
    # loading the site itself took 1-7 s here, and connections were refused meanwhile.)
    from site_config.wsgi import warm

    warm()
    _compact_memory()
    os.environ.setdefault("_RJEM_MALLOC_CONF", JEMALLOC_CONF)
    # granian loads only now, its allocator configured.
    from granian.constants import Interfaces
    from granian.server import Server

    Server(
        "site_config.serve:worker_application",
        factory=True,
        address=host.strip("[]"),
        port=int(port),
        interface=Interfaces.WSGI,
        workers=int(os.environ.get("WEB_CONCURRENCY") or os.process_cpu_count() or 1),
        blocking_threads=THREADS,
        websockets=False,
        log_access=os.environ.get("ACCESS_LOG", "1") != "0",
        log_dictconfig=_logging(),
        # A worker that exits (its request passed the time limit) is replaced at once.
        respawn_failed_workers=True,
        # On SIGHUP and SIGTERM, a worker ends its requests; none runs past the limit.
        workers_kill_timeout=int(_timeout()) + 5,
    ).serve()


if __name__ == "__main__":
    main()
