import difflib
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DEFAULT_DB_ALIAS

from blog import essays_io
from blog.management.progress import progress_for

DIFF_LINES = 20
DIFF_WIDTH = 160


class Command(BaseCommand):
    help = (
        "Import essays from markdown files with front matter (the site's own files, Jekyll, "
        "Hugo, Gatsby, Eleventy). Every file is checked first: one bad file and nothing is "
        "written. Posts are matched on their slug; running it again changes nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "paths",
            nargs="+",
            type=Path,
            metavar="PATH",
            help="essay files, or folders searched for *.md and *.markdown",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="say what would be created or updated (with a diff of each changed body); "
            "write nothing",
        )
        parser.add_argument(
            "--skip-invalid",
            action="store_true",
            help="import the valid files and report the others, instead of importing nothing",
        )
        parser.add_argument(
            "--database", default=DEFAULT_DB_ALIAS, help="the database to import into"
        )

    def handle(self, *args, **options) -> None:
        started = time.monotonic()
        verbosity = options["verbosity"]
        dry_run = options["dry_run"]
        try:
            files = essays_io.essay_files(options["paths"])
        except FileNotFoundError as missing:
            raise CommandError(str(missing)) from None
        if not files:
            raise CommandError("No essay files (*.md, *.markdown) found there.")

        progress = progress_for(self.stdout, verbosity)
        show_changes = (dry_run and verbosity >= 1) or verbosity >= 2
        try:
            result = essays_io.import_essays(
                files,
                using=options["database"],
                dry_run=dry_run,
                skip_invalid=options["skip_invalid"],
                on_change=self._show_change(dry_run, verbosity) if show_changes else None,
                on_progress=progress,
            )
        except essays_io.InvalidEssaysError as invalid:
            raise CommandError(
                f"{invalid.files} of {len(files)} files can't be imported, so nothing was:\n"
                + "".join(f"  {error}\n" for error in invalid.errors)
                + "Fix them and run again, or pass --skip-invalid to import the other files."
            ) from None
        finally:
            if progress:
                progress.clear()

        if verbosity >= 1:
            for error in result.errors:
                self.stderr.write(f"Skipped {error}")
            for warning in result.warnings:
                self.stderr.write(warning)
            if result.ignored:
                keys = ", ".join(f"{key} ({n} files)" for key, n in result.ignored.most_common())
                self.stdout.write(f"Front matter keys ignored: {keys}.")
            self.stdout.write(self._summary(result, dry_run, time.monotonic() - started))

    def _show_change(self, dry_run: bool, verbosity: int):
        def show(change: essays_io.Change) -> None:
            if change.action == "unchanged" and verbosity < 2:
                return
            self.stdout.write(f"{change.action:9} /{change.slug}  ({change.source})")
            if not dry_run:
                return
            for name, (old, new) in change.changes.items():
                if name == "body":
                    for line in _diff(str(old), str(new), change.source):
                        self.stdout.write(f"    {line}")
                else:
                    self.stdout.write(f"    {name}: {old!s} -> {new!s}")

        return show

    def _summary(self, result: essays_io.ImportResult, dry_run: bool, seconds: float) -> str:
        counts = (
            f"{result.created} created, {result.updated} updated, "
            f"{result.unchanged} unchanged, {result.skipped} skipped in {seconds:.1f} s"
        )
        if dry_run:
            return f"Dry run, nothing written: {counts}."
        if not (result.created or result.updated):
            return f"Nothing changed: {counts}."
        return f"Imported: {counts}."


def _diff(old: str, new: str, source: str) -> list[str]:
    """A short unified diff of a body: a few lines of it, each cut to a readable width."""
    lines = list(
        difflib.unified_diff(
            old.splitlines(), new.splitlines(), "database", source, n=1, lineterm=""
        )
    )
    cut = [line if len(line) <= DIFF_WIDTH else line[: DIFF_WIDTH - 3] + "..." for line in lines]
    if len(cut) > DIFF_LINES:
        cut = [*cut[:DIFF_LINES], f"... ({len(cut) - DIFF_LINES} more diff lines)"]
    return cut
