"""The writer's own footnote convention, translated to `[^n]` footnotes for rendering only.

    Employees all say they want it(1). ...

    --

    (1) IMO autonomy is not meant for all.

The notes section is the last line that is exactly `--`, followed only by paragraphs that
each start with `(n) ` (a paragraph may run over several lines). A marker is `(n)` written
right after a word or punctuation mark, for a number that has a note. Markers inside code,
raw HTML, link destinations or link text stay literal, as do `(n)` after a space or at the
start of a line, `\\(n)`, and numbers without a note: a marker becomes a footnote exactly
when `[^n]` in its place would. The stored body is never changed.

A note that nothing refers to is not dropped: it stays visible, as written, after a
thematic break, so the writer sees the dangling number.
"""

import re
from collections.abc import Callable, Iterator

from blog.rendering.guard import LINK_IN_LINK

# The separator: exactly `--` on its own line (trailing spaces forgiven).
# `--` first, then the look behind it for the line's start: the search skips to each `--`.
_SEPARATOR = re.compile(r"--(?<=^--)[ \t]*$", re.MULTILINE)
_NOTE_START = re.compile(r"\((\d{1,4})\)[ \t]+")
_FENCE = re.compile(r"^ {0,3}(?:```|~~~)")
# After a character that is not a space, `]` (`[text](1)` is a link) or a backslash.
# The `(` first, then the look behind it: the search skips from `(` to `(` (50x faster).
_MARKER = re.compile(r"\((?<=[^\s\]\\]\()(\d{1,4})\)")

# Anything that can keep a marker from being a footnote: code spans and fences, indented
# code (in a block quote too), raw HTML and autolinks, links and link definitions. Text
# with none of these needs no trial rendering.
_MAY_HIDE_MARKERS = re.compile(r"`|~~~|<|\]\(|\]:|^(?: {0,3}>)* ?(?: {4}|\t)", re.MULTILINE)
# Those that reach past a blank line: fences, link definitions, raw HTML blocks that run
# to their end tag (CommonMark 4.6, types 1 to 5), indented code (4 spaces, after a quote
# marker too). Without them, only what is in a marker's own run of lines (between blank
# lines) can hide it (a code span, inline raw HTML, an autolink, a link), and such a run
# parses alone as it does in the essay: only those runs need the trial.
_MAY_HIDE_FAR = re.compile(
    r"```|~~~|\]:|    |\t|<(?:[!?]|(?:pre|script|style|textarea)[\s>/])", re.IGNORECASE
)
_BLANK_LINE = re.compile(r"\n[ \t]*\n")
# Trial labels: a private-use character no writer types, then the candidate's index.
_TRIAL = "\ue000"
# In the trial HTML: a reference to a trial note (cmark-gfm percent-encodes the label), or
# a link opening or closing, to tell references inside link text.
_TRIAL_REF_OR_LINK = re.compile(r'<a\b[^>]*? id="fnref-%EE%80%80(\d+)"|<a\b|</a>')


def translate_and_parse(text: str, to_html: Callable[[str], str]) -> tuple[str, str]:
    """translate(text) and its HTML, in one parse where it can be.

    Each marker is first taken for a footnote, as it nearly always is; the HTML of that
    says whether it was: as many references as markers, none in a link's text. Else the
    markers are tried (translate). Only for text without footnotes or link definitions of
    its own (`[^`, `]:`), whose references and links are then all the markers' doing.
    """
    if "[^" in text or "]:" in text:
        translated = translate(text, to_html)
        return translated, to_html(translated)
    translated = translate(text, to_html, trial=False)
    html = to_html(translated)
    # The definitions start lines; a marker never does (it follows a word).
    markers = translated.count("[^") - translated.count("\n[^")
    # A link needs `](` or `<` (a reference link, `]:`, is not here): without, none holds one.
    in_link = ("](" in translated or "<" in translated) and LINK_IN_LINK.search(html)
    if translated is text or (html.count(" data-footnote-ref>") == markers and not in_link):
        return translated, html
    translated = translate(text, to_html)
    return translated, to_html(translated)


def translate(text: str, to_html: Callable[[str], str], *, trial: bool = True) -> str:
    """Return markdown where the legacy notes are `[^n]` footnotes (or the text unchanged).

    `to_html` is the parser, used to find which markers sit in code or links (without
    `trial`, every marker of a note is taken for a footnote).
    """
    if "--" not in text:
        return text
    split = _split_notes(text)
    if split is None:
        return text
    body, paragraphs = split
    first: dict[int, int] = {}  # the paragraph that is note n (a repeated number is not)
    for index, (number, _) in enumerate(paragraphs):
        first.setdefault(number, index)
    notes = {number: paragraphs[index][1] for number, index in first.items()}
    referenced: set[int] = set()
    if trial and _MAY_HIDE_MARKERS.search(body):
        out = _translate_markers(body, notes, referenced, to_html)
    elif (numbers := set(_MARKER.findall(body))) <= {str(number) for number in notes}:
        # Every marker is one of a note, as written (`(1)`, not `(01)`): in one pass in C.
        out = _MARKER.sub(r"[^\1]", body).rstrip()
        referenced.update(map(int, numbers))
    else:  # every marker of a note is one

        def reference(match: re.Match) -> str:
            number = int(match.group(1))
            if number not in notes:
                return match.group(0)
            referenced.add(number)
            return f"[^{number}]"

        out = _MARKER.sub(reference, body).rstrip()

    literal = [
        note for i, (n, note) in enumerate(paragraphs) if n not in referenced or first[n] != i
    ]
    if literal:
        out += "\n\n* * *\n\n" + "\n\n".join(literal)
    definitions = [_definition(n, note) for n, note in notes.items() if n in referenced]
    if definitions:
        out += "\n\n" + "\n\n".join(definitions)
    return out + "\n"


def _translate_markers(
    body: str, notes: dict[int, str], referenced: set[int], to_html: Callable[[str], str]
) -> str:
    """The body with its markers that are footnotes written `[^n]`; their numbers are
    added to `referenced`."""
    candidates = [m for m in _MARKER.finditer(body) if int(m.group(1)) in notes]
    in_text = _markers_in_text(body, candidates, to_html)
    referenced.update(int(candidates[k].group(1)) for k in in_text)
    pieces = []
    last = 0
    for k, match in enumerate(candidates):
        if k in in_text:
            pieces += [body[last : match.start()], f"[^{int(match.group(1))}]"]
            last = match.end()
    pieces.append(body[last:])
    return "".join(pieces).rstrip()


def _split_notes(text: str) -> tuple[str, list[tuple[int, str]]] | None:
    """The body before the separator and the notes after it, as (number, paragraph).

    None when the text has no notes section.
    """
    separator = None
    for separator in _SEPARATOR.finditer(text):  # noqa: B007 - the last one counts
        pass
    if separator is None:
        return None
    paragraphs: list[tuple[int, list[str]]] = []  # (number, lines)
    blank = True
    for line in text[separator.end() :].split("\n"):
        if not line.strip():
            blank = True
        elif _FENCE.match(line):
            return None  # the `--` is code, not a separator
        elif start := _NOTE_START.match(line):
            paragraphs.append((int(start.group(1)), [line]))
            blank = False
        elif not blank and paragraphs:
            paragraphs[-1][1].append(line)  # the note goes on
        else:
            return None  # a paragraph that is not a note: this `--` is part of the essay
    if not paragraphs:
        return None
    notes = [(number, "\n".join(lines)) for number, lines in paragraphs]
    return text[: separator.start()], notes


def _markers_in_text(body: str, candidates: list[re.Match], to_html: Callable) -> set[int]:
    """Indexes of the candidates that become footnotes when written as `[^n]`.

    Each candidate is tried as a footnote of its own and the text rendered once (or only
    the runs of lines that need it): a marker in code, raw HTML, an attribute or a URL
    gives no reference, and one in a link's text is kept literal (a link inside a link is
    no link).
    """
    if not candidates:
        return set()
    if not _MAY_HIDE_MARKERS.search(body):
        return set(range(len(candidates)))
    if _MAY_HIDE_FAR.search(body):
        return _tried(body, [(0, len(body))], candidates, to_html)
    spans: list[tuple[int, int]] = []
    safe: set[int] = set()
    k = 0
    for start, end in _runs(body):
        first = k
        while k < len(candidates) and candidates[k].start() < end:
            k += 1
        if first < k and _MAY_HIDE_MARKERS.search(body, start, end):
            spans.append((start, end))
        else:
            safe.update(range(first, k))
    return safe | (_tried(body, spans, candidates, to_html) if spans else set())


def _runs(body: str) -> Iterator[tuple[int, int]]:
    """(start, end) of each run of lines between blank lines."""
    start = 0
    for blank in _BLANK_LINE.finditer(body):
        yield start, blank.start()
        start = blank.end()
    yield start, len(body)


def _tried(
    body: str, spans: list[tuple[int, int]], candidates: list[re.Match], to_html: Callable
) -> set[int]:
    """The candidates in these spans of the body that are references in the trial HTML."""
    pieces: list[str] = []
    tried: list[int] = []
    k = 0
    for start, end in spans:
        while k < len(candidates) and candidates[k].start() < start:
            k += 1
        last = start
        while k < len(candidates) and candidates[k].start() < end:
            match = candidates[k]
            pieces += [body[last : match.start()], f"[^{_TRIAL}{k}]"]
            tried.append(k)
            last = match.end()
            k += 1
        pieces += [body[last:end].rstrip(), "\n\n"]
    pieces += [f"[^{_TRIAL}{k}]: .\n\n" for k in tried]
    found = set()
    depth = 0  # links open around this point
    for match in _TRIAL_REF_OR_LINK.finditer(to_html("".join(pieces))):
        if match.group(1) is not None:
            if depth == 0:
                found.add(int(match.group(1)))
            depth += 1
        elif match.group(0) == "</a>":
            depth = max(depth - 1, 0)
        else:
            depth += 1
    return found


def _definition(number: int, note: str) -> str:
    """`(n) text` as `[^n]: text`, continuation lines indented to stay in the note."""
    first, *rest = note.split("\n")
    lines = [f"[^{number}]: {_NOTE_START.sub('', first, count=1)}"]
    lines += [f"    {line}" for line in rest]
    return "\n".join(lines)
