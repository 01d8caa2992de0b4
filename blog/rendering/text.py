"""Rendered essays in other places: feeds, excerpts, meta descriptions.

All take the stored body_html (render()'s output), so no markdown is parsed again.
"""

import html
import re

# Footnote references and the notes section, as render() writes them.
_FOOTNOTE_REF = re.compile(r'<sup class="footnote-ref">.*?</sup>', re.DOTALL)
_NOTES = re.compile(r'<section class="footnotes"[^>]*>.*?</section>', re.DOTALL)
_FIRST_PARAGRAPH = re.compile(r"<p>(.*?)</p>", re.DOTALL)
_BLOCK_TAG = re.compile(
    r"</?(?:p|div|h[1-6]|ul|ol|li|dl|dt|dd|blockquote|pre|table|caption|tr|th|td|section"
    r"|figure|figcaption|details|summary|br|hr)\b(?:[^>\"']|\"[^\"]*\"|'[^']*')*>"
)
_TAG = re.compile(r"<(?:[^>\"']|\"[^\"]*\"|'[^']*')*>")
_SPACES = re.compile(r"\s+")
# A link's href to a fragment, in the sanitiser's output: it writes every attribute as
# name="value" with `"` escaped, and text never holds a `<`, so only real links match.
_IN_PAGE_HREF = re.compile(r'(<a(?: [a-z-]+="[^"]*")*? href=")#')


def absolutize_footnotes(body_html: str, page_url: str) -> str:
    """In-page links (`href="#fn-1"`, back-links, links to headings) made absolute.

    For feeds: a feed reader shows the body without the page around it, so `#fn-1` must
    point at the essay page. `page_url` is the page's absolute URL, without a fragment.
    Only links change: text or code that shows `href="#x"` stays as written.
    """
    prefix = html.escape(page_url.split("#", 1)[0], quote=True)
    return _IN_PAGE_HREF.sub(lambda m: f"{m.group(1)}{prefix}#", body_html)


def plain_text(body_html: str, limit: int | None = None) -> str:
    """The essay's words as one line of plain text (not HTML-escaped: templates escape it).

    Footnote markers and the notes are left out. With a limit, the text is cut at the
    last whole word that fits and ends with "…".
    """
    text = _NOTES.sub(" ", _FOOTNOTE_REF.sub("", body_html))
    # Block tags separate words ("</p><p>"); inline ones don't ("un<em>real</em>").
    text = html.unescape(_TAG.sub("", _BLOCK_TAG.sub(" ", text)))
    text = _SPACES.sub(" ", text).strip()
    return _truncate(text, limit) if limit is not None else text


def description(body_html: str, limit: int = 160) -> str:
    """A meta description: the first paragraph with words in it, as plain text."""
    without_notes = _NOTES.sub("", body_html)
    for match in _FIRST_PARAGRAPH.finditer(without_notes):
        text = plain_text(match.group(1), limit)
        if text:
            return text
    return plain_text(without_notes, limit)


def _truncate(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    cut = text[: max(limit - 1, 0)]
    if " " in cut and not text[len(cut)].isspace():
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip(" ,;:.-—") + "…"
