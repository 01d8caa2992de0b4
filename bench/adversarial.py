"""Hostile shapes against an ordinary essay: is rendering near-linear on every input?

    .venv/bin/python bench/adversarial.py [--kb 80] [--rounds 3]

Each shape is about `--kb` KB of markdown that once made a step quadratic or deep:
repeated headings (id de-duplication), deep block quotes, lists and raw HTML (the
sanitiser's tree), unclosed formatting that an HTML parser re-opens, thousands of
footnote references in both syntaxes, long lines and refused tags. Each is rendered
(best of `--rounds`) in the same run as the baseline: ordinary essays, the first 300 of
the corpus every benchmark uses (bench/corpus.py), each rendered on its own, time over
their total size. The writer's seed essay repeated to the same size is shown too (it has
no raw HTML, so it takes the renderer's fast path). Prints time per KB, the ratio to the
baseline's, and each render's peak of Python memory (tracemalloc, in a separate pass: it
slows what it measures). Target: every ratio at most 10x.
Times are the process's CPU time: on a shared machine, wall time charges a long render
for the other processes' turns, and would skew the ratios against the longer one.
"""

import argparse
import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

sys.path.insert(0, str(ROOT / "bench"))

import corpus  # noqa: E402

from blog import frontmatter, rendering  # noqa: E402

ESSAY = ROOT / "fixtures" / "2023-09-09_autonomy.md"
ORDINARY = 300


def repeated(piece: Callable[[int], str], size: int) -> str:
    """piece(0) + piece(1) + ... up to about `size` bytes."""
    parts, total, i = [], 0, 0
    while total < size:
        parts.append(piece(i))
        total += len(parts[-1].encode())
        i += 1
    return "".join(parts)


def shapes(size: int) -> dict[str, str]:
    n = size // 8  # a rough count for shapes built from both ends
    caret = repeated(lambda i: f"w[^{i}] ", size // 2)
    caret_count = caret.count("[^")
    legacy = repeated(lambda i: f"w({i % 999 + 1}) ", size // 2)
    return {
        "repeated headings": "# a\n" * (size // 4),
        "deep block quotes": ">" * size + " x",
        "deep lists": repeated(lambda i: "- 1. ", size) + "x",
        "deep indented lists": repeated(lambda i: "  " * (i % 400) + "- x\n", size),
        "deep raw HTML": "<div>" * (size // 5),
        "deep inline HTML": "x " + "<span>" * (size // 6),
        "unclosed formatting": "x "
        + repeated(lambda i: f'<b title="{i}">', size // 2)
        + "\n\n"
        + "x\n\n" * (size // 6),
        "caret footnotes": caret + "\n\n" + "".join(f"[^{i}]: n\n" for i in range(caret_count)),
        "legacy footnotes": legacy + "\n\n--\n\n" + "\n\n".join(f"({i}) n" for i in range(1, 1000)),
        "long line": "word *em* [l](/x) " * (size // 18),
        "refused tags": "Use a <textarea> or <title> here. " * (size // 34),
        "unclosed comments": "<!--" * (size // 4),
        "stray end tags": "</p></li>" * (size // 9) + "\n\nx",
        "many code blocks": "```python\nx = 1\n```\n\n" * (size // 22),
        "many links in headings": "## [a](#a) `b` *c*\n" * n,
    }


def best_time(text: str, rounds: int) -> float:
    best = float("inf")
    for _ in range(rounds):
        start = time.process_time()
        rendering.render(text)
        best = min(best, time.process_time() - start)
    return best


def peak_mb(text: str) -> float:
    tracemalloc.start()
    rendering.render(text)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak / 1e6


def ordinary_per_kb(rounds: int) -> tuple[float, float]:
    """Seconds per KB over ordinary essays: the corpus every benchmark uses (bench/corpus.py:
    notes in both syntaxes, code, quotes, abbreviations), each essay rendered on its own."""
    bodies = [frontmatter.parse(text, name).body for name, text in corpus.essays(ORDINARY, seed=1)]
    kb = sum(len(body.encode()) for body in bodies) / 1000
    return sum(best_time(body, rounds) for body in bodies) / kb, kb


def main() -> None:
    options = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    options.add_argument("--kb", type=int, default=80)
    options.add_argument("--rounds", type=int, default=3)
    args = options.parse_args()
    size = args.kb * 1000
    seed = frontmatter.parse(ESSAY.read_text(encoding="utf-8"), str(ESSAY)).body
    rendering.render(seed)  # imports, lexers: not what a render costs
    base, base_kb = ordinary_per_kb(args.rounds)

    print(f"{'shape':<28}{'KB':>7}{'ms':>10}{'us/KB':>10}{'ratio':>8}{'peak MB':>9}")
    print(
        f"{f'{ORDINARY} ordinary essays (baseline)':<28}{base_kb:>7.0f}"
        f"{base * base_kb * 1000:>10.1f}{base * 1e6:>10.0f}{1:>7.1f}x{'':>9}"
    )
    essay = "\n\n".join([seed] * (size // len(seed.encode()) + 1))
    worst = 0.0
    for name, text in {"the seed essay, repeated": essay, **shapes(size)}.items():
        kb = len(text.encode()) / 1000
        per_kb = best_time(text, args.rounds) / kb
        ratio = per_kb / base
        worst = max(worst, ratio)
        print(
            f"{name:<28}{kb:>7.0f}{per_kb * kb * 1000:>10.1f}{per_kb * 1e6:>10.0f}"
            f"{ratio:>7.1f}x{peak_mb(text):>9.1f}"
        )
    print(f"worst ratio {worst:.1f}x (target: at most 10x)")


if __name__ == "__main__":
    main()
