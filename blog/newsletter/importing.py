"""Subscribers in and out as CSV: imports read the exports of Substack, Buttondown and
Ghost (their column names), skip addresses already here, and report bad rows by line."""

import csv
import datetime as dt
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models.functions import Lower
from django.utils import timezone

from blog.newsletter.models import Subscriber

EMAIL_COLUMNS = ("email", "email_address", "email address", "e-mail")
DATE_COLUMNS = ("created_at", "creation_date", "subscribed_at", "created", "date")
# Columns that say an address no longer wants email, and the values that say it:
# Ghost's subscribed_to_emails, Substack's email_disabled, Buttondown's subscriber type.
UNSUBSCRIBED = {
    "subscribed_to_emails": {"false", "0", "no"},
    "email_disabled": {"true", "1", "yes"},
    "subscriber_type": {"unsubscribed", "removed"},
    "type": {"unsubscribed", "removed"},
}
EXPORT_COLUMNS = ("email", "status", "created", "confirmed", "unsubscribed", "source")
BATCH = 500


class UnreadableFileError(ValueError):
    """The file as a whole can't be read (not CSV, no email column)."""


@dataclass
class Report:
    created: int = 0
    duplicates: int = 0
    problems: list[str] = field(default_factory=list)


def import_csv(data: bytes, source: str) -> Report:
    """Add the file's addresses as subscribers (confirmed: they opted in where they came
    from; unsubscribed if the export says so). All or nothing: one transaction."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise UnreadableFileError(f"The file is not UTF-8 text (byte {error.start}).") from None
    rows = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [name.strip().lower() for name in next(rows, [])]
    except csv.Error as error:
        raise UnreadableFileError(f"line 1: {error}") from None
    email_column = next((header.index(n) for n in EMAIL_COLUMNS if n in header), None)
    if email_column is None:
        raise UnreadableFileError(
            "line 1: no email column. The first line must name the columns, one of them "
            f"{' or '.join(EMAIL_COLUMNS[:2])} (as Substack, Buttondown and Ghost export)."
        )
    report = Report()
    seen: set[str] = set()
    with transaction.atomic():
        for batch in _batches(_subscribers(rows, header, email_column, report, source)):
            new = _not_yet_here(batch, seen)
            report.duplicates += len(batch) - len(new)
            Subscriber.objects.bulk_create(new, ignore_conflicts=True)
            report.created += len(new)
    return report


def _subscribers(
    rows: Iterable[list[str]], header: list[str], email_column: int, report: Report, source: str
) -> Iterator[Subscriber]:
    date_column = next((header.index(n) for n in DATE_COLUMNS if n in header), None)
    opt_outs = [(header.index(n), values) for n, values in UNSUBSCRIBED.items() if n in header]
    now = timezone.now()
    line = 1
    try:
        for row in rows:
            line += 1
            if not any(cell.strip() for cell in row):
                continue
            email = row[email_column].strip() if email_column < len(row) else ""
            try:
                validate_email(email)
            except ValidationError:
                report.problems.append(f"line {line}: “{email[:80]}” is not an email address")
                continue
            left = any(i < len(row) and row[i].strip().lower() in v for i, v in opt_outs)
            created = (
                _date(row[date_column])
                if date_column is not None and date_column < len(row)
                else None
            )
            yield Subscriber(
                email=email,
                status=Subscriber.Status.UNSUBSCRIBED if left else Subscriber.Status.CONFIRMED,
                created=created or now,
                confirmed=None if left else created or now,
                unsubscribed=now if left else None,
                source=source[:40],
            )
    except csv.Error as error:
        report.problems.append(f"line {line}: {error}; the rest of the file was not read")


def _date(value: str) -> dt.datetime | None:
    try:
        moment = dt.datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    return timezone.make_aware(moment) if timezone.is_naive(moment) else moment


def _batches(subscribers: Iterator[Subscriber]) -> Iterator[list[Subscriber]]:
    batch: list[Subscriber] = []
    for subscriber in subscribers:
        batch.append(subscriber)
        if len(batch) == BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def _not_yet_here(batch: list[Subscriber], seen: set[str]) -> list[Subscriber]:
    """Leave out addresses already subscribed (any case) or earlier in the file."""
    keys = {subscriber.email.lower() for subscriber in batch}
    existing = set(
        Subscriber.objects.annotate(key=Lower("email"))
        .filter(key__in=keys)
        .values_list("key", flat=True)
    )
    new = []
    for subscriber in batch:
        key = subscriber.email.lower()
        if key not in existing and key not in seen:
            seen.add(key)
            new.append(subscriber)
    return new


def export_rows(subscribers: Iterable[Subscriber]) -> Iterator[str]:
    """The CSV export, a line at a time (for a streaming response)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)

    def line(values: Iterable[object]) -> str:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow(values)
        return buffer.getvalue()

    yield line(EXPORT_COLUMNS)
    for subscriber in subscribers:
        yield line(_cell(getattr(subscriber, name)) for name in EXPORT_COLUMNS)


def _cell(value: object) -> str:
    if isinstance(value, dt.datetime):
        return value.isoformat()
    text = "" if value is None else str(value)
    # A cell starting with =, +, - or @ is a formula to spreadsheets: quote it.
    return f"'{text}" if text[:1] in {"=", "+", "-", "@"} else text
