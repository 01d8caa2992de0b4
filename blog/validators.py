"""The rules an essay's fields obey, wherever it comes from: the admin, `import_essays`,
`loaddata`. They are the model fields' validators, so there is one place for each rule;
their messages say what to type instead, for the writer and in an importer's
`file:line: message` alike.

A message about a place in a text carries `line` (1 for the text's first line) and
`problem` in its params, so an importer can name the line in the file instead.
"""

import functools
import re
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.urls import URLResolver, get_resolver
from django.utils.text import slugify

from blog import rendering

# Lowercase, as the admin's form has always asked: "/words/MyEssay/" and "/words/myessay/"
# would be two addresses for one essay on a case-sensitive server, or a clash on another.
_SLUG = re.compile(r"[a-z0-9_-]+")


def validate_slug(slug: str) -> None:
    params = {"slug": slug[:60], "suggestion": slugify(slug)[:60] or "my-essay"}
    if _SLUG.fullmatch(slug):
        return
    if slug.startswith("/"):
        message = "Leave out the leading slash: “%(suggestion)s”, not “%(slug)s”."
    elif slug.lower() != slug and _SLUG.fullmatch(slug.lower()):
        message = "Use lowercase: “%(suggestion)s”, not “%(slug)s”."
    else:
        message = "Use only lowercase letters, digits, hyphens, underscores: “%(suggestion)s”."
    raise ValidationError(message, code="invalid", params=params)


# Addresses under /words/ that aren't essays: an essay there could never be reached.
RESERVED_SLUGS = frozenset({"topics"})


def not_reserved(slug: str) -> None:
    if slug in RESERVED_SLUGS:
        raise ValidationError(
            "“%(slug)s” is taken by the site's own page /words/%(slug)s/: choose another slug.",
            code="reserved",
            params={"slug": slug},
        )


def validate_page_slug(slug: str) -> None:
    """A page is at /<slug>/: never one of the site's own addresses (words, the admin,
    feeds, healthz, media, static, share links...)."""
    if slug in site_addresses():
        raise ValidationError(
            "/%(slug)s/ is one of the site's own addresses: choose another slug.",
            code="reserved",
            params={"slug": slug},
        )


@functools.cache
def site_addresses() -> frozenset[str]:
    """The first part of every address the URLconf routes elsewhere than to a page.

    Asked of the URLconf itself, so an address added there is refused at once. Resolving
    /<slug>/ alone would not do: /healthz has no slash, and /p/ and /media/ only prefix
    their addresses (/p/<token>/), so /p/ would resolve to the page view. Static files are
    answered by WhiteNoise before the URLconf.
    """
    found = {settings.STATIC_URL.strip("/").split("/")[0]}
    patterns = list(get_resolver().url_patterns)
    while patterns:
        pattern = patterns.pop()
        route = str(pattern.pattern).removeprefix("^")
        if route == "" and isinstance(pattern, URLResolver):
            patterns += pattern.url_patterns  # an include at the root: blog.urls
        elif "<" not in (first := route.split("/")[0]) and first:
            found.add(first)
    return frozenset(found)


_WEB_URL = URLValidator(schemes=["http", "https"])
_NOT_WEB = "Enter a web address starting with https:// or http://."


def validate_web_link(link: str) -> None:
    """An http(s) address that goes where it shows.

    Browsers read a backslash as a slash and skip a `name@` before the host, so
    `https://evil.example\\@good.example/` shows good.example and goes to evil.example.
    """
    if "\\" in link:
        raise ValidationError(
            "Take out the backslash (\\): browsers read it as /, so the link would go "
            "elsewhere than it shows.",
            code="backslash",
        )
    try:
        _WEB_URL(link)
    except ValidationError:
        raise ValidationError(_NOT_WEB, code="invalid") from None
    if "@" in urlsplit(link).netloc:
        raise ValidationError(
            "Take out the “…@” before the host name: browsers go to the host after the @.",
            code="user_info",
        )


# C0 control characters but tab, line feed and carriage return (CRLF files keep theirs):
# invisible in the editor, and not allowed in XML, so one would break the feeds.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")
_CONTROL_NAMES = {
    "\x00": "a NUL character (U+0000)",
    "\x08": "a backspace (U+0008)",
    "\x0b": "a vertical tab (U+000B, a word processor's soft line break)",
    "\x0c": "a form feed (U+000C, a word processor's page break)",
    "\x1b": "an escape character (U+001B, ESC)",
}


def validate_no_control_characters(text: str) -> None:
    """Refuse invisible control characters, naming the first and its line.

    Refused rather than replaced: the text is stored exactly as written, and only the
    writer knows whether a soft line break meant a space or a new line.
    """
    if (found := _CONTROL.search(text)) is None:
        return
    char = found[0]
    name = _CONTROL_NAMES.get(char, f"a control character (U+{ord(char):04X})")
    more = len(_CONTROL.findall(text)) - 1
    problem = name + (f" and {more} more" if more else "")
    problem += ": delete it, or type a space or a line break instead"
    raise _at_line(text.count("\n", 0, found.start()) + 1, problem, "control_character")


# The renderer's messages (rendering.check) about what it can't show as written. Those
# about nesting are refused: the part too deep would be shown as text, not as written.
# The others (a refused tag shown as text...) are warnings: the words are all there.
_LINE = re.compile(r"line (\d+): (.*)", re.DOTALL)
_REFUSED = re.compile(r"\bnest|\bdeep", re.IGNORECASE)


@functools.lru_cache(maxsize=1)
def _renderer_messages(body: str) -> tuple[str, ...]:
    # The last body's: validating then listing warnings checks it once.
    return tuple(rendering.check(body))


def validate_body(body: str) -> None:
    validate_no_control_characters(body)
    for message in _renderer_messages(body):
        if _REFUSED.search(message):
            found = _LINE.fullmatch(message)
            if found:
                raise _at_line(int(found[1]), found[2], "too_deep")
            raise ValidationError(message, code="too_deep")


def body_warnings(body: str) -> list[tuple[int, str]]:
    """(line, message) for what the renderer shows other than as written, without refusing it."""
    warnings = []
    for message in _renderer_messages(body):
        if not _REFUSED.search(message):
            found = _LINE.fullmatch(message)
            warnings.append((int(found[1]), found[2]) if found else (1, message))
    return warnings


def _at_line(line: int, problem: str, code: str) -> ValidationError:
    return ValidationError(
        "line %(line)s: %(problem)s", code=code, params={"line": line, "problem": problem}
    )
