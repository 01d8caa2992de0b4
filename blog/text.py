"""Stand-ins for two functions blog.rendering will provide (issue 3); reconciled at merge.

Callers import this module as `rendering` so that the merge is a change of import only.
Both work on the renderer's sanitised output (see the HTML contract in the design notes).
"""

import html
import re

from django.utils.html import strip_tags

_FRAGMENT_HREF = re.compile(r'href="#')
_FOOTNOTE_REFS = re.compile(r'<sup class="footnote-ref">.*?</sup>', re.DOTALL)
_FOOTNOTES = re.compile(r'<section class="footnotes".*?</section>', re.DOTALL)
_SPACE = re.compile(r"\s+")


def absolutize_footnotes(body_html: str, page_url: str) -> str:
    """Point in-page links (footnote references and back-links) at `page_url`, so they
    still work where the HTML is read away from its page (a feed reader)."""
    return _FRAGMENT_HREF.sub(f'href="{html.escape(page_url, quote=True)}#', body_html)


def plain_text(body_html: str, limit: int | None = None) -> str:
    """The words of an essay, without footnote markers or notes, cut at a word boundary
    to at most `limit` characters (with an ellipsis when cut). Not escaped: plain text."""
    text = _FOOTNOTES.sub(" ", _FOOTNOTE_REFS.sub("", body_html))
    text = _SPACE.sub(" ", html.unescape(strip_tags(text))).strip()
    if limit is None or len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if " " in cut:
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip(" ,;:.-\u2013\u2014") + "…"
