"""Rendering gives its memory back: a worker renders on every save and every live preview.

cmarkgfm's own wrapper never freed the tree nor the HTML: with it, render() lost ~170 KB
per render of this 5 KB essay (legacy notes are parsed twice), ~170 MB in 1,000 renders.
The renders run in a fresh interpreter, so nothing else the suite has loaded moves its RSS.
"""

import subprocess
import sys
from pathlib import Path

import cmarkgfm
import pytest

from blog import rendering
from blog.rendering import legacy, parser
from tests.conftest import seed_body

ROOT = Path(__file__).resolve().parents[1]
RENDERS = 1000  # ~1 s on a busy machine
# Generous: allocator caches and arenas, not a leak (which is ~170 MB here).
MAX_GROWTH_MB = 20

CHILD = """
import re, sys
from blog import rendering

def rss_mb():
    with open("/proc/self/status") as status:
        return int(re.search(r"VmRSS:\\s+(\\d+)", status.read()).group(1)) / 1024

essay, renders = sys.stdin.read(), int(sys.argv[1])
html = rendering.render(essay)  # imports, compiled patterns, lexers: loaded once
before = rss_mb()
for _ in range(renders):
    assert rendering.render(essay) == html
print(rss_mb() - before)
"""


def essay_of_5_kb() -> str:
    """The seed essay (legacy notes), every construct that allocates in the parser once
    (table, strikethrough, code, caret note, raw HTML), then prose up to 5 KB."""
    features = [
        "## Numbers that matter[^a]",
        "| Team | Size | ~~Old~~ |\n| :--- | ---: | --- |\n| Growth | 6 | *no* |",
        "```python\ndef ship(feature):\n    return feature.deploy()\n```",
        "> A quote with a [link](https://example.org) and `code`.",
        "- one\n- two\n  1. nested\n  2. list",
        "<abbr title='Pull request'>PR</abbr> and ~5 to ~10 minutes.",
        "[^a]: A caret note with **markup**.",
    ]
    prose = "Teams *ship* when they [trust](https://example.org/trust) each other. " * 4
    body, notes = seed_body().split("\n--\n")
    paragraphs = [body, *features]
    while len("\n\n".join(paragraphs).encode()) < 4800:
        paragraphs.append(prose.strip())
    return "\n\n".join(paragraphs) + f"\n--\n{notes}"


def test_essay_is_5_kb_and_uses_every_feature():
    essay = essay_of_5_kb()
    assert 4800 <= len(essay.encode()) <= 6000
    html = rendering.render(essay)
    for piece in ('role="doc-noteref"', "<table>", "<del>", 'class="highlight"', "<h2 id="):
        assert piece in html


@pytest.mark.slow
def test_rendering_a_thousand_times_does_not_grow_the_process():
    child = subprocess.run(
        [sys.executable, "-c", CHILD, str(RENDERS)],
        input=essay_of_5_kb(),
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
    )
    assert child.returncode == 0, child.stderr
    growth = float(child.stdout)
    assert growth < MAX_GROWTH_MB, f"{RENDERS} renders grew RSS by {growth:.1f} MB"


def test_the_parser_gives_the_html_of_cmarkgfms_own_wrapper(commonmark_examples):
    """We drive cmark-gfm ourselves only to free what it allocates: same library, same
    calls, so the same HTML (the wrapper leaks a little here, in the test process only)."""
    essay = essay_of_5_kb()
    texts = [markdown for _, markdown, _ in commonmark_examples]
    texts += [essay, legacy.translate(essay, parser.to_html), "", "\x00 NUL and é\n"]
    for text in texts:
        wrapper = cmarkgfm.markdown_to_html_with_extensions(
            text, options=parser.OPTIONS, extensions=parser.EXTENSIONS
        )
        assert parser.to_html(text) == wrapper, text
