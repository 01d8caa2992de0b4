"""gunicorn settings for `make serve`, from the environment (see README.md)."""

import os
import threading
import time

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# Worker processes and threads per worker. Measured on 2 cores (bench/load.py): 3 workers
# of 2 threads served about twice the requests of 2 workers of 4 threads. Threads keep slow
# clients from holding a worker: gthread waits for a request's bytes before giving it one.
workers = int(os.environ.get("WEB_CONCURRENCY", "3"))
threads = int(os.environ.get("GUNICORN_THREADS", "2"))
worker_class = "gthread"
# The longest a request may run (see pre_request below), and how long a silent worker lives.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 20
keepalive = 5
# Workers are never recycled: each keeps its page cache, bounded in bytes like the rest of
# its memory (bench/load.py --soak: flat over 100,000 requests). Recycling every 5,000
# requests emptied a worker's page cache each time (essay 0.45x the static file, 0.86x
# without).
max_requests = 0
# Logs to standard output/error, for the process manager to collect.
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-") or None
errorlog = "-"
wsgi_app = "site_config.wsgi"
# Load the application once, before forking: workers share its memory (copy-on-write), and
# site_config.wsgi warms what every worker needs before it starts (templates, URLs...).
preload_app = True
# No management socket in $HOME, shared by every gunicorn of the machine.
control_socket_disable = True


# A request that runs longer than `timeout` ends its worker, which gunicorn replaces.
# gthread's own `timeout` cannot do it: the worker's main thread keeps the heartbeat going
# whatever its request threads do, and Python cannot stop a thread. The main thread checks
# the requests in flight at each heartbeat (at least once a second).


def post_worker_init(worker) -> None:
    worker.requests_in_flight = {}  # thread id -> (start, "GET /path")
    heartbeat = worker.notify

    def notify() -> None:
        now = time.monotonic()
        for started, request in list(worker.requests_in_flight.values()):
            if now - started > timeout:
                worker.log.critical(
                    "Request over the %d s limit, ending worker %d: %s",
                    timeout,
                    worker.pid,
                    request,
                )
                os._exit(1)  # the stuck thread cannot be stopped: the whole process goes
        heartbeat()

    worker.notify = notify


def pre_request(worker, req) -> None:
    worker.requests_in_flight[threading.get_ident()] = (
        time.monotonic(),
        f"{req.method} {req.path}",
    )


def post_request(worker, req, environ, resp) -> None:
    worker.requests_in_flight.pop(threading.get_ident(), None)


def when_ready(server) -> None:
    from site_config.wsgi import warm

    warm()
