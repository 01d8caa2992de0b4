"""The whole picture under load: 1,000 essays, the production server, wrk on 127.0.0.1.

    .venv/bin/python bench/load.py [--posts 1000] [--seconds 10] [--workers 2]
        [--compare 'NAME=COMMAND {bind}' ...]
    .venv/bin/python bench/load.py --soak 100000

Loads bench/corpus.py's essays into a fresh SQLite database, starts the server as `make
serve` does (site_config.serve) with the production settings, and measures each target
twice, alternating, in one run: the essay and list pages with the page cache warm and cold
(cold: every request a cache miss), and the same essay's bytes as a static file served by
the same stack (the baseline). Prints requests/s, p50/p99 latency, errors, the ratios to
the static file, each worker's peak memory (VmHWM), the load average, queries per page and
the import time. Each --compare server (e.g. `gunicorn=python -m gunicorn --bind {bind}
--workers 2 site_config.wsgi`, installed beside) is measured the same way in the same
rounds.

--soak N instead sends N requests (in 10 s wrk runs) of a mix of essays, lists, feeds and
one in ten the spellings anyone may invent (`/atom.xml?page=N`, `?page=0N`), and prints each
worker's resident memory after each run: it must stay flat (workers are never recycled).
"""

import argparse
import itertools
import os
import re
import shutil
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

from harness import PYTHON, Server, Site, get, make_corpus, wrk

QUERIES = """
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from blog.models import Post
post = Post.objects.published().order_by("-date")[len(Post.objects.published()) // 2]
client = Client(SERVER_NAME="127.0.0.1")
counts = []
for url in (post.get_absolute_url(), "/words/"):
    for _ in range(2):  # cold, then warm
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        counts.append(len(queries))
print(post.get_absolute_url(), *counts)
"""


# Essays, lists and feeds; one request in ten a new hostile spelling (a fresh render each:
# the feed's costs a hundred times a cached page).
SOAK_SCRIPT = """
local paths = {%s}
local counter = 0
function request()
  counter = counter + 1
  local path = paths[counter %% #paths + 1]
  if counter %% 20 == 0 then path = "/atom.xml?page=" .. counter end
  if counter %% 20 == 1 then path = "/words/?page=0" .. (counter %% 3 + 2) end
  return wrk.format("GET", path)
end
"""


def soak(site: Site, essays: list[str], total: int, args: argparse.Namespace) -> None:
    paths = [*essays, "/", "/words/", "/words/?page=2", "/atom.xml", "/rss.xml"]
    script = site.folder / "soak.lua"
    script.write_text(SOAK_SCRIPT % ", ".join(f'"{path}"' for path in paths))
    with site.server(args.workers) as server:
        sent, started = 0, time.perf_counter()
        print(f"soak: {total} requests over {len(paths)} URLs and hostile spellings")
        print(f"{'requests':>9}  {'load':>5}  worker RSS MiB (peak)")
        report(sent, server)
        command = ["wrk", "-t", "2", "-c", str(args.connections), "-d", "10s"]
        command += ["-s", str(script), server.url]
        while sent < total:
            out = subprocess.run(
                command,
                capture_output=True,
                text=True,
                check=True,
                timeout=60,
            ).stdout
            sent += int(re.search(r"(\d+) requests in", out).group(1))
            report(sent, server)
        print(f"{sent} requests in {time.perf_counter() - started:.0f} s")


def report(sent: int, server: Server) -> None:
    now = server.worker_memory_mib("VmRSS")
    peak = server.worker_memory_mib("VmHWM")
    memory = " ".join(f"{mib:6.1f} ({top:.1f})" for mib, top in zip(now, peak, strict=True))
    print(f"{sent:>9}  {os.getloadavg()[0]:5.2f}  {memory}", flush=True)


ESSAYS = """
from blog.models import Post
print(*(post.get_absolute_url() for post in Post.objects.published()[:200]))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=1000)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--workers", type=int, help="default: the number of cores")
    parser.add_argument("--compare", action="append", default=[], metavar="NAME=COMMAND")
    parser.add_argument("--soak", type=int, metavar="N", help="memory over N requests")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is missing: apt-get install wrk")
    servers = {"site_config.serve": ""} | dict(c.split("=", 1) for c in args.compare)

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        corpus = make_corpus(folder / "corpus", args.posts)
        site = Site(folder / "site")
        site.setup()
        started = time.perf_counter()
        site.manage("import_essays", str(corpus))
        import_seconds = time.perf_counter() - started

        essay, *queries = site.python(QUERIES).split()
        if args.soak:
            essays = site.python(ESSAYS).split()
            return soak(site, essays, args.soak, args)
        with site.server() as server:
            # The baseline: the essay's own bytes, as a static file of the same server.
            (folder / "site" / "static" / "essay.html").write_bytes(get(server.url + essay)[1])
        targets = {
            "static file": ("/static/essay.html", False),
            "essay, warm": (essay, False),
            "essay, cold": (essay, True),
            "list, warm": ("/words/", False),
            "list, cold": ("/words/", True),
        }
        results = {(s, t): [] for s in servers for t in targets}
        peaks: dict[str, list[float]] = {}
        loads = []
        for _ in range(2):
            for name, command in servers.items():
                with site.server(args.workers or 2, command) as server:
                    for target, (path, cold) in targets.items():
                        get(server.url + path)  # warm the cache (and the worker) first
                        run = wrk(server.url + path, args.seconds, args.connections, cold)
                        results[name, target].append(run)
                        loads.append(os.getloadavg()[0])
                    peak, before = server.worker_memory_mib(), peaks.get(name, [])
                    peaks[name] = [max(p) for p in itertools.zip_longest(peak, before, fillvalue=0)]

    print(
        f"{args.posts} essays; {args.workers or 2} workers; wrk {args.connections} connections, "
        f"{args.seconds} s per target, each twice; load average {min(loads):.1f}-{max(loads):.1f}"
    )
    for name in servers:
        print(f"\n{name}")
        print(f"{'target':<14}{'req/s (runs)':>22}{'p50 ms':>9}{'p99 ms':>9}{'errors':>8}")
        for target in targets:
            runs = results[name, target]
            rates = " / ".join(f"{r.requests_per_second:.0f}" for r in runs)
            print(
                f"{target:<14}{rates:>22}{statistics.median(r.p50_ms for r in runs):>9.2f}"
                f"{max(r.p99_ms for r in runs):>9.2f}{sum(r.errors for r in runs):>8}"
            )
        static = statistics.mean(r.requests_per_second for r in results[name, "static file"])
        for target in ("essay, warm", "essay, cold", "list, warm"):
            rate = statistics.mean(r.requests_per_second for r in results[name, target])
            print(f"ratio {target} / static file: {rate / static:.2f}")
        print("peak memory per worker (VmHWM): " + ", ".join(f"{m:.1f} MiB" for m in peaks[name]))
    print(
        f"\nqueries: essay {queries[0]} cold, {queries[1]} warm; list {queries[2]} cold, "
        f"{queries[3]} warm"
    )
    print(f"import of {args.posts} essays: {import_seconds:.2f} s (import_essays, with start-up)")
    render = Path(__file__).with_name("render.py")
    command = [PYTHON, str(render), "--posts", str(args.posts), "--rounds", "1"]
    print("rendering (bench/render.py):")
    print(subprocess.run(command, check=True, capture_output=True, text=True).stdout.rstrip())


if __name__ == "__main__":
    main()
