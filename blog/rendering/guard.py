"""What reaches the sanitiser: well nested, at most MAX_DEPTH elements deep, refused tags as text.

cmark-gfm's own markup is balanced and holds no refused tag: only the writer's raw HTML
can need this, or nesting deeper than the cap. So the guard runs when needed() says so:
the markdown has something raw HTML can start with (but simple inline elements, whole and
holding text alone), or the HTML nests too deep (a cheap
count), or cmark put a link inside a link (a footnote reference or an autolink). Before the parser,
cap_quotes() drops block quote markers past the cap (cmark-gfm itself is slow on 80 KB
of `>`, and the guard would flatten them anyway).

balance() is one pass over cmark-gfm's HTML (its own tags and the writer's raw HTML), in
time linear in its length, before nh3 builds a tree of it:

- A tag the allowlist refuses is shown as text (`Use a <textarea> for input.`), so it can
  never swallow what follows: in an HTML parser <textarea>, <title>, <style>, <xmp>,
  <plaintext>... take everything after them as their content. <script> and <style> are
  removed instead (code, not words): with their content when their end tag is in the
  same block, else the tags alone.
- Only tags in CommonMark's own grammar are tags (html5ever reads those exactly as we
  do); any other `<` is text. Comments are removed, like the sanitiser did.
- Elements nest: an end tag closes what is open inside it, a stray one is dropped, a tag
  that HTML closes implicitly (<div> in <p>, <li> in <li>, <a> in <a>) is closed here
  first, and everything is closed at the end. html5ever then never re-opens formatting
  elements (its "reconstruction", which turned 1,000 unclosed <b> into a million).
- Deeper than MAX_DEPTH, elements are left out and their content flattened into the
  deepest one: html5ever's cost grows with depth (40,000 nested <div> took 13 s).
"""

import re
from html import escape
from itertools import accumulate

from blog.rendering.sanitise import TAGS

MAX_DEPTH = 32
# check() marks each raw HTML block with its source line (cmark writes none on them).
LINE_MARK = "<!--\ue000{}-->"

_WS = "[ \t\n\f]"
# CommonMark 0.31, 6.6: tag name, attributes, optional `/`. Atomic groups: no backtracking.
_VALUE = r"""(?:[^ \t\n\f"'=<>`]+|'[^']*'|"[^"]*")"""
_ATTRIBUTE = rf"(?>{_WS}+[a-zA-Z_:][a-zA-Z0-9_.:-]*(?:{_WS}*={_WS}*{_VALUE})?)"
# Every `<`: a comment start, a tag, or (empty alternative) a `<` that is text.
_TOKEN = re.compile(rf"<(?:(!--)|(/?)([a-zA-Z][a-zA-Z0-9-]*)((?:{_ATTRIBUTE})*){_WS}*(/?)>|)")
_SCRIPT_END = {name: re.compile(rf"</{name}{_WS}*>", re.IGNORECASE) for name in ("script", "style")}
_COMMENT_END = re.compile("-->")
# The end of a block cmark wrote: a script's end tag after it is in another block.
# Paragraphs and headings of text alone, outside any element: nothing to change in them.
_PLAIN_BLOCKS = re.compile(r"(?:\n?<(p|h[1-6])>[^<]*</\1>)+")
_BLOCK_END = re.compile(r"</(?:p|li|h[1-6]|blockquote|td|th|pre|section)>")

VOID = frozenset({"br", "hr", "img", "wbr", "col"})
# Elements HTML closes when these start (tree construction, "in body"); stop at a table.
_CLOSES_P = frozenset(
    {"blockquote", "details", "div", "dl", "figcaption", "figure", "ol", "p", "section"}
    | {"summary", "ul", "h1", "h2", "h3", "h4", "h5", "h6", "pre", "table", "hr"}
    | {"li", "dd", "dt"}
)
_SCOPE = frozenset({"table", "td", "th", "caption"})
_SPECIAL = frozenset(
    {"blockquote", "caption", "dd", "details", "dl", "dt", "figcaption", "figure", "li"}
    | {"ol", "pre", "section", "summary", "table", "tbody", "td", "tfoot", "th", "thead"}
    | {"tr", "ul", "h1", "h2", "h3", "h4", "h5", "h6"}
)
_LI_SCOPE = _SPECIAL - {"li"}
_DD_SCOPE = _SPECIAL - {"dd", "dt"}


def refused(name: str) -> str:
    return f"<{name}> is not allowed in an essay; it is shown as text"


def removed(name: str) -> str:
    return f"<{name}> is not allowed in an essay; it is removed"


class _Finder:
    """The next match of a pattern at or after a position, remembered: linear overall."""

    def __init__(self, pattern: re.Pattern, text: str) -> None:
        self.pattern, self.text = pattern, text
        self.found: re.Match | None = None
        self.searched_from = len(text) + 1

    def after(self, pos: int) -> re.Match | None:
        if self.found is not None and self.found.start() >= pos:
            return self.found
        if self.found is None and self.searched_from <= pos:
            return None  # nothing after an earlier position: nothing after this one
        self.found, self.searched_from = self.pattern.search(self.text, pos), pos
        return self.found


class _Guard:
    def __init__(self, html: str, problems: list[tuple[int, str]] | None) -> None:
        self.html = html
        self.out: list[str] = []
        self.stack: list[str] = []  # open elements, innermost last
        self.flattened: list[str] = []  # elements left out, deeper than the stack
        self.problems = problems
        self.finders: dict[str, _Finder] = {}

    def note(self, pos: int, message: str) -> None:
        if self.problems is not None:
            self.problems.append((pos, message))

    def find(self, key: str, pattern: re.Pattern, pos: int) -> re.Match | None:
        finder = self.finders.get(key)
        if finder is None:
            finder = self.finders[key] = _Finder(pattern, self.html)
        return finder.after(pos)

    def run(self) -> str:
        html, out = self.html, self.out
        pos = 0
        while (match := _TOKEN.search(html, pos)) is not None:
            if not self.stack and (plain := _PLAIN_BLOCKS.match(html, pos)) is not None:
                out.append(plain.group())  # as the loop would write them, token by token
                pos = plain.end()
                continue
            out.append(html[pos : match.start()])
            pos = match.end()
            comment, closing, name, attributes, slash = match.groups()
            if comment:
                end = self.find("comment", _COMMENT_END, pos)
                if end is None:
                    out.append("&lt;!--")  # never closed: text, not a comment to the end
                else:
                    pos = end.end()
            elif name is None:
                out.append("&lt;")
            elif closing:
                name = name.lower()
                if name in _SCRIPT_END:
                    pass  # a script's or style's end tag is removed, like its start
                elif attributes or slash or name not in TAGS:
                    out.append(escape(match.group(0), quote=False))
                elif self.flattened and self.flattened[-1] == name:
                    self.flattened.pop()
                else:
                    self.close(name, _SCOPE)
            else:
                pos = self.start(match, name.lower(), pos)
        out.append(html[pos:])
        out.extend(f"</{name}>" for name in reversed(self.stack))
        return "".join(out)

    def start(self, match: re.Match, name: str, pos: int) -> int:
        """Handle a start tag; return where to go on."""
        if name not in TAGS:
            if name in _SCRIPT_END:
                self.note(match.start(), removed(name))
                end = self.find(name, _SCRIPT_END[name], pos)
                block_end = self.find("block", _BLOCK_END, pos)
                if end is not None and (block_end is None or end.start() < block_end.start()):
                    return end.end()  # with its content
                return pos  # the tag alone: what follows stays
            self.note(match.start(), f"<{name}> is not allowed in an essay; it is shown as text")
            self.out.append(escape(match.group(0), quote=False))
            return pos
        if self.flattened:
            if name in VOID:
                self.out.append(match.group(0))
            else:
                self.flattened.append(name)
            return pos
        if name == "li":
            self.close("li", _LI_SCOPE)
        elif name in ("dd", "dt"):
            self.close("dd", _DD_SCOPE, also="dt")
        elif name == "a":
            self.close("a", _SCOPE)
        if name in _CLOSES_P:
            self.close("p", _SCOPE)
        if name in VOID:
            self.out.append(match.group(0))
        elif len(self.stack) >= MAX_DEPTH:
            self.flattened.append(name)
            self.note(match.start(), f"more than {MAX_DEPTH} levels of nesting: flattened")
        else:
            self.stack.append(name)
            self.out.append(match.group(0))
        return pos

    def close(self, name: str, stop: frozenset[str], also: str = "") -> None:
        """Close the innermost open `name` (or `also`) and what is open inside it, unless an
        element of `stop` comes first; otherwise do nothing (a stray end tag is dropped)."""
        stack = self.stack
        if stack and stack[-1] == name:  # the usual case: cmark's own end tags
            self.out.append(f"</{stack.pop()}>")
            self.flattened.clear()
            return
        if name not in stack and also not in stack:
            return
        for index in range(len(stack) - 1, -1, -1):
            if stack[index] in (name, also):
                self.out.extend(f"</{open_}>" for open_ in reversed(stack[index:]))
                del stack[index:]
                self.flattened.clear()  # they were all inside it
                return
            if stack[index] in stop:
                return


# CommonMark's raw HTML blocks of type 1 run to their end tag, or to the end of the essay.
# `<` first (no `^`, no lookbehind): the search then skips from `<` to `<`, 40x faster.
_RAW_BLOCK_START = re.compile(r"<(textarea|script|style)(?=[ \t>]|$)", re.M | re.I)


def unclosed_raw_blocks(markdown: str) -> tuple[str, list[tuple[int, str]]]:
    """The markdown where a <textarea>, <script> or <style> that starts a raw HTML block
    and is never closed no longer makes the rest of the essay raw HTML: a script or style
    is closed at once (balance() then removes it), a textarea is escaped (shown as text).
    Also the (position, message) of each textarea."""
    lower = ""
    last_end: dict[str, int] = {}
    inserts: list[tuple[int, str]] = []
    positions: list[tuple[int, str]] = []
    for match in _RAW_BLOCK_START.finditer(markdown):
        line = markdown.rfind("\n", 0, match.start()) + 1
        if match.start() - line > 3 or markdown[line : match.start()].strip(" "):
            continue  # not at a block's start: up to three spaces, then the tag
        name = match.group(1).lower()
        if name not in last_end:
            lower = lower or markdown.lower()
            last_end[name] = lower.rfind(f"</{name}")
        if last_end[name] > match.start():
            continue  # closed further down: a raw block like any other
        tag = _TOKEN.match(markdown, match.start())
        if name in _SCRIPT_END and tag is not None and tag.group(3) is not None:
            inserts.append((tag.end(), f"</{name}>"))
        else:
            positions.append((line, refused(name)))
            inserts.append((match.start(), "\\"))
    pieces, last = [], 0
    for pos, insert in inserts:
        pieces += [markdown[last:pos], insert]
        last = pos
    pieces.append(markdown[last:])
    return "".join(pieces), positions


# What raw HTML starts with (CommonMark 0.31, 4.6 and 6.6): a tag name followed by a space,
# `/`, `>` or the end, an end tag, a comment, a declaration or a processing instruction.
# An autolink (`<https://x>`, `<a@b.c>`) or `a <b` in prose is not one.
_RAW_HTML = re.compile(r"<(?:[/!?]|[a-zA-Z][a-zA-Z0-9-]*(?:[\s/>]|\Z))")
# cmark-gfm's start and end tags, but its void ones (`<br />`, `<hr />`, `<img ... />`).
_NESTING = re.compile(r"<(/?)(?!br |hr |img )[a-z]")
_STEP = {"": 1, "/": -1}
# A link opening before the previous one closed: cmark-gfm writes a footnote reference or
# an autolink in a link's text so (`[a[^1]](u)`, `[<https://x>](u)`), and HTML closes the
# outer link there.
LINK_IN_LINK = re.compile(r"<a [^>]*>[^<]*(?:<(?!/?a[ >])[^<]*)*<a ")
# A link but the footnotes' own (reference, back-link): only such a link can hold one.
_OTHER_LINK = re.compile(
    r'<a (?!href="#fn-[^"]*" id="fnref-|href="#fnref-[^"]*" class="footnote-backref")'
)


# Raw HTML that is balanced as written: an element of a few harmless inline tags (no
# attribute but a plain `title`) holding text alone, whole on one line of the markdown (so
# never a raw HTML block, whose lines cmark passes through as written), as
# `<abbr title="in my opinion">IMO</abbr>`: six essays in ten have one. In the HTML, its
# text must still be text (emphasis or a table cell can cut it) in cmark's escaping, which
# sanitise.markup_only() expects; tests/test_sanitiser.py proves the output is nh3's.
_SIMPLE_NAMES = "abbr|b|bdi|cite|dfn|i|kbd|mark|q|s|samp|small|sub|u|var"
_SIMPLE_IN_MARKDOWN = re.compile(rf'<({_SIMPLE_NAMES})(?: title="[^"&<>\n]*")?>[^<\n]*</\1>')
_SIMPLE_IN_HTML = {
    name: re.compile(
        rf'<{name}(?: title="[^"&<>\n]*")?>[^<&\n]*(?:&(?:amp|lt|gt|quot);[^<&\n]*)*</{name}>'
    )
    for name in _SIMPLE_NAMES.split("|")
}


def needed(markdown: str, html: str) -> bool:
    """Whether balance() can change cmark-gfm's HTML of the markdown."""
    if _RAW_HTML.search(markdown) and not _only_simple_raw_html(markdown, html):
        return True
    # Counted in C (findall, map, accumulate): about a third of the parse's time.
    if max(accumulate(map(_STEP.__getitem__, _NESTING.findall(html))), default=0) > MAX_DEPTH:
        return True
    return _OTHER_LINK.search(html) is not None and LINK_IN_LINK.search(html) is not None


def _only_simple_raw_html(markdown: str, html: str) -> bool:
    """Whether the writer's raw HTML is all simple elements (above), each whole in the HTML."""
    names = set()
    pos = 0
    while (raw := _RAW_HTML.search(markdown, pos)) is not None:
        simple = _SIMPLE_IN_MARKDOWN.match(markdown, raw.start())
        if simple is None:
            return False  # other raw HTML
        names.add(simple.group(1))
        pos = simple.end()
    # The only raw tags are of these names (cmark writes none): each one in a whole element.
    # A long name counted anywhere (in text too: then the guard runs) costs one pass.
    return all(
        (
            html.count(name)
            if len(name) > 2
            else html.count(f"<{name}>") + html.count(f"<{name} ") + html.count(f"</{name}>")
        )
        == 2 * len(_SIMPLE_IN_HTML[name].findall(html))
        for name in names
    )


# A line starting with more than MAX_DEPTH block quote markers (CommonMark 5.1: up to three
# spaces, `>`, an optional space), and a fence (4.5) that would make such a line code.
_DEEP_QUOTE = re.compile(rf"^((?> {{0,3}}> ?){{{MAX_DEPTH}}})(?> {{0,3}}> ?)+", re.MULTILINE)
_FENCE_OR_DEEP = re.compile(rf"^ {{0,3}}(`{{3,}}|~{{3,}})|{_DEEP_QUOTE.pattern}", re.MULTILINE)


def cap_quotes(markdown: str) -> str:
    """The markdown with the block quote markers past MAX_DEPTH on a line left out.

    The output is the same once balance() has flattened what is deeper than the cap, but
    cmark-gfm no longer builds 80,000 nested quotes first. Lines in fenced code are kept.
    """
    if markdown.count(">") <= MAX_DEPTH or _DEEP_QUOTE.search(markdown) is None:
        return markdown
    pieces, last, fence = [], 0, ""
    for match in _FENCE_OR_DEEP.finditer(markdown):
        marker = match.group(1)
        if marker is not None:
            if not fence:
                fence = marker
            elif marker[0] == fence[0] and len(marker) >= len(fence):
                fence = ""
        elif not fence:
            pieces += [markdown[last : match.start()], match.group(2)]
            last = match.end()
    pieces.append(markdown[last:])
    return "".join(pieces)


def balance(html: str, problems: list[tuple[int, str]] | None = None) -> str:
    """The HTML, nested and capped as above; what was changed is appended to `problems` as
    (position in `html`, message), in order of position."""
    return _Guard(html, problems).run()
