"""Finishing touches on cmark-gfm's HTML, before sanitising: string work on known shapes.

- footnotes: ARIA roles instead of GitHub's data- attributes;
- headings: ids from their text, unique and never in the footnotes' fn-/fnref- space;
- fenced code with a language Pygments knows: highlighted;
- table cells: cmark's obsolete `align` attribute as a class (`align-right`), for CSS.
"""

import html
import re
import unicodedata

from blog.rendering.highlight import highlight

_BACKREF_DATA = re.compile(r' data-footnote-backref data-footnote-backref-idx="[^"]*"')
_REF_ID = re.compile(r'<a href="#fn-[^"]*" id="(fnref-[^"]*)" data-footnote-ref>')
_BACKREF = re.compile(r' ?<a href="#(fnref-[^"]*)" class="footnote-backref".*?</a>', re.DOTALL)
_HEADING = re.compile(r"<h([1-6])>(.*?)</h\1>", re.DOTALL)
_FOOTNOTE_REF = re.compile(r'<sup class="footnote-ref">.*?</sup>', re.DOTALL)
_TAG = re.compile(r"<(?:[^>\"']|\"[^\"]*\"|'[^']*')*>")
_NOT_SLUG = re.compile(r"[^\w\- ]+")
_SPACES = re.compile(r"[\s\-_]+")
_ALIGN = re.compile(r'<(t[hd]) align="(left|center|right)"')
# cmark escapes the code: no `<` inside, so the match ends at the block's own end.
_FENCED = re.compile(r'<pre><code class="language-([^"]+)">([^<]*)</code></pre>')

# Ids the page around an essay may use (skip links, landmarks): headings don't take them.
RESERVED_IDS = frozenset({"main", "content", "top", "header", "footer", "nav", "footnotes"})


def finish(html_text: str) -> str:
    if "data-footnote" in html_text:
        html_text = _footnotes(html_text)
    if "<h" in html_text:
        html_text = _heading_ids(html_text)
    if '<pre><code class="language-' in html_text:
        html_text = _FENCED.sub(_highlight, html_text)
    if " align=" in html_text:
        html_text = _ALIGN.sub(r'<\1 class="align-\2"', html_text)
    return html_text


def _footnotes(html_text: str) -> str:
    # cmark-gfm counts a reference inside an ignored duplicate definition: no dangling
    # back-link to it.
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

    def with_id(match: re.Match) -> str:
        level, inner = match.groups()
        text = html.unescape(_TAG.sub("", _FOOTNOTE_REF.sub("", inner)))
        base = slug(text)
        if base.startswith(("fn-", "fnref-")):
            base = f"h-{base}"  # footnote ids are cmark-gfm's `fn-<label>`
        n = next_suffix.get(base, 1)
        candidate = base if n == 1 else f"{base}-{n}"
        while candidate in used:
            n += 1
            candidate = f"{base}-{n}"
        next_suffix[base] = n
        used.add(candidate)
        return f'<h{level} id="{candidate}">{inner}</h{level}>'

    return _HEADING.sub(with_id, html_text)


def _highlight(match: re.Match) -> str:
    language, code = match.groups()
    highlighted = highlight(html.unescape(code), html.unescape(language))
    return highlighted if highlighted is not None else match.group(0)
