"""Essay files: YAML front matter between `---` lines, then the markdown body.

The site's dialect, as in the writer's existing files:

    ---
    slug: "/autonomy"
    date: "2023-09-09"
    title: "Autonomy"
    externalLink: ""
    ---

    Body...

Pure functions on text; errors name the file and line.
"""

import datetime as dt
import json
from dataclasses import dataclass

import yaml

DELIMITER = "---"


class FrontMatterError(ValueError):
    """A problem in an essay file, located by file and line."""

    def __init__(self, source: str, line: int, message: str) -> None:
        super().__init__(f"{source}:{line}: {message}")
        self.source = source
        self.line = line
        self.message = message


@dataclass(frozen=True)
class Essay:
    slug: str
    date: dt.date
    title: str
    external_link: str
    body: str
    draft: bool = False


def parse(text: str, source: str = "<string>") -> Essay:
    """Read an essay file's text; raise FrontMatterError naming the line at fault."""
    front, front_lines, body = _split(text, source)

    def fail(key: str | None, message: str) -> FrontMatterError:
        line = front_lines.get(key, 1) if key else 1
        return FrontMatterError(source, line, message)

    slug = str(front.get("slug") or "").strip().strip("/")
    if not slug:
        raise fail("slug", 'missing slug: add a line like slug: "/my-essay"')
    title = str(front.get("title") or "").strip()
    if not title:
        raise fail("title", 'empty title: add a line like title: "My essay"')
    if "date" not in front:
        raise fail(None, 'missing date: add a line like date: "2024-01-31"')
    date = _date(front["date"])
    if date is None:
        raise fail("date", f"bad date {front['date']!r}: write it as YYYY-MM-DD")
    link = front.get("externalLink") or ""
    if not isinstance(link, str):
        raise fail("externalLink", "externalLink must be a URL in quotes, or empty")
    draft = front.get("draft", False)
    if not isinstance(draft, bool):
        raise fail("draft", "draft must be true or false")
    return Essay(slug, date, title, link.strip(), body, draft)


def dump(essay: Essay) -> str:
    """Write an essay in the site's dialect (the inverse of parse)."""
    lines = [
        DELIMITER,
        f"slug: {_quote('/' + essay.slug)}",
        f"date: {_quote(essay.date.isoformat())}",
        f"title: {_quote(essay.title)}",
        f"externalLink: {_quote(essay.external_link)}",
    ]
    if essay.draft:
        lines.append("draft: true")
    lines += [DELIMITER, "", essay.body]
    return "\n".join(lines) + "\n"


def _quote(value: str) -> str:
    # A JSON string is a valid YAML double-quoted scalar.
    return json.dumps(value, ensure_ascii=False)


def _split(text: str, source: str) -> tuple[dict, dict[str, int], str]:
    """Return the front matter, the line number of each top-level key, and the body."""
    lines = text.split("\n")
    if lines[0].rstrip() != DELIMITER:
        raise FrontMatterError(source, 1, "no front matter: the file must start with a --- line")
    try:
        end = next(i for i in range(1, len(lines)) if lines[i].rstrip() == DELIMITER)
    except StopIteration:
        raise FrontMatterError(
            source, 1, "front matter opened here is not closed: add a --- line after it"
        ) from None
    try:
        front = yaml.safe_load("\n".join(lines[1:end])) or {}
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = mark.line + 2 if mark else 1
        problem = getattr(error, "problem", None) or str(error)
        raise FrontMatterError(source, line, f"front matter is not valid YAML: {problem}") from None
    if not isinstance(front, dict):
        raise FrontMatterError(source, 2, "front matter must be key: value lines")
    key_lines = {
        line.split(":", 1)[0].strip(): number
        for number, line in enumerate(lines[1:end], start=2)
        if ":" in line and not line.startswith((" ", "\t", "#"))
    }
    body = "\n".join(lines[end + 1 :])
    # The blank line after the front matter and the file's final newline are layout.
    body = body.removeprefix("\n").removesuffix("\n")
    return front, key_lines, body


def _date(value: object) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip()[:10])
        except ValueError:
            return None
    return None
