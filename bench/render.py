"""How long rendering one essay takes: every essay of a generated 1,000-post corpus.

    .venv/bin/python bench/render.py [--posts 1000] [--rounds 3]

Writes the corpus with bench/corpus.py into a temporary folder, reads each
file with blog.frontmatter.parse, renders every body with blog.rendering.render, and
prints the median, p99 and total time per essay (the best of a few rounds per essay, to
keep the noise of a shared machine out). The baseline, measured in the same run on the
same bodies, is bare cmark-gfm: what parsing alone costs.
Target: median at most 5x the bare parser, in the same run.
Times are the process's CPU time: on a shared machine, wall time charges a long render
for the other processes' turns, and would skew the ratios against the longer one.
"""

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from harness import make_corpus  # noqa: E402

from blog import frontmatter, rendering  # noqa: E402
from blog.rendering import parser  # noqa: E402


def timings(function, bodies: list[str], rounds: int) -> list[float]:
    """Seconds per body: the fastest of `rounds` runs of each."""
    best = [float("inf")] * len(bodies)
    for _ in range(rounds):
        for i, body in enumerate(bodies):
            start = time.process_time()
            function(body)
            best[i] = min(best[i], time.process_time() - start)
    return best


def report(name: str, seconds: list[float]) -> None:
    ms = sorted(s * 1000 for s in seconds)
    p99 = ms[min(len(ms) - 1, int(len(ms) * 0.99))]
    print(
        f"{name:<22} median {statistics.median(ms):.3f} ms   p99 {p99:.3f} ms   "
        f"total {sum(ms):.1f} ms"
    )


def main() -> None:
    options = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    options.add_argument("--posts", type=int, default=1000)
    options.add_argument("--rounds", type=int, default=3)
    args = options.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        make_corpus(Path(folder), args.posts)
        files = sorted(Path(folder).glob("*.md"))
        bodies = [frontmatter.parse(f.read_text(encoding="utf-8"), str(f)).body for f in files]
    size = sum(len(body.encode()) for body in bodies)
    print(f"{len(bodies)} essays, {size / 1e6:.1f} MB of markdown, best of {args.rounds} rounds")
    rendering.render(bodies[0])  # imports, lexer lookups: not what a save costs
    renderer = timings(rendering.render, bodies, args.rounds)
    baseline = timings(parser.to_html, bodies, args.rounds)
    report("render()", renderer)
    report("baseline: cmark-gfm", baseline)
    ratio = statistics.median(renderer) / statistics.median(baseline)
    print(f"render() / baseline    {ratio:.1f}x (median)")
    # Where the cost lies: essays whose code Pygments highlights, and the others.
    code = ['<div class="highlight">' in rendering.render(body) for body in bodies]
    for label, wanted in (("with highlighted code", True), ("without", False)):
        pairs = [(r, b) for r, b, c in zip(renderer, baseline, code, strict=True) if c is wanted]
        if pairs:
            split = statistics.median(r for r, _ in pairs) / statistics.median(b for _, b in pairs)
            print(f"  essays {label:<22} {len(pairs):>5}: {split:.1f}x (median)")


if __name__ == "__main__":
    main()
