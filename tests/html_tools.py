"""Reading rendered HTML in tests.

normalise(): HTML normalised for comparison, in the spirit of the CommonMark spec's test
harness. Equal after normalising means: same elements, same attributes (in any order, values with
entities decoded), same text, where whitespace next to block-level tags and runs of
whitespace outside <pre> don't count. Entities and characters are compared decoded.
"""

import re
from html import escape
from html.parser import HTMLParser

_BLOCK_NAMES = """
address article aside blockquote body caption col colgroup dd details dialog div dl dt
fieldset figcaption figure footer form h1 h2 h3 h4 h5 h6 head header hr html iframe legend
li link main menu meta nav ol optgroup option p param pre script section source style
summary table tbody td textarea tfoot th thead title tr track ul video
"""
BLOCK = frozenset(_BLOCK_NAMES.split())
_SPACES = re.compile(r"\s+")


class _Normaliser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[tuple[str, str]] = []  # (kind, markup): block/inline/text/pre
        self.text: list[str] = []
        self.in_pre = 0

    def _flush(self) -> None:
        text = "".join(self.text)
        self.text = []
        if not self.in_pre:
            text = _SPACES.sub(" ", text)
        if text:
            # Text inside <pre> is kept exactly: kind "pre" is never trimmed.
            self.parts.append(("pre" if self.in_pre else "text", escape(text, quote=False)))

    def _markup(self, tag: str, markup: str) -> None:
        self._flush()
        self.parts.append(("block" if tag in BLOCK else "inline", markup))

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = "".join(f' {k}="{escape(v or "")}"' for k, v in sorted(attrs))
        self._markup(tag, f"<{tag}{attributes}>")
        if tag == "pre":
            self.in_pre += 1

    handle_startendtag = handle_starttag  # <br /> is <br>

    def handle_endtag(self, tag: str) -> None:
        if tag == "pre" and self.in_pre:
            self.in_pre -= 1
        self._markup(tag, f"</{tag}>")

    def handle_data(self, data: str) -> None:
        self.text.append(data)

    def handle_comment(self, data: str) -> None:
        self._markup("", f"<!--{data}-->")

    def handle_decl(self, decl: str) -> None:
        self._markup("", f"<!{decl}>")

    def handle_pi(self, data: str) -> None:
        self._markup("", f"<?{data}>")

    def unknown_decl(self, data: str) -> None:
        self._markup("", f"<![{data}]>")

    def result(self) -> str:
        self.close()
        self._flush()
        out = []
        for i, (kind, markup) in enumerate(self.parts):
            if kind == "text":
                before = self.parts[i - 1][0] if i else "block"
                after = self.parts[i + 1][0] if i + 1 < len(self.parts) else "block"
                if before == "block":
                    markup = markup.lstrip()
                if after == "block":
                    markup = markup.rstrip()
            out.append(markup)
        return "".join(out)


def normalise(html: str) -> str:
    parser = _Normaliser()
    parser.feed(html)
    return parser.result()


class Anchors(HTMLParser):
    """Every id, every in-page link (`href="#x"` as "x"), and the text outside tags."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.ids: list[str] = []
        self.fragments: list[str] = []
        self.text: list[str] = []
        self.feed(html)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if attributes.get("id"):
            self.ids.append(attributes["id"])
        href = attributes.get("href") or ""
        if href.startswith("#"):
            self.fragments.append(href[1:])

    def handle_data(self, data: str) -> None:
        self.text.append(data)
