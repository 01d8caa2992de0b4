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
(the floor for any import), reading, parsing and rendering every body, and Hugo (Debian's
`hugo`, when on PATH) building a minimal site of the same corpus (written here: a config, a
page and a list template; the writer's legacy footnotes as `[^n]`, as Hugo has no other),
the median of three builds into an empty folder. Target: import_essays into an empty
database at most 1.0x Hugo's build. Each row gives
the wall time, the CPU time of the child (the machine may be shared), essays/s, and the
child's peak resident memory (ru_maxrss). The importer's own Python heap peak (tracemalloc)
is measured on the full corpus and on a tenth of it: flat memory means about the same peak.
"""

import argparse
import contextlib
import os
import re
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

# A minimal Hugo site: every essay a page under /words/, a list of them, Hugo's defaults
# otherwise (feeds, sitemap, code highlighted); raw HTML kept, as the project keeps <abbr>.
# Feeds of the newest 20, as the project's (Hugo's default puts every page in each feed).
HUGO_CONFIG = """\
baseURL = "http://127.0.0.1/"
title = "Essays"
disableKinds = ["taxonomy", "term"]
rssLimit = 20
[markup.goldmark.renderer]
unsafe = true
"""
HUGO_BASE = """\
<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{{ .Title }}</title></head>
<body>{{ block "main" . }}{{ end }}</body></html>
"""
HUGO_SINGLE = """\
{{ define "main" }}<article><h1>{{ .Title }}</h1>
<time datetime="{{ .Date.Format "2006-01-02" }}">{{ .Date.Format "January 2, 2006" }}</time>
{{ with .Params.externalLink }}<p><a href="{{ . }}">{{ . }}</a></p>{{ end }}
{{ .Content }}</article>{{ end }}
"""
HUGO_LIST = """\
{{ define "main" }}<h1>{{ .Title }}</h1><ul>
{{ range .Pages.ByDate.Reverse }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a></li>
{{ end }}</ul>{{ end }}
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


_NOTE = re.compile(r"^\((\d+)\) ", re.MULTILINE)
_MARKER = re.compile(r"(?<=[^\s(])\((\d+)\)")


def hugo_site(corpus: Path, site: Path) -> None:
    """The corpus as a Hugo site: the same front matter (slug without its `/`), the legacy
    notes (`word(1)` ... `--` ... `(1) note`) as `[^1]`."""
    for name, text in {
        "config.toml": HUGO_CONFIG,
        "layouts/_default/baseof.html": HUGO_BASE,
        "layouts/_default/single.html": HUGO_SINGLE,
        "layouts/_default/list.html": HUGO_LIST,
        "content/words/_index.md": '---\ntitle: "Words"\n---\n',
    }.items():
        (site / name).parent.mkdir(parents=True, exist_ok=True)
        (site / name).write_text(text)
    for path in sorted(corpus.glob("*.md")):
        _, front, body = path.read_text(encoding="utf-8").split("---\n", 2)
        front = front.replace('slug: "/', 'slug: "', 1)
        (site / "content" / "words" / path.name).write_text(f"---\n{front}---\n{_carets(body)}")


def _carets(body: str) -> str:
    text, separator, notes = body.partition("\n\n--\n\n")
    if not separator:
        return body
    numbers = set(_NOTE.findall(notes))
    text = _MARKER.sub(lambda m: f"[^{m[1]}]" if m[1] in numbers else m[0], text)
    return text + "\n\n" + _NOTE.sub(r"[^\1]: ", notes)


def hugo_build(corpus: Path, work: Path, env: dict[str, str]) -> Run | None:
    """The median of three builds of the corpus as a Hugo site, or None without Hugo."""
    hugo = shutil.which("hugo")
    if hugo is None:
        return None
    site = work / "hugo"
    hugo_site(corpus, site)
    builds = []
    for n in range(3):
        out = work / f"hugo-public-{n}"
        builds.append(run([hugo, "--quiet", "-s", str(site), "-d", str(out)], env))
        shutil.rmtree(out)
    return sorted(builds, key=lambda build: build.wall)[1]


def row(name: str, result: Run, posts: int, *baselines: float | None) -> None:
    ratios = "".join(f"{result.wall / base:9.2f}x" if base else f"{'':10}" for base in baselines)
    print(
        f"  {name:34} {result.wall:7.2f} s {result.cpu:7.2f} s {posts / result.wall:9.0f}"
        f" {result.rss_mb:8.0f} MB {ratios}"
    )


def header() -> None:
    print(
        f"  {'':34} {'wall':>9} {'cpu':>9} {'essays/s':>9} {'peak RSS':>11}"
        f" {'vs parse':>10} {'vs Hugo':>9}"
    )


def identical(exported: Path, corpus: Path) -> tuple[int, int]:
    """(files identical to the corpus, files in the corpus)."""
    originals = sorted(corpus.glob("*.md"))
    same = sum(
        (exported / path.name).is_file()
        and (exported / path.name).read_bytes() == path.read_bytes()
        for path in originals
    )
    return same, len(originals)


def bench_database(
    label: str, url: str, corpus: Path, posts: int, work: Path, *baselines: float | None
) -> None:
    env = environment(url)
    manage = [PYTHON, "manage.py"]
    run([*manage, "migrate", "--noinput", "-v0"], env)
    print(f"{label}:")
    first = run([*manage, "import_essays", str(corpus)], env)
    row("import_essays (empty database)", first, posts, *baselines)
    again = run([*manage, "import_essays", str(corpus)], env)
    row("import_essays again (no change)", again, posts, *baselines)
    out = work / f"export-{label.split()[0].lower()}"
    export = run([*manage, "export_essays", str(out)], env)
    row("export_essays (empty folder)", export, posts, *baselines)
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
        hugo = hugo_build(corpus, work, env)
        hugo_wall = hugo.wall if hugo else None
        parse = run([PYTHON, "-c", PARSE, str(corpus)], env)
        row("read + parse", parse, args.posts, parse.wall, hugo_wall)
        render = run([PYTHON, "-c", RENDER, str(corpus)], env)
        row("read + parse + render", render, args.posts, parse.wall, hugo_wall)
        if hugo:
            row("Hugo's build (median of 3)", hugo, args.posts, parse.wall, hugo_wall)
        else:
            print("  (no `hugo` on PATH: no Hugo baseline; Debian's package is `hugo`)")

        sqlite = f"sqlite:///{work / 'bench.sqlite3'}"
        bench_database("SQLite", sqlite, corpus, args.posts, work, parse.wall, hugo_wall)

        with contextlib.ExitStack() as stack:
            server = args.postgres_url
            if args.postgres:
                server, _, _ = stack.enter_context(postgres(work / "pg"))
            if server:
                url = stack.enter_context(scratch_database(server))
                bench_database("PostgreSQL", url, corpus, args.posts, work, parse.wall, hugo_wall)

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
