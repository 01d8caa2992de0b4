"""Essay files: front matter, then the markdown body.

The site's dialect, as in the writer's existing files (and as `dump` writes them):

    ---
    slug: "/autonomy"
    date: "2023-09-09"
    title: "Autonomy"
    externalLink: ""
    ---

    Body...

`parse` also reads the other static-site dialects an essay may come from: Jekyll
(`YYYY-MM-DD-slug.md`, `permalink`, `published: false`), Hugo (YAML `---` or TOML `+++`,
`draft: true`), Gatsby and Eleventy (`slug`/`permalink`, dates with a time). Keys it does
not use (layout, categories...) are listed in `Essay.ignored`. Front matter `tags` (a list,
or text separated by commas) are the essay's topics; `dump` writes them only when there
are some, so a file without tags keeps its bytes.

A page of the site (About, Contact) is a file too: `layout: page` (Jekyll) or `type: page`
(Hugo) makes one, with no date, `weight` (Hugo) its order in the navigation and `nav: false`
to leave it out of it. The site writes its pages as:

    ---
    type: "page"
    slug: "/about"
    title: "About"
    weight: 1
    ---

The body is the text after the closing delimiter line, less one blank line before it and
one line break after it. So `dump(parse(text)) == text` for every file in the site's
dialect, and `parse(dump(essay)) == essay` for every essay.

Pure functions on text; errors name the file and line, and stay short whatever the input
(a value is shown cut to a few dozen characters). Hostile front matter fails fast: YAML
anchors and aliases are refused before anything is built (a few hundred bytes of aliases
can expand to gigabytes), and nesting too deep for the parsers is an error, not a crash.
"""

import datetime as dt
import json
import re
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import TYPE_CHECKING

import yaml

DELIMITER = "---"
TOML_DELIMITER = "+++"

# Keys this module understands; everything else in the front matter is ignored.
KNOWN_KEYS = frozenset(
    {
        "slug",
        "permalink",
        "date",
        "title",
        "externalLink",
        "external_link",
        "draft",
        "published",
        "tags",
    }
)
PAGE_KEYS = frozenset(
    {"slug", "permalink", "title", "draft", "published", "layout", "type", "weight", "nav"}
)
PAGE = "page"  # the value of `layout` (Jekyll) or `type` (Hugo) that makes a page


MAX_MESSAGE = 300


class FrontMatterError(ValueError):
    """A problem in an essay file, located by file and line."""

    def __init__(self, source: str, line: int, message: str) -> None:
        message = message if len(message) <= MAX_MESSAGE else message[: MAX_MESSAGE - 1] + "…"
        super().__init__(f"{source}:{line}: {message}")
        self.source = source
        self.line = line
        self.message = message


@dataclass(frozen=True)
class Essay:
    """An essay file, or a page's (`page`: no date or link, a place in the navigation)."""

    slug: str
    date: dt.date | None
    title: str
    external_link: str
    body: str
    draft: bool = False
    # The topics' names (front matter `tags`), as written (an essay's only).
    topics: tuple[str, ...] = ()
    # A page of the site, not an essay: no date, no link, no topics.
    page: bool = False
    nav: bool = True
    weight: int = 0
    # Line of each field in the file (for checks made later), and the keys not used.
    lines: Mapping[str, int] = field(default_factory=dict, compare=False, repr=False)
    ignored: tuple[str, ...] = field(default=(), compare=False)


def decode(raw: bytes, source: str) -> str:
    """The text of an essay file; invalid UTF-8 is reported with its line."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        raise FrontMatterError(
            source, line, f"not valid UTF-8 (byte {error.start}): save the file as UTF-8"
        ) from None


def parse(
    text: str,
    source: str = "<string>",
    *,
    path: PurePath | None = None,
    tz: dt.tzinfo | None = None,
) -> Essay:
    """Read an essay file's text; raise FrontMatterError naming the line at fault.

    `path` (the file's path) supplies the slug and date when the front matter has none, as
    Jekyll and Hugo do. `tz` is the site's time zone: a date with a time and an offset is
    read as the day it was there.
    """
    front, key_lines, body, body_line = _split(text.removeprefix("\ufeff"), source)

    def fail(key: str | None, message: str) -> FrontMatterError:
        return FrontMatterError(source, key_lines.get(key, 1) if key else 1, message)

    def text_value(key: str) -> str:
        value = front.get(key)
        if value is None:
            return ""
        if not isinstance(value, str):
            raise fail(key, f"{key} must be text: put the value in double quotes")
        return value.strip()

    name_date, name_slug = _from_path(path) if path else (None, "")
    slug_key = "slug" if text_value("slug") else "permalink"
    slug = text_value("slug").strip("/") or _from_permalink(front.get("permalink")) or name_slug
    if not slug:
        raise fail(None, 'missing slug: add a line like slug: "/my-essay"')

    title = text_value("title")
    if not title:
        raise fail("title", 'empty title: add a line like title: "My essay"')

    for key in ("draft", "published", "nav"):
        if key in front and not isinstance(front[key], bool):
            raise fail(key, f"{key} must be true or false")
    draft = front.get("draft") is True or front.get("published") is False
    lines = {
        "slug": key_lines.get(slug_key, 1),
        "title": key_lines.get("title", 1),
        "body": body_line,
    }

    if PAGE in (front.get("layout"), front.get("type")):
        weight = front.get("weight", 0)
        if not isinstance(weight, int) or isinstance(weight, bool):
            raise fail("weight", f"weight {_short(weight)}: write a whole number, like weight: 2")
        lines |= {
            "in_navigation": key_lines.get("nav", 1),
            "navigation_order": key_lines.get("weight", 1),
        }
        ignored = tuple(str(key) for key in front if key not in PAGE_KEYS)
        nav = front.get("nav") is not False
        return Essay(
            slug,
            None,
            title,
            "",
            body,
            draft,
            page=True,
            nav=nav,
            weight=weight,
            lines=lines,
            ignored=ignored,
        )

    if front.get("date") is None and name_date is None:
        raise fail(None, 'missing date: add a line like date: "2024-01-31"')
    date = name_date if front.get("date") is None else _date(front["date"], tz)
    if date is None:
        raise fail("date", f"bad date {_short(front['date'])}: write it as YYYY-MM-DD")

    link_key = "external_link" if "external_link" in front else "externalLink"
    link = text_value(link_key)  # checked, with the slug, by the model's validators

    topics = _tags(front.get("tags"), fail)

    lines |= {
        "date": key_lines.get("date", 1),
        "external_link": key_lines.get(link_key, 1),
        "topics": key_lines.get("tags", 1),
    }
    ignored = tuple(str(key) for key in front if key not in KNOWN_KEYS)
    return Essay(slug, date, title, link, body, draft, topics, lines=lines, ignored=ignored)


def dump(essay: Essay) -> str:
    """Write an essay or a page in the site's dialect (the inverse of parse)."""
    if essay.page:
        lines = [
            DELIMITER,
            f"type: {_quote(PAGE)}",
            f"slug: {_quote('/' + essay.slug)}",
            f"title: {_quote(essay.title)}",
            f"weight: {essay.weight}",
        ]
        if not essay.nav:
            lines.append("nav: false")
    else:
        assert essay.date is not None  # an essay's, always (parse)
        lines = [
            DELIMITER,
            f"slug: {_quote('/' + essay.slug)}",
            f"date: {_quote(essay.date.isoformat())}",
            f"title: {_quote(essay.title)}",
            f"externalLink: {_quote(essay.external_link)}",
        ]
        if essay.topics:
            lines.append(f"tags: [{', '.join(_quote(name) for name in essay.topics)}]")
    if essay.draft:
        lines.append("draft: true")
    lines.append(DELIMITER)
    text = "\n".join(lines) + "\n"
    return text + f"\n{essay.body}\n" if essay.body else text


# Characters a YAML double-quoted scalar can't hold as they are: YAML reads U+0085, U+2028
# and U+2029 as line breaks, and refuses the other C1 controls and non-characters.
_YAML_UNSAFE = re.compile("[\x7f-\x9f\u2028\u2029\ufffe\uffff]")


def _quote(value: str) -> str:
    # A JSON string is a valid YAML double-quoted scalar, once the characters above are escaped.
    quoted = json.dumps(value, ensure_ascii=False)
    return _YAML_UNSAFE.sub(lambda match: f"\\u{ord(match[0]):04x}", quoted)


def _split(text: str, source: str) -> tuple[dict, dict[str, int], str, int]:
    """The front matter, the line of each top-level key, the body and the body's first line."""
    first, _, _ = text.partition("\n")
    delimiter = first.rstrip()
    if delimiter not in (DELIMITER, TOML_DELIMITER):
        raise FrontMatterError(source, 1, "no front matter: the file must start with a --- line")
    lines: list[str] = []
    start = len(first) + 1
    while True:
        if start > len(text):
            message = f"front matter opened here is not closed: add a {delimiter} line after it"
            raise FrontMatterError(source, 1, message)
        end = text.find("\n", start)
        end = len(text) if end == -1 else end
        line = text[start:end]
        start = end + 1
        if line.rstrip() == delimiter:
            break
        lines.append(line)
    if delimiter == DELIMITER:
        front, key_lines = _yaml(lines, source)
    else:
        front, key_lines = _toml(lines, source)

    # Layout, not content: one blank line after the front matter and the final line break,
    # in the file's own line ending (so a body's CRLF line breaks are kept as written).
    newline = "\r\n" if line.endswith("\r") else "\n"
    body = text[start:]
    body_line = len(lines) + 3
    if body.startswith(newline):
        body = body.removeprefix(newline)
        body_line += 1
    return front, key_lines, body.removesuffix(newline), body_line


if TYPE_CHECKING:
    _SafeLoader = yaml.SafeLoader  # libyaml's has the same interface
else:
    _SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_SafeLoader):
    """PyYAML's safe loader (libyaml's when present: ten times faster)."""


def _timestamp(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> object:
    # An impossible date such as 2024-13-45 stays text, to be reported as a bad date.
    try:
        return loader.construct_yaml_timestamp(node)
    except ValueError:
        return loader.construct_scalar(node)


_Loader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp)


def _yaml(lines: list[str], source: str) -> tuple[dict, dict[str, int]]:
    text = "\n".join(lines)
    try:
        _refuse_aliases(text, source)
        front = yaml.load(text, Loader=_Loader) or {}  # noqa: S506 (a safe loader)
    except FrontMatterError:
        raise
    except (yaml.YAMLError, ValueError, RecursionError) as error:
        mark = getattr(error, "problem_mark", None)
        line = mark.line + 2 if mark else 1
        problem = getattr(error, "problem", None) or str(error)
        message = f"front matter is not valid YAML: {problem} (text with : or # needs quotes)"
        raise FrontMatterError(source, line, message) from None
    if not isinstance(front, dict):
        raise FrontMatterError(source, 2, "front matter must be key: value lines")
    key_lines: dict[str, int] = {}
    for number, line in enumerate(lines, start=2):
        if ":" not in line or line.startswith((" ", "\t", "#", "-")):
            continue
        key = line.split(":", 1)[0].strip().strip("\"'")
        if key in key_lines:
            raise FrontMatterError(
                source,
                number,
                f"{key[:60]} is given twice (also on line {key_lines[key]}): keep one",
            )
        key_lines[key] = number
    return front, key_lines


def _refuse_aliases(text: str, source: str) -> None:
    """Refuse YAML anchors (&name) and aliases (*name), reading tokens only, building nothing."""
    if "&" not in text and "*" not in text:
        return
    for token in yaml.scan(text, Loader=_Loader):
        if isinstance(token, yaml.AnchorToken | yaml.AliasToken):
            message = (
                f"YAML anchors and aliases (&{token.value[:20]}, *{token.value[:20]}) are not "
                "accepted in front matter: write each value out"
            )
            raise FrontMatterError(source, token.start_mark.line + 2, message)


_TOML_KEY = re.compile(r"\s*([A-Za-z0-9_-]+)\s*=")
_TOML_AT = re.compile(r"\s*\(at (?:line (\d+), column \d+|end of document)\)")


def _toml(lines: list[str], source: str) -> tuple[dict, dict[str, int]]:
    try:
        front = tomllib.loads("\n".join(lines))
    except RecursionError:
        raise FrontMatterError(source, 2, "front matter is nested too deeply") from None
    except tomllib.TOMLDecodeError as error:
        found = _TOML_AT.search(str(error))
        at = int(found[1]) + 1 if found and found[1] else len(lines) + 1
        problem = _TOML_AT.sub("", str(error))
        raise FrontMatterError(source, at, f"front matter is not valid TOML: {problem}") from None
    key_lines: dict[str, int] = {}
    for number, line in enumerate(lines, start=2):
        if line.lstrip().startswith("["):
            break  # the keys of tables ([params]...) are not the page's own
        if match := _TOML_KEY.match(line):
            key_lines.setdefault(match[1], number)
    return front, key_lines


def _tags(value: object, fail: Callable[[str | None, str], FrontMatterError]) -> tuple[str, ...]:
    """Topic names from `tags`: a list, or text separated by commas as some generators write
    it ("remote work, hiring"). A number is a name too (`tags: [2024]`)."""
    if value is None:
        return ()
    if isinstance(value, str):
        value = value.split(",")
    if not isinstance(value, list) or not all(
        isinstance(item, str | int | float) and not isinstance(item, bool) for item in value
    ):
        raise fail("tags", 'tags must be a list of names: tags: ["remote work", "hiring"]')
    return tuple(name for item in value if (name := str(item).strip()))


_DATED_NAME = re.compile(r"(\d{4}-\d{2}-\d{2})[-_](.+)")


def _from_path(path: PurePath) -> tuple[dt.date | None, str]:
    """The date and slug in a file name: `2023-09-09_slug.md` (the site, Jekyll with `-`),
    `slug.md`, or a page bundle `slug/index.md` (Hugo, Gatsby)."""
    stem = path.stem
    if stem in ("index", "_index"):
        stem = path.parent.name
    if match := _DATED_NAME.fullmatch(stem):
        try:
            return dt.date.fromisoformat(match[1]), match[2]
        except ValueError:
            return None, stem
    return None, stem


def _from_permalink(value: object) -> str:
    """The last part of a permalink ("/blog/my-essay/" -> "my-essay"), unless it's a pattern."""
    if not isinstance(value, str) or any(char in value for char in ":{%"):
        return ""
    parts = [part for part in value.split("/") if part and part != "index.html"]
    return parts[-1].removesuffix(".html") if parts else ""


_DATE_TEXT = re.compile(
    r"\d{4}-\d{2}-\d{2}"
    r"(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:\s*(?:Z|[+-]\d{2}:?\d{2}))?)?"
)


def _date(value: object, tz: dt.tzinfo | None) -> dt.date | None:
    """The day of a date, a datetime (in `tz` when it has an offset) or their ISO text."""
    if isinstance(value, str):
        text = value.strip()
        if not _DATE_TEXT.fullmatch(text):
            return None
        try:
            # Jekyll writes "2023-09-09 10:00:00 +0100": no space before the offset for Python.
            value = dt.datetime.fromisoformat(re.sub(r"\s+(?=[Z+-])", "", text))
        except ValueError:
            return None
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None and tz is not None:
            try:
                value = value.astimezone(tz)
            except OverflowError:  # 9999-12-31T23:59:59-14:00 is in year 10000 in UTC
                return None
        return value.date()
    if isinstance(value, dt.date):
        return value
    return None


def _short(value: object, limit: int = 60) -> str:
    """A value as shown in a message: its repr, cut to `limit` characters."""
    shown = repr(value)
    return shown if len(shown) <= limit else shown[: limit - 1] + "…"
