"""Finishing touches on cmark-gfm's HTML, before sanitising: string work on known shapes.

- footnotes: ARIA roles instead of GitHub's data- attributes;
- headings: ids from their text, unique and never in the footnotes' fn-/fnref- space;
- fenced code with a language Pygments knows: highlighted, up to HIGHLIGHT_BUDGET
  characters of code per essay (Pygments takes about 0.1 ms a block and 5 ms a KB:
  past the budget, code stays plain and check() says so);
- table cells: cmark's obsolete `align` attribute as a class (`align-right`), for CSS.
"""

import functools
import html
import re
import unicodedata
from collections.abc import Iterator

from blog.rendering.highlight import highlight, lexer

_BACKREF_DATA = re.compile(r' data-footnote-backref data-footnote-backref-idx="[^"]*"')
_REF_ID = re.compile(r'<a href="#fn-[^"]*" id="(fnref-[^"]*)" data-footnote-ref>')
_BACKREF = re.compile(r' ?<a href="#(fnref-[^"]*)" class="footnote-backref".*?</a>', re.DOTALL)
_BACKREF_ID = re.compile(r'<a href="#(fnref-[^"]*)" class="footnote-backref"')
_HEADING = re.compile(r"<h([1-6])>(.*?)</h\1>", re.DOTALL)
_FOOTNOTE_REF = re.compile(r'<sup class="footnote-ref">.*?</sup>', re.DOTALL)
_TAG = re.compile(r"<(?:[^>\"']|\"[^\"]*\"|'[^']*')*>")
_NOT_SLUG = re.compile(r"[^\w\- ]+")
_SPACES = re.compile(r"[\s\-_]+")
_ALIGN = re.compile(r'<(t[hd]) align="(left|center|right)"')
# cmark escapes the code: no `<` inside, so the match ends at the block's own end. With
# check()'s source lines, <pre> carries data-sourcepos.
_FENCED = re.compile(
    r'<pre(?: data-sourcepos="[^"]*")?><code class="language-([^"]+)">([^<]*)</code></pre>'
)
HIGHLIGHT_BUDGET = 10_000
# What a block costs at least: a hundred tiny blocks cost Pygments as much as 10 KB.
_BLOCK_COST = 100

# Ids the page around an essay may use (skip links, landmarks): headings don't take them.
RESERVED_IDS = frozenset({"main", "content", "top", "header", "footer", "nav", "footnotes"})


def finish(html_text: str, raw: bool = True) -> str:
    """The finishing touches; `raw`: the writer's raw HTML may be in it."""
    if "data-footnote" in html_text:
        html_text = _footnotes(html_text, raw)
    if "<h" in html_text:
        html_text = _heading_ids(html_text)
    if '<pre><code class="language-' in html_text:
        html_text = _highlight_blocks(html_text)
    if " align=" in html_text:
        html_text = _ALIGN.sub(r'<\1 class="align-\2"', html_text)
    return html_text


def _footnotes(html_text: str, raw: bool) -> str:
    # cmark-gfm counts a reference inside an ignored duplicate definition: no dangling
    # back-link to it. Every reference it writes has its back-link, so there is one only
    # when there are more back-links than references (counted: but raw HTML can mimic them).
    references = html_text.count(" data-footnote-ref>")
    if raw or html_text.count('class="footnote-backref"') > references:
        refs = set(_REF_ID.findall(html_text))
        html_text = _BACKREF.sub(lambda m: m.group(0) if m.group(1) in refs else "", html_text)
    html_text = html_text.replace(" data-footnote-ref>", ' role="doc-noteref">')
    html_text = html_text.replace(
        '<section class="footnotes" data-footnotes>',
        '<section class="footnotes" role="doc-endnotes">',
    )
    html_text = _BACKREF_DATA.sub(' role="doc-backlink"', html_text)
    # The "2" of a second back-link is not a reference: keep the class for references.
    return html_text.replace('↩<sup class="footnote-ref">', "↩<sup>")


@functools.lru_cache(maxsize=1024)
def slug(text: str) -> str:
    """A heading's id: lower case words joined by hyphens, letters of any script kept."""
    text = unicodedata.normalize("NFKC", text).lower()
    text = _SPACES.sub("-", _NOT_SLUG.sub("", text)).strip("-")
    return text or "section"


def _heading_ids(html_text: str) -> str:
    used = set(RESERVED_IDS)
    # The next suffix to try for each base: a hundred "Notes" headings don't count up from
    # 2 each time (that was quadratic).
    next_suffix: dict[str, int] = {}
    bases: dict[str, str] = {}
    # [text, level, inner, text, level, inner, ..., text]: a loop, not a callback per match.
    parts = _HEADING.split(html_text)
    for i in range(1, len(parts), 3):
        level, inner = parts[i], parts[i + 1]
        base = bases.get(inner)
        if base is None:
            base = bases[inner] = _base_id(inner)
        n = next_suffix.get(base, 1)
        candidate = base if n == 1 else f"{base}-{n}"
        while candidate in used:
            n += 1
            candidate = f"{base}-{n}"
        next_suffix[base] = n
        used.add(candidate)
        parts[i], parts[i + 1] = f'<h{level} id="{candidate}">{inner}</h{level}>', ""
    return "".join(parts)


# Headings repeat ("Notes", "Example"): their text is worked out once.
@functools.lru_cache(maxsize=1024)
def _base_id(inner: str) -> str:
    base = slug(html.unescape(_TAG.sub("", _FOOTNOTE_REF.sub("", inner))))
    # Footnote ids are cmark-gfm's `fn-<label>`.
    return f"h-{base}" if base.startswith(("fn-", "fnref-")) else base


def highlighted_blocks(html_text: str) -> Iterator[tuple[re.Match, bool]]:
    """Each fenced block in a language Pygments knows, and whether it is within the budget
    (once the budget is spent, no later block is)."""
    left = HIGHLIGHT_BUDGET
    for match in _FENCED.finditer(html_text):
        if lexer(html.unescape(match.group(1))) is not None:
            left -= max(len(match.group(2)), _BLOCK_COST)
            yield match, left >= 0


def _highlight_blocks(html_text: str) -> str:
    pieces: list[str] = []
    last = 0
    for match, within in highlighted_blocks(html_text):
        if not within:
            break
        language, code = match.groups()
        highlighted = highlight(html.unescape(code), html.unescape(language))
        pieces += [html_text[last : match.start()], highlighted or match.group(0)]
        last = match.end()
    pieces.append(html_text[last:])
    return "".join(pieces)


def unhighlighted(html_text: str) -> list[tuple[int, str]]:
    """Where code stops being highlighted, as (position, message) for check()."""
    for match, within in highlighted_blocks(html_text):
        if not within:
            return [
                (
                    match.start(),
                    f"more than {HIGHLIGHT_BUDGET:,} characters of code: this block and "
                    "those after it are not highlighted",
                )
            ]
    return []
