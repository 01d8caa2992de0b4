"""Fault tests too long for the suite, on the production server (127.0.0.1, bounded).

    .venv/bin/python bench/faults.py [--seconds 30] [--connections 64]

1. Edits under load (SQLite): wrk loads an essay page while the writer saves edits through
   the admin's change form; prints wrk's errors (must be 0), saves that failed (must be 0)
   and edits not visible on the next request (must be 0).
2. PostgreSQL outage: a PostgreSQL server of its own is stopped under load, then restarted;
   prints the status codes seen, the slowest answer during the outage (must fail fast),
   whether the 503 page was the site's, and how long the site took to recover by itself
   (target under 5 s) without restarting the application.
"""

import argparse
import http.cookiejar
import json
import os
import re
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from pathlib import Path

from harness import Site, get, make_corpus, postgres, wrk

WRITER = {"DJANGO_SUPERUSER_USERNAME": "writer", "DJANGO_SUPERUSER_PASSWORD": "bench-Only-pw-42"}
ESSAY = (
    "from blog.models import Post; import json\n"
    "p = Post.objects.published().filter(external_link='').first()\n"
    "print(json.dumps(dict(pk=p.pk, slug=p.slug, date=p.date.isoformat(), body=p.body)))"
)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Writer:
    """The writer in the admin, through real HTTP with a session cookie and CSRF tokens."""

    def __init__(self, base: str) -> None:
        self.base = base
        cookies = urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        self.opener = urllib.request.build_opener(cookies, _NoRedirect)

    def _token(self, path: str) -> str:
        with self.opener.open(self.base + path, timeout=30) as response:
            html = response.read().decode()
        return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)

    def _post(self, path: str, data: dict[str, str]) -> int:
        data = {"csrfmiddlewaretoken": self._token(path), **data}
        request = urllib.request.Request(
            self.base + path,
            data=urllib.parse.urlencode(data).encode(),
            headers={"Referer": self.base + path},
        )
        try:
            with self.opener.open(request, timeout=30) as response:
                return response.status
        except urllib.error.HTTPError as error:
            return error.code

    def log_in(self) -> None:
        credentials = {
            "username": WRITER["DJANGO_SUPERUSER_USERNAME"],
            "password": WRITER["DJANGO_SUPERUSER_PASSWORD"],
        }
        assert self._post("/admin/login/?next=/admin/", credentials) == 302, "login failed"

    def save(self, pk: int, fields: dict[str, str]) -> int:
        return self._post(f"/admin/blog/post/{pk}/change/", fields)


def edits_under_load(seconds: int, connections: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        site = Site(folder / "site")
        site.setup()
        site.manage("import_essays", str(make_corpus(folder / "corpus", 300)))
        site.manage("createsuperuser", "--noinput", "--email", "w@example.com", **WRITER)
        essay = json.loads(site.python(ESSAY))
        with site.server() as server:
            url = f"{server.url}/words/{essay['slug']}/"
            writer = Writer(server.url)
            writer.log_in()
            load = {}
            thread = threading.Thread(
                target=lambda: load.update(result=wrk(url, seconds, connections))
            )
            thread.start()
            saves = failed = stale = 0
            while thread.is_alive():
                saves += 1
                title = f"Edited under load {saves}"
                fields = {key: essay[key] for key in ("slug", "date", "body")}
                fields |= {"title": title, "external_link": "", "status": "published"}
                failed += writer.save(essay["pk"], fields) != 302
                stale += title not in get(url)[1].decode()
                time.sleep(0.5)
            thread.join()
        result = load["result"]
        print(
            f"edits under load: {result.requests} requests in {seconds} s at {connections} "
            f"connections ({result.requests_per_second:.0f} req/s, p99 {result.p99_ms:.0f} ms), "
            f"errors {result.errors}; {saves} admin saves, failed {failed}, "
            f"not visible on the next request {stale}"
        )


def database_outage(seconds: int, connections: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        with postgres(folder / "pg") as (database_url, stop, start):
            site = Site(folder / "site", database_url)
            site.setup()
            site.manage("import_essays", str(make_corpus(folder / "corpus", 300)))
            slug = json.loads(site.python(ESSAY))["slug"]
            with site.server() as server:
                # Cold pages (a new query string each time) so every request needs the database.
                essay = f"{server.url}/words/{slug}/"
                page = essay + "?probe="
                probes: list[tuple[float, int, int, float, bytes]] = []
                done = threading.Event()

                def probe() -> None:
                    n = 0
                    while not done.is_set():
                        n += 1
                        began = time.monotonic()
                        health = get(server.url + "/healthz")[0]
                        status, body = get(page + str(n))
                        probes.append((began, health, status, time.monotonic() - began, body))
                        time.sleep(0.1)

                load = {}
                loader = threading.Thread(
                    target=lambda: load.update(result=wrk(essay, seconds, connections, cold=True))
                )
                prober = threading.Thread(target=probe)
                loader.start()
                prober.start()
                time.sleep(seconds / 4)
                stop()  # returns once the server has shut down
                down = time.monotonic()
                time.sleep(seconds / 4)
                up = time.monotonic()
                start()
                started = time.monotonic()
                loader.join()
                done.set()
                prober.join()

        if os.environ.get("BENCH_VERBOSE"):
            for p in probes:
                print(f"{p[0] - down:7.2f} {p[1]} {p[2]} {p[3] * 1000:6.0f} ms")
            print("up at", up - down, "started at", started - down)
        # Answered entirely while the database was down (began after, done before it was back).
        during = [p for p in probes if down < p[0] and p[0] + p[3] < up]
        after = [p for p in probes if p[0] >= started and p[1] == 200 and p[2] == 200]
        recovered = after[0][0] - started if after else float("inf")
        bodies = [p[4].decode() for p in during if p[2] == 503]
        site_page = bool(bodies) and all(
            "Back in a moment" in body and "Traceback" not in body for body in bodies
        )
        print(
            f"database outage: {up - down:.1f} s down under {connections} connections; "
            f"during it healthz {dict(Counter(p[1] for p in during))}, "
            f"pages {dict(Counter(p[2] for p in during))}, slowest answer "
            f"{max((p[3] for p in during), default=0) * 1000:.0f} ms; "
            f"503 page is the site's: {site_page}; "
            f"recovered {recovered:.2f} s after the database was back (no restart); "
            f"wrk: {load['result'].requests} requests"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=30)
    parser.add_argument("--connections", type=int, default=64)
    args = parser.parse_args()
    if not os.environ.get("BENCH_SKIP_EDITS"):
        edits_under_load(args.seconds, args.connections)
    database_outage(max(args.seconds // 2, 8), args.connections)


if __name__ == "__main__":
    main()
