"""gunicorn settings for `make serve`, from the environment (see README.md)."""

import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# Worker processes and threads per worker. Measured on 2 cores (bench/load.py): 3 workers
# of 2 threads served about twice the requests of 2 workers of 4 threads.
workers = int(os.environ.get("WEB_CONCURRENCY", "3"))
threads = int(os.environ.get("GUNICORN_THREADS", "2"))
worker_class = "gthread"
# A request that takes longer than this is killed and its worker replaced.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 20
keepalive = 5
# Recycle workers now and then so memory stays flat over days.
max_requests = 5000
max_requests_jitter = 500
# Logs to standard output/error, for the process manager to collect.
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-") or None
errorlog = "-"
wsgi_app = "site_config.wsgi"
# Load the application once, before forking: workers share its memory (copy-on-write).
preload_app = True
