"""Essay files <-> posts (and page files <-> pages): the one mapping between them, and the
batched import and export behind `loaddata essay.md`, `import_essays` and `export_essays`.

One path from a file to a row: `read_file` (regular files only, up to a size cap),
`load` (decode, parse, and the model's own field validators), then `plan` (match on the
slug: create, update or unchanged; render), shared by loaddata and the import.

Import reads, checks and writes in batches, in one transaction, all or nothing: one file
that can't be imported and none is (every problem is still reported, with its file and
line). Existing posts are fetched by slug a batch at a time, HTML is rendered in Python,
and rows are written with bulk_create/bulk_update, a batch at a time, so memory stays flat
however many essays there are. With many files, worker processes read, check and render
them, one per core, while this process writes (see "Reading, checking and rendering in
worker processes").
"""

import contextlib
import datetime as dt
import functools
import multiprocessing
import os
import secrets
import stat
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from itertools import batched, chain
from pathlib import Path, PurePath
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import DEFAULT_DB_ALIAS, transaction
from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from blog import frontmatter, rendering, validators
from blog.frontmatter import Essay, FrontMatterError
from blog.models import Page, Post, Topic, Written, fold
from blog.signals import essays_imported

# A row a file makes.
type Row = Post | Page

# The fields a file sets, for each model; a row is unchanged when they all match the file.
CONTENT = ("date", "title", "external_link", "body", "status")
PAGE_CONTENT = ("title", "body", "status", "in_navigation", "navigation_order")
FIELDS: dict[type[Row], tuple[str, ...]] = {Post: CONTENT, Page: PAGE_CONTENT}
# A post's topics, fetched with it: the names are all a file holds of them.
_TOPICS = Prefetch("topics", queryset=Topic.objects.only("name", "key"))
BATCH_SIZE = 250
# Where export_essays writes pages, inside its folder (import finds them anywhere).
PAGES_FOLDER = "pages"

# The front-matter name of each field the model checks (an error shows the value).
_KEYS = {"slug": "slug", "external_link": "externalLink"}


def model_of(essay: Essay) -> type[Row]:
    return Page if essay.page else Post


def post_values(essay: Essay) -> dict[str, object]:
    """The row's content for a file (the one file -> Post or Page mapping)."""
    status = Written.Status.DRAFT if essay.draft else Written.Status.PUBLISHED
    if essay.page:
        return {
            "title": essay.title,
            "body": essay.body,
            "status": status,
            "in_navigation": essay.nav,
            "navigation_order": essay.weight,
        }
    return {
        "date": essay.date,
        "title": essay.title,
        "external_link": essay.external_link,
        "body": essay.body,
        "status": status,
    }


def to_essay(row: Row) -> Essay:
    """The file a post or page is written out as (the inverse of post_values)."""
    draft = row.status == Written.Status.DRAFT
    if isinstance(row, Page):
        return Essay(
            row.slug,
            None,
            row.title,
            "",
            row.body,
            draft,
            page=True,
            nav=row.in_navigation,
            weight=row.navigation_order,
        )
    return Essay(
        row.slug,
        row.date,
        row.title,
        row.external_link,
        row.body,
        draft=draft,
        topics=tuple(topic.name for topic in row.topics.all()),  # by name (Topic's order)
    )


def changes(row: Row | None, essay: Essay) -> dict[str, tuple[object, object]]:
    """The content the file would change: field -> (value in the row, value in the file).

    An essay's topics are compared as names whatever their case ("Remote work" is "remote
    work"), and shown as a list: "hiring, remote work"."""
    values = post_values(essay)
    found: dict[str, tuple[object, object]]
    if row is None:
        found = {name: (None, value) for name, value in values.items()}
        if essay.topics:
            found["topics"] = (None, ", ".join(essay.topics))
        return found
    found = {
        name: (getattr(row, name), value)
        for name, value in values.items()
        if getattr(row, name) != value
    }
    if isinstance(row, Post):
        topics = [topic.name for topic in row.topics.all()]
        if {fold(name) for name in topics} != {fold(name) for name in essay.topics}:
            found["topics"] = (", ".join(topics), ", ".join(essay.topics))
    return found


def apply(row: Row, essay: Essay, now: dt.datetime, *, render: bool = True) -> None:
    """Give the row the file's content, render it (unless told not to: the caller renders),
    and stamp it as changed at `now`."""
    for name, value in post_values(essay).items():
        setattr(row, name, value)
    if render:
        row.render()
    row.created = row.created or now
    row.updated = now


@dataclass
class Change:
    """What importing one file does (or would do, in a dry run)."""

    action: str  # "create", "update" or "unchanged"
    slug: str
    source: str
    # For an update: each changed field's value in the database and in the file.
    changes: dict[str, tuple[object, object]] = field(default_factory=dict)
    # The row to write (built: new or updated, rendered), or the stored one if unchanged.
    post: Row | None = None
    # The file's topics, and whether the post's are to be replaced by them.
    topics: tuple[str, ...] = ()
    new_topics: bool = False


def plan(
    essays: Sequence[tuple[str, Essay]],
    rows: QuerySet,
    now: dt.datetime,
    *,
    build: bool = True,
    render: bool = True,
) -> list[Change]:
    """What each (source, essay) does to `rows` (posts, or pages), matched on the slug, in
    one query (and one for the posts' topics: `rows` prefetches them).

    Nothing is touched when the content is unchanged, so loading the same file again
    changes no data (timestamps included). Without `build` (a dry run), no row is built;
    without `render`, the rows built are left for the caller to render.
    """
    by_slug = rows.in_bulk([essay.slug for _, essay in essays], field_name="slug")
    planned = []
    for source, essay in essays:
        row = by_slug.get(essay.slug)
        changed = changes(row, essay)
        action = "create" if row is None else "update" if changed else "unchanged"
        if build and action != "unchanged":
            row = row or rows.model(slug=essay.slug)
            apply(row, essay, now, render=render)
        shown = changed if action == "update" else {}
        new_topics = "topics" in changed
        planned.append(Change(action, essay.slug, source, shown, row, essay.topics, new_topics))
    return planned


def write_topics(planned: Sequence[Change], using: str) -> None:
    """Give each created or updated post the topics its file names (the posts are saved):
    the topics in one query (those missing made in one insert), then one delete and one
    insert of the posts' links to them."""
    changed = [(c.post, c.topics) for c in planned if c.new_topics and c.post is not None]
    if not changed:
        return
    topics = Topic.objects.using(using).for_names(name for _, names in changed for name in names)
    link = Post.topics.through
    link.objects.using(using).filter(post__in=[post for post, _ in changed]).delete()
    link.objects.using(using).bulk_create(
        link(post_id=post.pk, topic_id=topics[key].pk)
        for post, names in changed
        for key in dict.fromkeys(fold(name) for name in names)
    )


# Reading and checking a file -------------------------------------------------------------


def validate(essay: Essay, source: str) -> None:
    """Raise FrontMatterError, at the file's line, if the model's validators refuse the essay
    (a page's slug that is one of the site's own addresses among them)."""
    row = model_of(essay)(slug=essay.slug, **post_values(essay))
    try:
        row.clean_fields(exclude={"id", "body_html", "rendered_with", "created", "updated"})
    except ValidationError as invalid:
        name, errors = next(iter(invalid.error_dict.items()))
        raise _located(errors[0], name, essay, source) from None
    name_field = Topic._meta.get_field("name")
    for topic in essay.topics:
        try:
            name_field.clean(topic, None)
        except ValidationError as invalid:
            raise _located(invalid.error_list[0], "topics", essay, source) from None


def _located(error: ValidationError, name: str, essay: Essay, source: str) -> FrontMatterError:
    line = essay.lines.get(name, 1)
    params = error.params or {}
    if "line" in params:  # a place in the title or body: the same line in the file
        return FrontMatterError(source, line + params["line"] - 1, params["problem"])
    message = error.message % params if params else error.message
    if name == "topics":
        message = f"tags: {message}"
    elif name in _KEYS:
        value = "/" + essay.slug if name == "slug" else essay.external_link
        shown = value if len(value) <= 60 else value[:57] + "..."
        message = f"{_KEYS[name]} {shown!r}: {message}"
    else:
        message = f"{name}: {message}"
    return FrontMatterError(source, line, message)


def warnings(essay: Essay, source: str) -> list[str]:
    """`file:line: message` for each thing the renderer will show other than as written."""
    start = essay.lines.get("body", 1)
    return [
        f"{source}:{start + line - 1}: {message}"
        for line, message in validators.body_warnings(essay.body)
    ]


def load(raw: bytes, source: str, path: PurePath | None = None) -> Essay:
    """Decode, parse and check an essay file: the one way every importer reads one.

    A date with a time is read as the day it was in the site's time zone (TIME_ZONE).
    """
    essay = _parse(raw, source, path)
    validate(essay, source)
    return essay


def _parse(raw: bytes, source: str, path: PurePath | None = None) -> Essay:
    text = frontmatter.decode(raw, source)
    return frontmatter.parse(text, source, path=path, tz=timezone.get_default_timezone())


def read_file(path: str, folder: str | None = None) -> bytes:
    """The bytes of an essay file, or FrontMatterError (line 1) saying why it isn't read.

    Only a regular file is opened (a FIFO would wait for ever, /dev/zero never ends), and
    only up to BLOG_IMPORT_MAX_BYTES is read (see read_capped and check_inside).
    """
    real = check_inside(path, folder)
    try:
        if not stat.S_ISREG(os.stat(real).st_mode):
            raise FrontMatterError(path, 1, NOT_REGULAR)
        # O_NONBLOCK: should it have become a FIFO since, opening doesn't wait for a writer.
        descriptor = os.open(real, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError as error:
        raise FrontMatterError(path, 1, f"can't be read: {error.strerror}") from None
    with open(descriptor, "rb") as file:
        return read_capped(file, path)


def check_inside(path: str, folder: str | None = None) -> str:
    """The file's real path, if it is inside `folder` (by default its own): a symlink in an
    imported folder can't publish ~/.ssh or /etc."""
    if not os.path.islink(path):
        return path  # os.walk follows no symlinked folder: a file found is inside
    folder = os.path.realpath(folder or os.path.dirname(path) or ".")
    real = os.path.realpath(path)
    if os.path.commonpath([folder, real]) != folder:
        raise FrontMatterError(
            path, 1, f"a link to {real}, outside {folder}: copy the file into the folder"
        )
    return real


NOT_REGULAR = "not a regular file (a FIFO, device or socket): only essay files are read"


def read_capped(file: IO[bytes] | IO[str], source: str) -> bytes:
    """At most BLOG_IMPORT_MAX_BYTES of an open file (a text stream's in UTF-8), or
    FrontMatterError if it holds more."""
    mode = stat.S_IFREG  # a stream that isn't a file on disk (no fileno) is read as it is
    with contextlib.suppress(AttributeError, OSError, ValueError):
        mode = os.fstat(file.fileno()).st_mode
    if not stat.S_ISREG(mode):
        raise FrontMatterError(source, 1, NOT_REGULAR)
    limit = settings.BLOG_IMPORT_MAX_BYTES
    read = file.read(limit + 1)
    data = read.encode() if isinstance(read, str) else read
    if len(data) > limit:
        raise FrontMatterError(
            source, 1, f"larger than {limit:,} bytes (BLOG_IMPORT_MAX_BYTES): is it an essay?"
        )
    return data


# Import ---------------------------------------------------------------------------------

ESSAY_SUFFIXES = (".md", ".markdown")

# An essay file found, and the folder it was found in (None: named on its own).
Found = tuple[str, str | None]


def essay_files(paths: Iterable[Path]) -> list[Found]:
    """The essay files named or found (recursively) in directories, sorted.

    Hidden files and folders, node_modules and Hugo's section pages (_index.md) are left out.
    Paths are kept as text: a Path object per file would cost ten times the memory.
    """
    found: dict[str, str | None] = {}
    for path in paths:
        if path.is_dir():
            root = str(path)
            for folder, folders, names in os.walk(path):
                folders[:] = [d for d in folders if not d.startswith(".") and d != "node_modules"]
                for name in names:
                    if (
                        name.lower().endswith(ESSAY_SUFFIXES)
                        and not name.startswith(".")
                        and name != "_index.md"
                    ):
                        found[os.path.join(folder, name)] = root
        elif path.exists() or path.is_symlink():
            found.setdefault(str(path), None)  # read_file says what's wrong with it, if any
        else:
            raise FileNotFoundError(f"{path}: no such file or directory")
    return sorted(found.items())


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    # Problems of the skipped files (--skip-invalid), and how many files had each unused key.
    errors: list[FrontMatterError] = field(default_factory=list)
    ignored: Counter = field(default_factory=Counter)
    # What the renderer will show other than as written, as `file:line: message`.
    warnings: list[str] = field(default_factory=list)


class InvalidEssaysError(Exception):
    """Some files can't be imported; nothing was written."""

    def __init__(self, errors: list[FrontMatterError], files: int) -> None:
        super().__init__(f"{len(errors)} problems in {files} files")
        self.errors = errors
        self.files = files


Progress = Callable[[str, int, int], None]


def import_essays(
    files: list[Found],
    *,
    using: str = DEFAULT_DB_ALIAS,
    dry_run: bool = False,
    skip_invalid: bool = False,
    on_change: Callable[[Change], None] | None = None,
    on_progress: Progress | None = None,
    batch_size: int = BATCH_SIZE,
    workers: int | None = None,
) -> ImportResult:
    """Import essay files: all of them or nothing (unless skip_invalid), in one transaction.

    Raises InvalidEssaysError if a file can't be imported; nothing is written then. Files
    are read, checked and rendered by `workers` processes (default: one per core, for many
    files) while this one writes.
    """
    if workers is None:
        workers = (os.cpu_count() or 1) if len(files) >= PARALLEL_FROM else 1
    with _worker_map(workers) as map_:
        return _import(
            files, using, dry_run, skip_invalid, on_change, on_progress, batch_size, map_
        )


def _import(
    files: list[Found],
    using: str,
    dry_run: bool,
    skip_invalid: bool,
    on_change: Callable[[Change], None] | None,
    on_progress: Progress | None,
    batch_size: int,
    map_: Callable,
) -> ImportResult:
    result = ImportResult()
    if dry_run or skip_invalid or on_change:
        # What is shown, or skipped, must be known before any of it is: every file is
        # checked first, then read (and checked) again as it is imported.
        checked = _Scan(result, "check", len(files), on_progress)
        for batch in _read_batches(files, map_, batch_size):
            checked.take(batch)
        invalid = checked.finish()
        if result.errors and not skip_invalid:
            raise InvalidEssaysError(result.errors, len({error.source for error in result.errors}))
        result.skipped = len(invalid)
        files = [found for found in files if found[0] not in invalid]
        scan = _Scan(ImportResult(), "import", len(files), on_progress)
    else:
        # One pass: each file is read once, and its batch written as soon as it is checked.
        # A bad file stops the writes; the rest are still checked, so that every problem is
        # reported, and the transaction is rolled back: nothing is written.
        scan = _Scan(result, "import", len(files), on_progress)
    now = timezone.now()
    # Only what `changes` compares: body_html may be large.
    rows: dict[type[Row], QuerySet[Any]] = {
        Post: Post.objects.using(using).only("slug", "created", *CONTENT).prefetch_related(_TOPICS),
        Page: Page.objects.using(using).only("slug", "created", *PAGE_CONTENT),
    }
    # The batch planned last, rendered by the workers while the one before it is written.
    rendering_: list[_Rendering] = []
    # A dry run only reads: no transaction to hold a write lock (SQLite in IMMEDIATE mode).
    with contextlib.nullcontext() if dry_run else transaction.atomic(using=using):
        for batch in _read_batches(files, map_, batch_size):
            essays = scan.take(batch)
            if scan.failed:
                continue
            planned: list[_Rendering] = []
            for model in FIELDS:
                mine = [(path, essay) for path, essay in essays if model_of(essay) is model]
                changes = plan(mine, rows[model], now, build=not dry_run, render=False)
                for change in changes:
                    if change.action == "create":
                        result.created += 1
                    elif change.action == "update":
                        result.updated += 1
                    else:
                        result.unchanged += 1
                    if on_change:
                        on_change(change)
                built = [c for c in changes if c.action != "unchanged" and c.post is not None]
                if built and not dry_run:
                    htmls = map_(rendering.render, [c.post.body for c in built if c.post])
                    planned.append((rows[model], built, htmls))
            for pending in rendering_:
                _write(*pending, using)
            rendering_ = planned
        if scan.finish():
            errors = scan.result.errors
            raise InvalidEssaysError(errors, len({error.source for error in errors}))
        for pending in rendering_:
            _write(*pending, using)
        if not dry_run and (result.created or result.updated):
            essays_imported.send(Post, using=using, created=result.created, updated=result.updated)
    return result


# Rows to write (posts or pages: their queryset, their changes) and their HTML, coming.
type _Rendering = tuple[QuerySet[Any], list[Change], Iterable[str]]


def _write(rows: QuerySet[Any], changes: list[Change], htmls: Iterable[str], using: str) -> None:
    """Write the rows created or updated, with their HTML, and their posts' topics."""
    built: dict[str, list[Row]] = {"create": [], "update": []}
    for change, html in zip(changes, htmls, strict=True):
        if change.post is not None:
            change.post.body_html, change.post.rendered_with = html, rendering.VERSION
            built[change.action].append(change.post)
    # bulk_create stamps created/updated itself (auto_now); bulk_update doesn't.
    rows.bulk_create(built["create"])
    fields = (*FIELDS[rows.model], "body_html", "rendered_with", "updated")
    rows.bulk_update(built["update"], fields)
    write_topics(changes, using)


class _Scan:
    """A pass over the files read: their problems, warnings and ignored keys (in `result`),
    the slugs more than one file gives, and the progress."""

    def __init__(
        self, result: ImportResult, stage: str, total: int, on_progress: Progress | None
    ) -> None:
        self.result, self.stage, self.total, self.on_progress = result, stage, total, on_progress
        self.done = 0
        self.invalid: set[str] = set()
        # (page?, slug) -> where it was first seen: a page and an essay may share a slug
        # (/about/ and /words/about/).
        self.first: dict[tuple[bool, str], tuple[str, int]] = {}
        self.repeated: dict[tuple[bool, str], list[tuple[str, int]]] = {}

    @property
    def failed(self) -> bool:
        return bool(self.invalid or self.repeated)

    def take(self, batch: list[tuple[Found, "Read"]]) -> list[tuple[str, Essay]]:
        """The valid essays of a batch, by file; the problems of the others are recorded."""
        essays = []
        for (path, _), read in batch:
            match read:
                case None, (source, line, message):
                    self.result.errors.append(FrontMatterError(source, line, message))
                    self.invalid.add(path)
                case essay, file_warnings:
                    key, place = (essay.page, essay.slug), (path, essay.lines["slug"])
                    if key in self.first:
                        self.repeated.setdefault(key, [self.first[key]]).append(place)
                    else:
                        self.first[key] = place
                    self.result.ignored.update(essay.ignored)
                    self.result.warnings += file_warnings
                    essays.append((path, essay))
            self.done += 1
            if self.on_progress:
                self.on_progress(self.stage, self.done, self.total)
        return essays

    def finish(self) -> set[str]:
        """The files that can't be imported, once every file is taken (their problems
        recorded, in order)."""
        for (page, slug), places in self.repeated.items():
            kind = "page" if page else "essay"
            for path, line in places:
                others = ", ".join(other for other, _ in places if other != path)
                message = (
                    f'slug "/{slug}" is also the slug of {others}: give each {kind} its own slug'
                )
                self.result.errors.append(FrontMatterError(path, line, message))
                self.invalid.add(path)
        self.result.errors.sort(key=lambda error: (error.source, error.line))
        return self.invalid


# Reading, checking and rendering in worker processes -------------------------------------
# Reading, parsing, checking a file (the model's validators, the renderer's messages) and
# rendering a body are most of an import's time, and need nothing but the file: with many
# files, worker processes do them, one per core (as Hugo builds). They are forked from this
# process, so they see its settings, and never touch the database: the writes stay here,
# in one transaction. They send back plain values (an exception's text, not the exception).

PARALLEL_FROM = 100  # files: for fewer, starting the workers costs more than they save
_CHUNK = 16  # files sent to a worker at once


@contextlib.contextmanager
def _worker_map(workers: int) -> Iterator[Callable]:
    """`map`, or the same on `workers` processes (each result in its item's place)."""
    if workers <= 1:
        yield map
        return
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(workers, mp_context=context) as pool:
        yield functools.partial(pool.map, chunksize=_CHUNK)


# A file read: its essay and warnings, or (None, (source, line, message)) of its problem.
type Read = tuple[Essay, list[str]] | tuple[None, tuple[str, int, str]]


def _read(found: Found) -> Read:
    path, folder = found
    try:
        essay = load(read_file(path, folder), path, PurePath(path))
    except FrontMatterError as error:
        return None, (error.source, error.line, error.message)
    return essay, warnings(essay, path)


def _read_batches(
    files: Sequence[Found], map_: Callable, size: int
) -> Iterator[list[tuple[Found, Read]]]:
    """Each file with what reading it gave, a batch at a time: the workers read the next
    batch while the caller handles this one (and no more, so memory stays flat)."""
    reading = None
    for batch in batched(files, size, strict=False):
        ahead = (batch, map_(_read, batch))
        if reading:
            yield list(zip(*reading, strict=True))
        reading = ahead
    if reading:
        yield list(zip(*reading, strict=True))


# Export ---------------------------------------------------------------------------------


@dataclass
class ExportResult:
    written: int = 0
    unchanged: int = 0
    pages: int = 0  # of the files written or unchanged
    # Files written that won't read back as the same essay, and posts not written at all.
    warnings: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)


def file_name(row: Row) -> str:
    """Where a post or page is written, inside the export's folder."""
    if isinstance(row, Page):
        return f"{PAGES_FOLDER}/{row.slug}.md"
    return f"{row.date.isoformat()}_{row.slug}.md"


def export_essays(
    posts: QuerySet[Post],
    directory: Path,
    *,
    pages: QuerySet[Page] | None = None,
    on_progress: Progress | None = None,
) -> ExportResult:
    """Write each post to DIRECTORY/YYYY-MM-DD_slug.md, and each page to
    DIRECTORY/pages/slug.md, in the site's dialect.

    A file already holding the same bytes is left alone; others are replaced atomically.
    Each file is read back: one that wouldn't import as the same essay is reported.
    """
    result = ExportResult()
    directory.mkdir(parents=True, exist_ok=True)
    pages = pages if pages is not None else Page.objects.none()
    total = posts.count() + pages.count()
    rows: Iterator[Row] = chain(
        posts.only("slug", *CONTENT)
        .prefetch_related(_TOPICS)
        .order_by("date", "slug")
        .iterator(chunk_size=BATCH_SIZE),
        pages.only("slug", *PAGE_CONTENT).order_by("slug").iterator(chunk_size=BATCH_SIZE),
    )
    for number, row in enumerate(rows, start=1):
        try:
            # The slug becomes a file name: only a valid slug may.
            row._meta.get_field("slug").run_validators(row.slug)
        except ValidationError as error:
            kind = row._meta.verbose_name
            result.failed.append(f"{kind} {row.pk} (slug {row.slug!r}): {' '.join(error.messages)}")
            continue
        target = directory / file_name(row)
        target.parent.mkdir(exist_ok=True)
        essay = to_essay(row)
        text = frontmatter.dump(essay)
        result.warnings += _read_back(text, target, essay)
        data = text.encode()
        result.pages += isinstance(row, Page)
        if target.is_file() and target.read_bytes() == data:
            result.unchanged += 1
        else:
            write_atomic(target, data)
            result.written += 1
        if on_progress:
            on_progress("export", number, total)
    return result


def _read_back(text: str, target: Path, essay: Essay) -> list[str]:
    try:
        back = load(text.encode(), str(target), target)
    except FrontMatterError as error:
        return [f"{error} (it won't import until fixed)"]
    if back != essay:
        return [f"{target}: will import differently from the post; check it"]
    return []


def write_atomic(path: Path, data: bytes) -> None:
    """Write a file so that it is either the old one or the whole new one, never half of it."""
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    try:
        with temporary.open("xb") as file:
            file.write(data)
        temporary.replace(path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
