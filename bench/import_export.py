"""Import and export of many essays: time, essays/s and peak memory, against a baseline.

    .venv/bin/python bench/import_export.py [--posts 10000] [--postgres | POSTGRES_URL]

Writes a corpus with bench/corpus.py, then, for a fresh SQLite file (and
PostgreSQL: a throwaway server with --postgres, or a server URL given as an argument or in
DATABASE_URL_PG, where a database of its own is created and dropped), runs the
management commands as child processes, as a writer would:

  import_essays CORPUS     into the empty database
  import_essays CORPUS     again (nothing changes)
  export_essays OUT        then OUT is compared byte for byte with the corpus

Baselines measured in the same run, without a database: reading and parsing every file
(the floor for any import), and reading, parsing and rendering every body. Each row gives
the wall time, the CPU time of the child (the machine may be shared), essays/s, and the
child's peak resident memory (ru_maxrss). The importer's own Python heap peak (tracemalloc)
is measured on the full corpus and on a tenth of it: flat memory means about the same peak.
"""

import argparse
import contextlib
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from harness import make_corpus, postgres

ROOT = Path(__file__).resolve().parent.parent
PYTHON = str(ROOT / ".venv" / "bin" / "python") if (ROOT / ".venv").exists() else sys.executable
TIMEOUT = 600  # seconds, for any one child

PARSE = """
import sys
from pathlib import Path
from blog import frontmatter
for path in sorted(Path(sys.argv[1]).glob("*.md")):
    source = str(path)
    frontmatter.parse(frontmatter.decode(path.read_bytes(), source), source, path=path)
"""

RENDER = """
import sys
from pathlib import Path
from blog import frontmatter, rendering
for path in sorted(Path(sys.argv[1]).glob("*.md")):
    source = str(path)
    essay = frontmatter.parse(frontmatter.decode(path.read_bytes(), source), source, path=path)
    rendering.render(essay.body)
"""

HEAP = """
import sys, tracemalloc, django
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
tracemalloc.start()
call_command("import_essays", *sys.argv[1:], verbosity=0)
print(f"{tracemalloc.get_traced_memory()[1] / 1e6:.1f}")
"""


@dataclass
class Run:
    wall: float
    cpu: float
    rss_mb: float
    out: str


def run(command: list[str], env: dict[str, str]) -> Run:
    """Run a child to completion (killed after TIMEOUT); its time and peak memory."""
    with tempfile.TemporaryFile("w+") as out:
        started = time.perf_counter()
        child = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
        watchdog = threading.Timer(TIMEOUT, os.kill, (child.pid, signal.SIGKILL))
        watchdog.start()
        _, status, usage = os.wait4(child.pid, 0)
        wall = time.perf_counter() - started
        watchdog.cancel()
        child.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        text = out.read()
    if child.returncode != 0:
        sys.exit(f"{' '.join(command)} failed ({child.returncode}):\n{text}")
    return Run(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, text)


def environment(database_url: str) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "DJANGO_SETTINGS_MODULE": "site_config.settings",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(40),
        "DJANGO_HTTPS": "0",
        "DJANGO_DEBUG": "0",
    }


def row(name: str, result: Run, posts: int, baseline: float | None = None) -> None:
    ratio = f"{result.wall / baseline:6.1f}x" if baseline else ""
    print(
        f"  {name:34} {result.wall:7.2f} s {result.cpu:7.2f} s {posts / result.wall:9.0f}"
        f" {result.rss_mb:8.0f} MB  {ratio}"
    )


def header() -> None:
    print(f"  {'':34} {'wall':>9} {'cpu':>9} {'essays/s':>9} {'peak RSS':>11}  vs read+parse")


def identical(exported: Path, corpus: Path) -> tuple[int, int]:
    """(files identical to the corpus, files in the corpus)."""
    originals = sorted(corpus.glob("*.md"))
    same = sum(
        (exported / path.name).is_file()
        and (exported / path.name).read_bytes() == path.read_bytes()
        for path in originals
    )
    return same, len(originals)


def bench_database(label: str, url: str, corpus: Path, posts: int, work: Path, base: float):
    env = environment(url)
    manage = [PYTHON, "manage.py"]
    run([*manage, "migrate", "--noinput", "-v0"], env)
    print(f"{label}:")
    first = run([*manage, "import_essays", str(corpus)], env)
    row("import_essays (empty database)", first, posts, base)
    again = run([*manage, "import_essays", str(corpus)], env)
    row("import_essays again (no change)", again, posts, base)
    out = work / f"export-{label.split()[0].lower()}"
    export = run([*manage, "export_essays", str(out)], env)
    row("export_essays (empty folder)", export, posts, base)
    same, total = identical(out, corpus)
    for result in (first, again, export):
        print(f"    {result.out.strip().splitlines()[-1]}")
    print(f"    exported files identical to the corpus: {same}/{total}")


@contextlib.contextmanager
def scratch_database(server_url: str) -> Iterator[str]:
    """A new database on the server of server_url, dropped afterwards."""
    import psycopg

    name = f"essays_bench_{secrets.token_hex(4)}"
    parts = urllib.parse.urlsplit(server_url)
    admin = parts._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    try:
        yield parts._replace(path=f"/{name}").geturl()
    finally:
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("postgres_url", nargs="?", default=os.environ.get("DATABASE_URL_PG"))
    parser.add_argument("--posts", type=int, default=10_000)
    parser.add_argument("--postgres", action="store_true", help="start a throwaway server")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="bench-import-") as tmp:
        work = Path(tmp)
        corpus = work / "corpus"
        make_corpus(corpus, args.posts)
        print(f"{args.posts} essays in {corpus}")
        env = environment(f"sqlite:///{work / 'unused.sqlite3'}")

        print("Baselines (no database):")
        header()
        parse = run([PYTHON, "-c", PARSE, str(corpus)], env)
        row("read + parse", parse, args.posts, parse.wall)
        render = run([PYTHON, "-c", RENDER, str(corpus)], env)
        row("read + parse + render", render, args.posts, parse.wall)

        sqlite = f"sqlite:///{work / 'bench.sqlite3'}"
        bench_database("SQLite", sqlite, corpus, args.posts, work, parse.wall)

        with contextlib.ExitStack() as stack:
            server = args.postgres_url
            if args.postgres:
                server, _, _ = stack.enter_context(postgres(work / "pg"))
            if server:
                url = stack.enter_context(scratch_database(server))
                bench_database("PostgreSQL", url, corpus, args.posts, work, parse.wall)

        print("Importer's Python heap peak (tracemalloc), fresh SQLite databases:")
        tenth = work / "tenth"
        tenth.mkdir()
        for path in sorted(corpus.glob("*.md"))[: args.posts // 10]:
            shutil.copyfile(path, tenth / path.name)  # a symlink out of the folder is refused
        for folder, posts in ((tenth, args.posts // 10), (corpus, args.posts)):
            heap_env = environment(f"sqlite:///{work / f'heap-{posts}.sqlite3'}")
            peak = run([PYTHON, "-c", HEAP, str(folder)], heap_env).out.strip().splitlines()[-1]
            print(f"  {posts:6} essays: {peak} MB")


if __name__ == "__main__":
    main()
