"""An essay's stored HTML as the plain-text part of its email.

The input is the renderer's sanitised output (blog.rendering.sanitise: a small, known set
of tags), with absolute links. Paragraphs are separated by blank lines, links are followed
by their address, lists keep their markers, quotes get "> ", code keeps its lines, and the
notes come last as plain numbered endnotes.
"""

import re
from html.parser import HTMLParser

_BLOCKS = frozenset(
    {"p", "div", "section", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "dl", "dt"}
    | {"dd", "pre", "blockquote", "table", "tr", "figure", "figcaption", "details", "summary"}
    | {"hr", "caption"}
)
_SPACES = re.compile(r"[ \t\r\n]+")


def to_text(body_html: str) -> str:
    parser = _TextParser()
    parser.feed(body_html)
    parser.close()
    return parser.text()


class _TextParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[str] = []  # finished blocks, each with the separator before it
        self.table = 0
        self.first_in_group = True  # the next list item or table row starts its group
        self.line: list[str] = []  # the block being written
        self.quote = 0  # blockquote depth
        self.pre = 0
        self.lists: list[list[int]] = []  # one counter per open list (-1: bullets)
        self.links: list[tuple[int, str]] = []  # open <a>s: where their text starts, href
        self.prefix = ""  # the list marker for the block being written

    # Blocks

    def _flush(self) -> None:
        text = "".join(self.line)
        text = text.rstrip("\n") if self.pre else _SPACES.sub(" ", text).strip()
        self.line = []
        if not text:
            return
        indent = "  " * max(len(self.lists) - 1, 0)
        lines = text.split("\n")
        if self.prefix:
            first, rest = f"{indent}{self.prefix}", " " * (len(indent) + len(self.prefix))
            lines = [first + lines[0], *(rest + line for line in lines[1:])]
            self.prefix = ""
        elif self.pre:
            lines = ["    " + line for line in lines]
        elif self.lists:
            lines = [" " * (len(indent) + 3) + line for line in lines]
        if self.quote:
            lines = [("> " * self.quote + line).rstrip() for line in lines]
        # Items of a list and rows of a table follow each other line by line.
        tight = (self.lists or self.table) and not self.first_in_group
        self.first_in_group = False
        self.blocks.append(("\n" if tight else "\n\n") + "\n".join(lines))

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag in _BLOCKS or tag == "br":
            if tag == "br":
                self.line.append("\n" if self.pre else " ")
                return
            self._flush()
        if tag == "blockquote":
            self.quote += 1
        elif tag == "pre":
            self.pre += 1
        elif tag in {"ul", "ol"}:
            start = attributes.get("start") or "1"
            self.lists.append([int(start) if tag == "ol" and start.isdigit() else -1])
            self.first_in_group = not self.lists[:-1]
        elif tag == "table":
            self.table += 1
            self.first_in_group = True
        elif tag == "li" and self.lists:
            counter = self.lists[-1]
            self.prefix = "- " if counter[0] < 0 else f"{counter[0]}. "
            if counter[0] >= 0:
                counter[0] += 1
        elif tag == "hr":
            self.blocks.append("\n\n* * *")
        elif tag == "img":
            alt = attributes.get("alt") or "image"
            self.line.append(f"[{alt}: {attributes.get('src', '')}]")
        elif tag == "a" and attributes.get("role") == "doc-noteref":
            self.line.append("[")
            self.links.append((len(self.line), "]"))
        elif tag == "a":
            self.links.append((len(self.line), attributes.get("href") or ""))
        elif tag in {"td", "th"} and "".join(self.line).strip():
            self.line.append(" | ")

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self.links:
            start, href = self.links.pop()
            text = "".join(self.line[start:]).strip()
            if href == "]":
                self.line.append("]")
            elif href and not href.startswith("mailto:") and text != href:
                self.line.append(f" <{href}>")
        elif tag in _BLOCKS:
            self._flush()
            if tag == "blockquote":
                self.quote = max(self.quote - 1, 0)
            elif tag == "pre":
                self.pre = max(self.pre - 1, 0)
            elif tag in {"ul", "ol"} and self.lists:
                self.lists.pop()
            elif tag == "table":
                self.table = max(self.table - 1, 0)

    def handle_data(self, data: str) -> None:
        self.line.append(data)

    def text(self) -> str:
        self._flush()
        return "".join(self.blocks).lstrip("\n") + "\n"
