"""Sending an essay to its subscribers: each delivery exactly once, whatever happens.

A worker claims a few deliveries in one short transaction (SELECT ... FOR UPDATE SKIP
LOCKED on PostgreSQL; on SQLite the IMMEDIATE transaction already holds the write lock),
marking them "sending"; then sends each and marks it "sent" the moment the SMTP server has
accepted it. Two workers never claim the same row. A worker killed mid-chunk leaves its
claimed rows "sending": once NEWSLETTER_CLAIM_SECONDS have passed they are claimable again
(a live worker stops claiming at half that time, so it never outlives its claim).

The only window for a duplicate is a message the server accepted in the instant before the
row was marked sent (the worker killed between the two). It can't be closed with SMTP; it
is kept to one UPDATE, and the copy sent again carries the same Message-ID.

Failures: a recipient the server refuses with 5xx is retried a few times, then the
delivery fails and the address is marked failing; 4xx and connection failures are
retried with back-off (a connection failure also ends the chunk: the rest wait too).
"""

import contextlib
import datetime as dt
import logging
import smtplib
import time
from dataclasses import dataclass

from django.conf import settings
from django.core import mail
from django.db import transaction
from django.db.models import F, Min, Q
from django.utils import timezone

from blog.models import Post
from blog.newsletter.emails import EssayEmail, message_id
from blog.newsletter.models import Delivery, Mailing, Subscriber

logger = logging.getLogger(__name__)

CHUNK = 100  # deliveries claimed at once
PERMANENT_TRIES = 3  # a refused address, tried this many times, is marked failing
TEMPORARY_TRIES = 8  # other failures: retried this many times, then the delivery fails


def retry_delay(attempts: int) -> dt.timedelta:
    """1 minute, 4, 16, about an hour, then every 4 hours."""
    return dt.timedelta(minutes=min(4 ** (attempts - 1), 240))


@dataclass
class Left:
    now: bool  # deliveries may be claimed right now
    next_due: dt.datetime | None  # when the next unfinished delivery may be tried


_essays: dict[tuple[int, dt.datetime], EssayEmail] = {}


def essay_email(post: Post) -> EssayEmail:
    """The essay's email, built once per worker process (and again if the essay changes)."""
    key = (post.pk, post.updated)
    if key not in _essays:
        _essays.clear()
        _essays[key] = EssayEmail.of(post)
    return _essays[key]


def claim(mailing: Mailing, size: int = CHUNK) -> list[Delivery]:
    """Atomically take up to `size` deliveries that are due, or abandoned by a dead worker."""
    now = timezone.now()
    claimable = mailing.deliveries.filter(
        Q(status=Delivery.Status.QUEUED, due__lte=now)
        | Q(status=Delivery.Status.SENDING, due__lte=now - _claim_time())
    )
    with transaction.atomic():
        # Readers who left since the essay was queued get nothing.
        claimable.exclude(subscriber__status=Subscriber.Status.CONFIRMED).update(
            status=Delivery.Status.CANCELLED
        )
        rows = list(
            claimable.select_for_update(skip_locked=True, of=("self",))
            .select_related("subscriber")
            .order_by("pk")[:size]
        )
        Delivery.objects.filter(pk__in=[row.pk for row in rows]).update(
            status=Delivery.Status.SENDING, due=now
        )
    return rows


def send_chunk(essay: EssayEmail, rows: list[Delivery]) -> int:
    """Send claimed deliveries; the number sent."""
    sent = 0
    deadline = time.monotonic() + settings.NEWSLETTER_CLAIM_SECONDS / 2
    pace = Pace(settings.NEWSLETTER_SEND_RATE)
    connection = mail.mailers.default
    try:
        for index, row in enumerate(rows):
            if time.monotonic() > deadline:
                release(rows[index:])
                break
            pace.wait()
            message = essay.to(row.subscriber.email, row.subscriber_id, message_id(row.pk))
            try:
                connection.open()  # once: one SMTP connection for the chunk
                connection.send_messages([message])
            except Exception as error:  # every failure is recorded, none lost
                if not failed(row, error):
                    # The server, not the address: the rest of the chunk waits as well.
                    release(rows[index + 1 :], until=row.due)
                    break
                continue
            # The one window for a duplicate is here: keep it to this single UPDATE.
            Delivery.objects.filter(pk=row.pk).update(
                status=Delivery.Status.SENT, sent=timezone.now(), error=""
            )
            sent += 1
            if row.subscriber.failures:
                Subscriber.objects.filter(pk=row.subscriber_id).update(failures=0)
    finally:
        with contextlib.suppress(Exception):
            connection.close()
    return sent


def failed(row: Delivery, error: Exception) -> bool:
    """Record a failed try; True if it was the address's fault, not the server's."""
    code, refused = _classify(error)
    attempts = row.attempts + 1
    permanent = refused and code >= 500
    give_up = attempts >= (PERMANENT_TRIES if permanent else TEMPORARY_TRIES)
    status = Delivery.Status.FAILED if give_up else Delivery.Status.QUEUED
    row.due = timezone.now() + retry_delay(attempts)
    Delivery.objects.filter(pk=row.pk).update(
        status=status, attempts=attempts, due=row.due, error=f"{code or ''} {error}"[:300]
    )
    logger.warning("Delivery %s failed (try %s): %s", row.pk, attempts, error)
    if give_up and permanent:
        subscriber = Subscriber.objects.filter(pk=row.subscriber_id)
        subscriber.update(failures=F("failures") + 1, status=Subscriber.Status.FAILING)
    return refused


def _classify(error: Exception) -> tuple[int, bool]:
    """(SMTP code or 0, whether it concerns this recipient only)."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _ in error.recipients.values()]
        return (max(codes) if codes else 0), True
    if isinstance(error, smtplib.SMTPDataError):
        return error.smtp_code, True
    return getattr(error, "smtp_code", 0), False


def release(rows: list[Delivery], until: dt.datetime | None = None) -> None:
    """Give claimed rows back to the queue (due now, or after a server's back-off)."""
    Delivery.objects.filter(pk__in=[row.pk for row in rows], status=Delivery.Status.SENDING).update(
        status=Delivery.Status.QUEUED, due=until or timezone.now()
    )


def left(mailing: Mailing) -> Left:
    """What is left: deliveries claimable now, and when the next one will be."""
    now = timezone.now()
    waiting = mailing.deliveries.filter(status=Delivery.Status.QUEUED)
    # A claimed row becomes claimable again when its claim runs out.
    claimed = mailing.deliveries.filter(status=Delivery.Status.SENDING)
    dues = [
        waiting.aggregate(due=Min("due"))["due"],
        _plus(claimed.aggregate(due=Min("due"))["due"], _claim_time()),
    ]
    next_due = min((due for due in dues if due is not None), default=None)
    return Left(now=next_due is not None and next_due <= now, next_due=next_due)


def _plus(moment: dt.datetime | None, delta: dt.timedelta) -> dt.datetime | None:
    return moment + delta if moment is not None else None


def _claim_time() -> dt.timedelta:
    return dt.timedelta(seconds=settings.NEWSLETTER_CLAIM_SECONDS)


class Pace:
    """At most `rate` messages a second from this worker (0: as fast as the server takes)."""

    def __init__(self, rate: float) -> None:
        self.interval = 1 / rate if rate > 0 else 0.0
        self.next = time.monotonic()

    def wait(self) -> None:
        now = time.monotonic()
        if self.next > now:
            time.sleep(self.next - now)
        self.next = max(self.next, now) + self.interval
