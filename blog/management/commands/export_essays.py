import datetime as dt
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DEFAULT_DB_ALIAS

from blog import essays_io
from blog.management.progress import progress_for
from blog.models import Page, Post


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"--since {value!r}: write the date as YYYY-MM-DD") from None


class Command(BaseCommand):
    help = (
        "Write every essay to DIR as YYYY-MM-DD_slug.md, and every page as DIR/pages/slug.md, "
        "in the site's format (drafts carry `draft: true`), ready for import_essays. Files "
        "already up to date are left alone."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("directory", type=Path, metavar="DIR", help="created if missing")
        parser.add_argument(
            "--status",
            choices=["all", "published", "draft"],
            default="all",
            help="which essays and pages, by status (default: all; published includes "
            "scheduled essays)",
        )
        parser.add_argument(
            "--since",
            type=_date,
            metavar="YYYY-MM-DD",
            help="only essays dated on or after this day (and no pages: they have no date)",
        )
        parser.add_argument(
            "--database", default=DEFAULT_DB_ALIAS, help="the database to export from"
        )

    def handle(self, *args, **options) -> None:
        started = time.monotonic()
        posts = Post.objects.using(options["database"])
        pages = Page.objects.using(options["database"])
        if options["status"] != "all":
            posts = posts.filter(status=options["status"])
            pages = pages.filter(status=options["status"])
        if options["since"]:
            posts = posts.filter(date__gte=options["since"])
            pages = pages.none()

        progress = progress_for(self.stdout, options["verbosity"])
        try:
            result = essays_io.export_essays(
                posts, options["directory"], pages=pages, on_progress=progress
            )
        except OSError as error:
            raise CommandError(f"Can't write the essays: {error}") from None
        finally:
            if progress:
                progress.clear()

        for warning in result.warnings:
            self.stderr.write(f"Warning: {warning}")
        if result.failed:
            raise CommandError(
                f"{len(result.failed)} posts were not exported (the other files were):\n"
                + "".join(f"  {failure}\n" for failure in result.failed)
                + "Give them a valid slug in the admin and export again."
            )
        if options["verbosity"] >= 1:
            seconds = time.monotonic() - started
            self.stdout.write(
                f"Exported {result.written + result.unchanged - result.pages} essays"
                + (f" and {result.pages} pages" if result.pages else "")
                + f" to {options['directory']}: "
                f"{result.written} written, {result.unchanged} unchanged in {seconds:.1f} s."
            )
