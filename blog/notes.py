"""Notes where readers read: an essay's stored HTML made into its page's HTML.

    for_page(body_html) -> html     # the essay page and the admin preview only

The stored body_html (blog.rendering) keeps plain endnotes: feeds, excerpts and email use
it as it is. On the page, with the site's notes set to "sidenotes", each note is shown
where it is referred to, and no script is needed to read it:

- Wide: a copy of the note floats in the margin beside the line of its first reference
  (Tufte CSS's technique). Floats with `clear` stack downward, so notes never overlap
  however close their references; CSS anchor positioning can't promise that. A float must
  sit inside the paragraph to start on the reference's line, so the copy is phrasing
  content: block tags become <span class="note-p"> and the like, styled as blocks.
- Narrow: the reference is a <button popovertarget> and the endnote itself (its <li>) is
  the popover: tapped, it opens beside the reference (`popover` auto: Escape or a tap
  outside closes it, so does its Close button); closed, it stays in the list at the end,
  which is kept for print and as the fallback (a browser without popovers shows the link).
- Assistive technology meets one structure at every width: references (doc-noteref) that
  lead to the endnotes (doc-endnotes) and back. The margin copy is a visual duplicate:
  aria-hidden, its links out of the tab order (tabindex=-1), its ids dropped.
- Which elements show at which width is CSS's choice alone (essay.css, a container query
  on .essay-body), so the page and the admin preview share the rule. References in a table
  cell, a link or a <summary> get no margin copy (no margin there, or no nesting allowed).

Done per page rather than stored: the site's choice then needs no re-render or migration.
It is one pass of a tag regex over known, sanitised markup (nh3's output: balanced tags,
quoted attributes), linear in the body, paid on a page-cache miss only: about 0.5 ms for
an essay with 14 notes, a third of what rendering its markdown costs (measured on the
shared development machine).
"""

import re

from site_config.identity import site_settings

# The footnote contract of blog.rendering (tests/test_rendering_helpers.py).
_SECTION = '<section class="footnotes" role="doc-endnotes">'
_REF = (
    r'<sup class="footnote-ref"><a href="#(fn-[^"]+)" id="(fnref-[^"]+)" role="doc-noteref">'
    r"([^<]*)</a></sup>"
)
_TAG = r"<(/?)([a-zA-Z][a-zA-Z0-9]*)((?:[^>\"']|\"[^\"]*\"|'[^']*')*)>"
_TOKEN = re.compile(f"{_REF}|{_TAG}")
_TAG_ONLY = re.compile(_TAG)
_NOTE_ITEM = re.compile(r'<li id="(fn-[^"]+)">')
_BACKREF = re.compile(r' ?<a href="#fnref-[^"]*" class="footnote-backref".*?</a>', re.DOTALL)
_ID = re.compile(r'\s+id="[^"]*"')
_CLASS = re.compile(r'\bclass="([^"]*)"')

VOID = frozenset({"br", "hr", "img", "wbr", "col"})
# Flow content a note may hold (the sanitiser's allowlist): spans in the margin copy.
BLOCKS = frozenset(
    {"p", "div", "section", "blockquote", "pre", "hr", "figure", "figcaption", "details"}
    | {"summary", "ul", "ol", "li", "dl", "dt", "dd", "h1", "h2", "h3", "h4", "h5", "h6"}
    | {"table", "caption", "colgroup", "col", "thead", "tbody", "tfoot", "tr", "th", "td"}
)
# A reference inside these gets no margin copy.
NO_MARGIN_INSIDE = frozenset({"a", "table", "summary"})


def site_style() -> str:
    """The writer's choice for the site: "sidenotes" or "endnotes" (one place to read it:
    the site's settings)."""
    return site_settings().notes


def for_page(body_html: str, style: str | None = None) -> str:
    """The essay page's HTML for a stored body: as stored with endnotes, else with sidenotes
    and in-place notes."""
    if (style or site_style()) != "sidenotes":
        return body_html
    start = body_html.find(_SECTION)
    if start < 0:
        return body_html
    text, section = body_html[:start], body_html[start:]
    notes = _notes(section)
    if not notes:
        return body_html
    numbers = {note_id: n for n, note_id in enumerate(notes, 1)}  # the list's order

    def popover(match: re.Match) -> str:
        note_id = match.group(1)
        return _as_popover(note_id, numbers[note_id]) if note_id in notes else match.group(0)

    return _references(text, notes) + _NOTE_ITEM.sub(popover, section)


def _notes(section: str) -> dict[str, str]:
    """Each note's inner HTML by id ("fn-1"), from the endnotes section."""
    notes: dict[str, str] = {}
    depth = 0  # of <li> elements
    note_id, inner_start = "", 0
    for match in _TAG_ONLY.finditer(section):
        closing, name = match.group(1), match.group(2).lower()
        if name != "li":
            continue
        if not closing:
            if depth == 0:
                item = _NOTE_ITEM.match(match.group(0))
                note_id, inner_start = (item.group(1) if item else ""), match.end()
            depth += 1
        elif depth:
            depth -= 1
            if depth == 0 and note_id:
                notes[note_id] = section[inner_start : match.start()]
    return notes


def _references(text: str, notes: dict[str, str]) -> str:
    """References become a link (wide) and a popover button (narrow); each note's first
    reference is followed by its margin copy."""
    out: list[str] = []
    open_tags: list[str] = []
    placed: set[str] = set()
    last = 0
    for match in _TOKEN.finditer(text):
        note_id, ref_id, number, closing, name = match.group(1, 2, 3, 4, 5)
        if name:  # any other tag: keep track of where we are
            name = name.lower()
            if name in VOID:
                continue
            if not closing:
                open_tags.append(name)
            elif name in open_tags:
                del open_tags[len(open_tags) - 1 - open_tags[::-1].index(name) :]
            continue
        if note_id not in notes:
            continue  # a hand-written reference to nothing: left as it is
        out.append(text[last : match.start()])
        last = match.end()
        out.append(
            f'<sup class="footnote-ref" id="{ref_id}">'
            f'<a href="#{note_id}" role="doc-noteref">{number}</a>'
            f'<button type="button" class="note-button" popovertarget="{note_id}"'
            f' aria-label="Note {number}">{number}</button></sup>'
        )
        if note_id not in placed and NO_MARGIN_INSIDE.isdisjoint(open_tags):
            placed.add(note_id)
            out.append(
                f'<span class="sidenote" aria-hidden="true">'
                f'<span class="sidenote-number">{number}</span> '
                f"{_margin_copy(notes[note_id])}</span>"
            )
    out.append(text[last:])
    return "".join(out)


def _margin_copy(inner: str) -> str:
    """A note's HTML as phrasing content, without ids, back-links or tab stops."""
    return _TAG_ONLY.sub(_phrasing_tag, _BACKREF.sub("", inner).strip())


def _phrasing_tag(match: re.Match) -> str:
    closing, name, attributes = match.groups()
    name = name.lower()
    if name == "col":
        return ""
    if name in BLOCKS:
        if closing:
            return "</span>"
        found = _CLASS.search(attributes)
        classes = f"note-{name} {found.group(1)}" if found else f"note-{name}"
        return f'<span class="{classes}">' + ("</span>" if name in VOID else "")
    attributes = _ID.sub("", attributes)
    if name == "a" and not closing:
        attributes = ' tabindex="-1"' + attributes
    return f"<{closing}{name}{attributes}>"


def _as_popover(note_id: str, number: int) -> str:
    # data-number titles the open note (CSS counters don't count in the top layer).
    return (
        f'<li id="{note_id}" popover data-number="{number}">'
        f'<button type="button" class="note-close" popovertarget="{note_id}"'
        ' popovertargetaction="hide">Close</button>'
    )
