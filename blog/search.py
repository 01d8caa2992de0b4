"""Finding essays by their words: PostgreSQL full-text search with ranking, or a plain
substring match on other databases (SQLite in development). Results are marked up here,
escaped first: the query is the reader's text and never reaches a page unescaped."""

import re
from functools import cached_property

from django.db import connection
from django.db.models import Case, F, IntegerField, Q, QuerySet, When
from django.db.models.expressions import RawSQL
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from blog import rendering
from blog.models import Post

MAX_QUERY_LENGTH = 200
MAX_TERMS = 10
EXCERPT_LENGTH = 240
# The essays are in English: stemming ("writes" finds "writing") and stop words. The one
# definition: the migration that builds the stored search_document column reads it (0002).
CONFIG = "english"

_WORD = re.compile(r"\w+")
# Suffixes taken off a term before marking it, so "writing" also marks "writes".
_SUFFIXES = ("ing", "ed", "es", "s", "ly")


def terms(query: str) -> list[str]:
    """The words of a query, lower-cased, without repeats."""
    words = dict.fromkeys(word.lower() for word in _WORD.findall(query))
    return list(words)[:MAX_TERMS]


def search(posts: QuerySet[Post], query: str) -> QuerySet[Post]:
    """The posts matching `query`, best first."""
    if connection.vendor == "postgresql":
        return _full_text(posts, query)
    return _substring(posts, query)


def _full_text(posts: QuerySet[Post], query: str) -> QuerySet[Post]:
    # Imported here: it loads psycopg, which a site on SQLite never needs in memory.
    from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVectorField

    # The title (weight A) and body (B) as a tsvector the database keeps in a generated,
    # GIN-indexed column (migration 0002): nothing is parsed per query.
    document = RawSQL(  # noqa: S611 - constant identifiers, no input
        f'"{Post._meta.db_table}"."search_document"', (), output_field=SearchVectorField()
    )
    # websearch syntax accepts anything a person types ("quotes", or, -not) without errors.
    wanted = SearchQuery(query, search_type="websearch", config=CONFIG)
    return (
        posts.annotate(document=document)
        .filter(document=wanted)
        .annotate(rank=SearchRank(F("document"), wanted))
        .order_by("-rank", "-date", "-pk")
    )


def _substring(posts: QuerySet[Post], query: str) -> QuerySet[Post]:
    words = terms(query)
    if not words:
        return posts.none()
    anywhere = Q()
    in_title = Q()
    for word in words:
        anywhere &= Q(title__icontains=word) | Q(body__icontains=word)
        in_title &= Q(title__icontains=word)
    return (
        posts.filter(anywhere)
        .annotate(in_title=Case(When(in_title, then=1), default=0, output_field=IntegerField()))
        .order_by("-in_title", "-date", "-pk")
    )


def pattern_for(query: str) -> re.Pattern | None:
    stems = set()
    for word in terms(query):
        for suffix in _SUFFIXES:
            if word.endswith(suffix) and len(word) - len(suffix) >= 3:
                word = word.removesuffix(suffix)
                break
        stems.add(re.escape(word))
    if not stems:
        return None
    # Whole words starting with a term, longest terms first.
    alternatives = "|".join(sorted(stems, key=len, reverse=True))
    return re.compile(rf"(?<!\w)(?:{alternatives})\w*", re.IGNORECASE)


def highlight(text: str, pattern: re.Pattern | None) -> SafeString:
    """`text` escaped, with the words matching `pattern` in <mark>."""
    if pattern is None:
        return escape(text)
    parts: list[str] = []
    end = 0
    for match in pattern.finditer(text):
        parts.append(escape(text[end : match.start()]))
        parts.append(f"<mark>{escape(match.group())}</mark>")
        end = match.end()
    parts.append(escape(text[end:]))
    return mark_safe("".join(parts))  # noqa: S308 - every piece was escaped above


def excerpt(text: str, pattern: re.Pattern | None, length: int = EXCERPT_LENGTH) -> str:
    """About `length` characters of `text` around its first match, cut at spaces."""
    match = pattern.search(text) if pattern else None
    if match is None or match.end() <= length:
        start = 0
    else:
        start = text.rfind(" ", 0, max(0, match.start() - length // 3)) + 1
    stop = len(text) if start + length >= len(text) else text.rfind(" ", start, start + length)
    if stop <= start:
        stop = start + length
    return ("…" if start else "") + text[start:stop] + ("…" if stop < len(text) else "")


class Result:
    """One essay in the results, with the query marked in its title and an excerpt."""

    def __init__(self, post: Post, query: str) -> None:
        self.post = post
        self._pattern = pattern_for(query)

    @cached_property
    def title(self) -> SafeString:
        return highlight(self.post.title, self._pattern)

    @cached_property
    def excerpt(self) -> SafeString:
        text = rendering.plain_text(self.post.body_html)
        return highlight(excerpt(text, self._pattern), self._pattern)
