"""Does rendering give its memory back? RSS of a process rendering a corpus many times.

    .venv/bin/python bench/memory.py [--posts 1000] [--rounds 10]

Writes the corpus with bench/corpus.py into a temporary folder, then, in a
fresh process for each renderer (so one can't inflate the other's figures), renders every
body `rounds` times and prints the RSS (VmRSS) before the first round, after it and after
the last, the peak, and the time per render:

    render()            blog.rendering.render as it is;
    baseline: leaking   render() with the parser call it had before, cmarkgfm's
                        markdown_to_html_with_extensions, which never frees the document
                        tree nor the HTML (cmarkgfm issue #53).

Target: no growth after the first round (a web worker renders on every save and every
live preview, and must stay under 60 MB).
"""

import argparse
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from harness import make_corpus  # noqa: E402

RENDERERS = {"render": "render()", "leaking": "baseline: leaking"}


def rss_mb() -> float:
    with open("/proc/self/status") as status:
        return int(re.search(r"VmRSS:\s+(\d+)", status.read()).group(1)) / 1024


def child(renderer: str, corpus: Path, rounds: int) -> None:
    """Render the corpus `rounds` times in this process and print one line of figures."""
    from blog import frontmatter, rendering
    from blog.rendering import parser

    if renderer == "leaking":
        import cmarkgfm

        def leaking(markdown: str) -> str:
            return cmarkgfm.markdown_to_html_with_extensions(
                markdown, options=parser.OPTIONS, extensions=parser.EXTENSIONS
            )

        parser.to_html = leaking  # render() looks the parser up on every call
    files = sorted(corpus.glob("*.md"))
    bodies = [frontmatter.parse(f.read_text(encoding="utf-8"), str(f)).body for f in files]
    rendering.render(bodies[0])  # imports, compiled patterns: loaded once in any worker
    start = rss_mb()
    after_first = start
    began = time.perf_counter()
    for round_ in range(rounds):
        for body in bodies:
            rendering.render(body)
        if round_ == 0:
            after_first = rss_mb()
    per_render = (time.perf_counter() - began) / (rounds * len(bodies)) * 1000
    end = rss_mb()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"{RENDERERS[renderer]:<18} RSS {start:6.1f} → {after_first:6.1f} (1 round) → "
        f"{end:6.1f} MB ({rounds} rounds)   growth {end - start:+7.1f} MB   "
        f"peak {peak:6.1f} MB   {per_render:.3f} ms/render (mean)",
        flush=True,
    )


def main() -> None:
    options = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    options.add_argument("--posts", type=int, default=1000)
    options.add_argument("--rounds", type=int, default=10)
    options.add_argument("--child", choices=RENDERERS, help=argparse.SUPPRESS)
    options.add_argument("--corpus", type=Path, help=argparse.SUPPRESS)
    args = options.parse_args()
    if args.child:
        child(args.child, args.corpus, args.rounds)
        return
    with tempfile.TemporaryDirectory() as folder:
        make_corpus(Path(folder), args.posts)
        renders = args.posts * args.rounds
        print(f"{args.posts} essays x {args.rounds} rounds = {renders:,} renders per process")
        for renderer in RENDERERS:
            command = [sys.executable, __file__, "--child", renderer, "--corpus", folder]
            subprocess.run([*command, "--rounds", str(args.rounds)], check=True)


if __name__ == "__main__":
    main()
