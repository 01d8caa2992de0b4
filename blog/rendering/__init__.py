"""Markdown to safe HTML: the one renderer for pages, the admin preview and feeds.

    render(markdown) -> html
        legacy footnotes → `[^n]` (legacy.py), cmark-gfm (parser.py), nested and capped
        with refused tags as text (guard.py, only on raw HTML or deep nesting), finishing
        touches: footnote roles, heading ids, highlighted code (markup.py), then the
        allowlist (sanitise.py), last, so everything that leaves render() has passed it
        (nh3, or for markup that is all ours, nh3's output written directly).
    check(markdown) -> messages
        what will not show as written, line by line, for the editor and the importer.

Every step is linear in the text (bench/adversarial.py measures the hostile shapes).

Why string work on cmark-gfm's HTML rather than on its parse tree: measured on 300
generated essays (bench/render.py's corpus), walking the tree node by node through cffi
costs 2.5x the whole parse (median 0.17 ms against 0.07 ms), more than every finishing
touch on the HTML together (footnotes 0.06 ms, heading ids 0.01 ms); cmark writes the HTML
in C, and each step here is one regular expression over known shapes, skipped when its
marker is absent. Only check() walks the tree, for line numbers. What remains costly is
the sanitiser (nh3, about 0.16 ms) and Pygments, on essays with code.

Pure functions on text; nothing here knows about models or requests. Post.render()
stores the result with VERSION; `manage.py rerender` refreshes posts after a bump.
Helpers for other places that show an essay: absolutize_footnotes (feeds), plain_text
and description (excerpts, meta descriptions).
"""

import re

from blog.rendering.text import absolutize_footnotes, description, plain_text

__all__ = ["VERSION", "absolutize_footnotes", "check", "description", "plain_text", "render"]

# Bump when the output changes, so `manage.py rerender` refreshes stored HTML.
VERSION = "6"

# C0 controls but tab, newline and CR are not allowed in XML: one would break the feeds.
# A vertical tab or form feed (a word processor's line break) still separates words.
_CONTROLS = dict.fromkeys([*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20)])
_CONTROLS |= {0x0B: " ", 0x0C: " "}
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
# All bytes but those controls: in UTF-8, no other character has one of theirs, and
# deleting bytes is 4x faster than the regular expression's search.
_NOT_CONTROL = bytes(byte for byte in range(256) if byte >= 0x20 or byte in b"\t\n\r")
MAX_MESSAGES = 20


def render(markdown: str) -> str:
    """Render an essay body to sanitised HTML."""
    # Loaded on first use: a worker that only serves stored pages never renders, and these
    # (cmark-gfm through cffi, nh3, Pygments) would cost it about 5 MB.
    from blog.rendering import sanitise

    html, raw = unsanitised(markdown)
    # Without raw HTML, the markup is ours: see sanitise.py for why the fast path is safe.
    fast = None if raw else sanitise.markup_only(html)
    html = sanitise.clean(html) if fast is None else fast
    # str.translate looks every character up (1 ms on an essay): only when there is one.
    # One can only come from the markdown, as written or as a character reference (`&#11;`);
    # the markdown is shorter than the HTML.
    if _has_control(markdown) or "&#" in markdown:
        return html.translate(_CONTROLS) if _CONTROL.search(html) else html
    return html


def unsanitised(markdown: str) -> tuple[str, bool]:
    """What render() hands the sanitiser, and whether the writer's raw HTML is in it."""
    from blog.rendering import guard, legacy, markup, parser

    text, _ = guard.unclosed_raw_blocks(_newlines(markdown))
    text, html = legacy.translate_and_parse(guard.cap_quotes(text), parser.to_html)
    raw = guard.needed(text, html)
    return markup.finish(guard.balance(html) if raw else html, raw), raw


def check(markdown: str) -> list[str]:
    """Short messages about what will not show as written, each naming its line.

    Refused tags (shown as text or removed), nesting deeper than the cap (flattened),
    control characters (dropped) and code past the highlighting budget (plain). An empty
    list: the essay shows as written.
    """
    from blog.rendering import guard, markup, parser

    text = _newlines(markdown)
    lines = _Lines(text)
    messages = [
        f"line {lines.at(match.start())}: a control character "
        f"(U+{ord(match.group()):04X}) is dropped"
        for match in (_CONTROL.finditer(text) if _has_control(text) else ())
    ]

    text, unclosed = guard.unclosed_raw_blocks(text)
    text = guard.cap_quotes(text)  # only characters within lines: line numbers stay
    lines = _Lines(text)
    messages += [f"line {lines.at(pos)}: {message}" for pos, message in unclosed]
    # Most essays have nothing for the guard to change (so nothing to say about it) and
    # code within the budget: known from the plain HTML, without the source lines.
    html = parser.to_html(text)
    if guard.needed(text, html) or markup.unhighlighted(html):
        messages += _located_problems(text)
    if len(messages) > MAX_MESSAGES:
        more = len(messages) - MAX_MESSAGES + 1
        messages = [*messages[: MAX_MESSAGES - 1], f"and {more} more like these"]
    return messages


def _located_problems(text: str) -> list[str]:
    """What the guard changes and where highlighting stops, each with its source line."""
    from blog.rendering import guard, markup, parser

    html = parser.to_html_with_lines(text)
    problems: list[tuple[int, str]] = []
    guard.balance(html, problems)
    problems = sorted(problems + markup.unhighlighted(html), key=lambda problem: problem[0])
    html_lines = _HtmlLines(html)
    return [f"line {html_lines.at(pos)}: {message}" for pos, message in problems]


def _has_control(text: str) -> bool:
    return bool(text.encode("utf-8", "surrogatepass").translate(None, _NOT_CONTROL))


def _newlines(markdown: str) -> str:
    # Browsers send textarea text with CRLF: the same essay must give the same HTML.
    if "\r" not in markdown:
        return markdown
    return markdown.replace("\r\n", "\n").replace("\r", "\n")


class _Lines:
    """The line of a position in a text, for positions asked in increasing order."""

    def __init__(self, text: str) -> None:
        self.text, self.pos, self.line = text, 0, 1

    def at(self, pos: int) -> int:
        self.line += self.text.count("\n", self.pos, pos)
        self.pos = pos
        return self.line


# A block's start tag with its line, or check()'s mark on a raw HTML block.
_ANCHOR = re.compile(r'<[a-z][a-z0-9]* data-sourcepos="(\d+):|<!--\ue000(\d+)-->')


class _HtmlLines:
    """The source line of a position in parser.to_html_with_lines's HTML (increasing
    positions): the last block's line, plus the newlines since (cmark keeps them)."""

    def __init__(self, html: str) -> None:
        self.html = html
        self.anchors = _ANCHOR.finditer(html)
        self.next = next(self.anchors, None)
        self.pos, self.line = 0, 1

    def at(self, pos: int) -> int:
        while self.next is not None and self.next.start() <= pos:
            self.pos = self.next.start()
            self.line = int(self.next.group(1) or self.next.group(2))
            self.next = next(self.anchors, None)
        self.line += self.html.count("\n", self.pos, pos)
        self.pos = pos
        return self.line
