"""Essay files <-> posts: the one mapping between them, and the batched import and export
behind `loaddata essay.md`, `import_essays` and `export_essays`.

Import checks every file before it writes anything, then writes in batches in one
transaction: existing posts are fetched by slug a batch at a time, HTML is rendered in
Python, and rows are written with bulk_create/bulk_update. Files are read twice (check,
then write) rather than held in memory, so memory stays flat however many essays there are.
"""

import contextlib
import os
import secrets
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from itertools import batched
from pathlib import Path, PurePath

from django.core.exceptions import ValidationError
from django.db import DEFAULT_DB_ALIAS, transaction
from django.db.models import QuerySet
from django.dispatch import Signal
from django.utils import timezone

from blog import frontmatter
from blog.frontmatter import Essay, FrontMatterError
from blog.models import Post

# The post's fields an essay file sets; a post is unchanged when they all match the file.
CONTENT = ("date", "title", "external_link", "body", "status")
_WRITTEN = (*CONTENT, "body_html", "rendered_with", "updated")
BATCH_SIZE = 500

# Sent (sender=Post, using=alias, created=n, updated=n) inside the import's transaction when
# it changed posts: bulk writes send no post_save, so caches listen to this as well.
essays_imported = Signal()

# The front-matter names of the fields the model checks, and a hint to add to its message.
_CHECKED = {
    "slug": ("slug", ""),
    "title": ("title", ""),
    "external_link": ("externalLink", ': write it like "https://example.com/post"'),
}


def post_values(essay: Essay) -> dict[str, object]:
    """The post's content for an essay (the one essay -> Post mapping)."""
    return {
        "date": essay.date,
        "title": essay.title,
        "external_link": essay.external_link,
        "body": essay.body,
        "status": Post.Status.DRAFT if essay.draft else Post.Status.PUBLISHED,
    }


def to_essay(post: Post) -> Essay:
    """The essay a post is written out as (the inverse of post_values)."""
    return Essay(
        post.slug,
        post.date,
        post.title,
        post.external_link,
        post.body,
        draft=post.status == Post.Status.DRAFT,
    )


def changes(post: Post | None, essay: Essay) -> dict[str, tuple[object, object]]:
    """The content the essay would change: field -> (value in the post, value in the file)."""
    values = post_values(essay)
    if post is None:
        return {name: (None, value) for name, value in values.items()}
    return {
        name: (getattr(post, name), value)
        for name, value in values.items()
        if getattr(post, name) != value
    }


def apply(post: Post, essay: Essay, now) -> None:
    """Give the post the essay's content, render it, and stamp it as changed at `now`."""
    for name, value in post_values(essay).items():
        setattr(post, name, value)
    post.render()
    post.created = post.created or now
    post.updated = now


def to_post(essay: Essay, using: str = DEFAULT_DB_ALIAS) -> Post:
    """The post for an essay: the existing one with the same slug, updated, or a new one.

    Nothing is touched when the content is unchanged, so loading the same file again
    changes no data (timestamps included).
    """
    post = Post.objects.using(using).filter(slug=essay.slug).first()
    if post is None:
        post = Post(slug=essay.slug)
        apply(post, essay, timezone.now())
    elif changes(post, essay):
        apply(post, essay, timezone.now())
    return post


def check(essay: Essay, source: str) -> None:
    """Raise FrontMatterError if the model would refuse the essay (slug, lengths, URL)."""
    for name, (key, hint) in _CHECKED.items():
        value = getattr(essay, name)
        if not value:
            continue
        try:
            Post._meta.get_field(name).run_validators(value)
        except ValidationError as error:
            shown = "/" + value if name == "slug" else value
            shown = shown if len(shown) <= 60 else shown[:57] + "..."
            message = " ".join(error.messages).rstrip(".") + hint
            raise FrontMatterError(
                source, essay.lines.get(name, 1), f"{key} {shown!r}: {message}"
            ) from None
    for name in ("title", "body"):
        value = getattr(essay, name)
        if (at := value.find("\x00")) != -1:
            line = essay.lines.get(name, 1) + value.count("\n", 0, at)
            raise FrontMatterError(source, line, f"{name} contains a NUL character: remove it")


def load(raw: bytes, source: str, path: PurePath | None = None) -> Essay:
    """Decode, parse and check an essay file: the one way every importer reads one.

    A date with a time is read as the day it was in the site's time zone (TIME_ZONE).
    """
    text = frontmatter.decode(raw, source)
    essay = frontmatter.parse(text, source, path=path, tz=timezone.get_default_timezone())
    check(essay, source)
    return essay


def read(path: str | Path) -> Essay:
    path = Path(path)
    return load(path.read_bytes(), str(path), path)


# Import ---------------------------------------------------------------------------------

ESSAY_SUFFIXES = (".md", ".markdown")


def essay_files(paths: Iterable[Path]) -> list[str]:
    """The essay files named or found (recursively) in directories, sorted.

    Hidden files and folders, node_modules and Hugo's section pages (_index.md) are left out.
    Paths are kept as text: a Path object per file would cost ten times the memory.
    """
    found: dict[str, None] = {}
    for path in paths:
        if path.is_file():
            found[str(path)] = None
        elif path.is_dir():
            for folder, folders, names in os.walk(path):
                folders[:] = [d for d in folders if not d.startswith(".") and d != "node_modules"]
                for name in names:
                    if (
                        name.lower().endswith(ESSAY_SUFFIXES)
                        and not name.startswith(".")
                        and name != "_index.md"
                    ):
                        found[os.path.join(folder, name)] = None
        else:
            raise FileNotFoundError(f"{path}: no such file or directory")
    return sorted(found)


@dataclass
class Change:
    """What importing one file does (or would do, in a dry run)."""

    action: str  # "create", "update" or "unchanged"
    slug: str
    source: str
    # For an update: each changed field's value in the database and in the file.
    changes: dict[str, tuple[object, object]] = field(default_factory=dict)


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    # Problems of the skipped files (--skip-invalid), and how many files had each unused key.
    errors: list[FrontMatterError] = field(default_factory=list)
    ignored: Counter = field(default_factory=Counter)


class InvalidEssaysError(Exception):
    """Some files can't be imported; nothing was written."""

    def __init__(self, errors: list[FrontMatterError], files: int) -> None:
        super().__init__(f"{len(errors)} problems in {files} files")
        self.errors = errors
        self.files = files


Progress = Callable[[str, int, int], None]


def import_essays(
    files: list[str],
    *,
    using: str = DEFAULT_DB_ALIAS,
    dry_run: bool = False,
    skip_invalid: bool = False,
    on_change: Callable[[Change], None] | None = None,
    on_progress: Progress | None = None,
    batch_size: int = BATCH_SIZE,
) -> ImportResult:
    """Import essay files: all of them or nothing (unless skip_invalid), in one transaction.

    Raises InvalidEssaysError, before any write, if a file can't be imported.
    """
    result = ImportResult()
    invalid = _check_all(files, result, on_progress)
    if result.errors and not skip_invalid:
        raise InvalidEssaysError(result.errors, len({error.source for error in result.errors}))
    result.skipped = len(invalid)
    valid = [path for path in files if path not in invalid]
    now = timezone.now()
    posts = Post.objects.using(using)
    done = 0
    # A dry run only reads: no transaction to hold a write lock (SQLite in IMMEDIATE mode).
    with contextlib.nullcontext() if dry_run else transaction.atomic(using=using):
        for batch in batched(valid, batch_size, strict=False):
            new, changed = _plan(batch, posts, now, result, on_change, build=not dry_run)
            if not dry_run:
                # bulk_create stamps created/updated itself (auto_now); bulk_update doesn't.
                posts.bulk_create(new)
                posts.bulk_update(changed, _WRITTEN)
            done += len(batch)
            if on_progress:
                on_progress("import", done, len(valid))
        if not dry_run and (result.created or result.updated):
            essays_imported.send(Post, using=using, created=result.created, updated=result.updated)
    return result


def _check_all(files: list[str], result: ImportResult, on_progress: Progress | None) -> set:
    """Read and check every file; record problems in result; return the files to skip."""
    invalid: set[str] = set()
    first: dict[str, tuple[str, int]] = {}  # slug -> where it was first seen
    repeated: dict[str, list[tuple[str, int]]] = {}
    for number, path in enumerate(files, start=1):
        try:
            essay = read(path)
        except FrontMatterError as error:
            result.errors.append(error)
            invalid.add(path)
        else:
            place = (path, essay.lines["slug"])
            if essay.slug in first:
                repeated.setdefault(essay.slug, [first[essay.slug]]).append(place)
            else:
                first[essay.slug] = place
            result.ignored.update(essay.ignored)
        if on_progress:
            on_progress("check", number, len(files))
    for slug, places in repeated.items():
        for path, line in places:
            others = ", ".join(other for other, _ in places if other != path)
            message = f'slug "/{slug}" is also the slug of {others}: give each essay its own slug'
            result.errors.append(FrontMatterError(path, line, message))
            invalid.add(path)
    result.errors.sort(key=lambda error: (error.source, error.line))
    return invalid


def _plan(
    batch: tuple[str, ...],
    posts: QuerySet,
    now,
    result: ImportResult,
    on_change: Callable[[Change], None] | None,
    *,
    build: bool,
) -> tuple[list[Post], list[Post]]:
    """Compare a batch of files with their posts; return the posts to create and to update."""
    try:
        essays = [(path, read(path)) for path in batch]
    except FrontMatterError as error:  # the file changed since it was checked
        raise InvalidEssaysError([error], 1) from None
    existing = posts.filter(slug__in=[essay.slug for _, essay in essays]).only(
        "slug", "created", *CONTENT
    )
    by_slug = {post.slug: post for post in existing}
    new: list[Post] = []
    changed: list[Post] = []
    for source, essay in essays:
        post = by_slug.get(essay.slug)
        changed_content = changes(post, essay)
        if post is None:
            action = "create"
            result.created += 1
        elif changed_content:
            action = "update"
            result.updated += 1
        else:
            action = "unchanged"
            result.unchanged += 1
        if on_change:
            shown = changed_content if action == "update" else {}
            on_change(Change(action, essay.slug, source, shown))
        if build and action == "create":
            post = Post(slug=essay.slug)
            apply(post, essay, now)
            new.append(post)
        elif build and action == "update":
            apply(post, essay, now)
            changed.append(post)
    return new, changed


# Export ---------------------------------------------------------------------------------


@dataclass
class ExportResult:
    written: int = 0
    unchanged: int = 0
    # Files written that won't read back as the same essay, and posts not written at all.
    warnings: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)


def file_name(post: Post) -> str:
    return f"{post.date.isoformat()}_{post.slug}.md"


def export_essays(
    posts: QuerySet, directory: Path, *, on_progress: Progress | None = None
) -> ExportResult:
    """Write each post to DIRECTORY/YYYY-MM-DD_slug.md in the site's dialect.

    A file already holding the same bytes is left alone; others are replaced atomically.
    Each file is read back: one that wouldn't import as the same essay is reported.
    """
    result = ExportResult()
    directory.mkdir(parents=True, exist_ok=True)
    total = posts.count()
    rows = posts.only("slug", *CONTENT).order_by("date", "slug").iterator(chunk_size=BATCH_SIZE)
    for number, post in enumerate(rows, start=1):
        try:
            # The slug becomes a file name: only a valid slug may.
            Post._meta.get_field("slug").run_validators(post.slug)
        except ValidationError as error:
            result.failed.append(f"post {post.pk} (slug {post.slug!r}): {' '.join(error.messages)}")
            continue
        target = directory / file_name(post)
        essay = to_essay(post)
        text = frontmatter.dump(essay)
        result.warnings += _read_back(text, target, essay)
        data = text.encode()
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
