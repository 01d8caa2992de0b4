"""The newsletter's work outside the request, on Django's tasks framework (django-tasks-db
queues it in the database; `manage.py db_worker` runs it).

    essay_saved -> mail_essay (on the essay's date) -> deliver, deliver, ... until done

A worker killed mid-task leaves its task "running" for good (django-tasks-db doesn't
retry), so no task is ever the only record of work left: each `deliver` queues its
successor in the same transaction as its claim, before sending anything.
"""

import datetime as dt
import itertools

from django.db import transaction
from django.tasks import task
from django.utils import timezone

from blog.models import Post
from blog.newsletter import emails, sending
from blog.newsletter.models import Delivery, Mailing, Subscriber

BATCH = 2000


def essay_saved(sender: type[Post], instance: Post, raw: bool = False, **kwargs) -> None:
    """post_save of an essay: if it is to be emailed, look again on its date. (Several saves
    may queue several looks: mail_essay queues the essay once all the same.)"""
    if raw:  # loaddata
        return
    transaction.on_commit(lambda: schedule(instance.pk), using=kwargs.get("using"))


def schedule(post_id: int) -> None:
    mailing = (
        Mailing.objects.filter(
            post_id=post_id, send=True, queued=None, post__status=Post.Status.PUBLISHED
        )
        .select_related("post")
        .first()
    )
    if mailing is not None:
        mail_essay.using(run_after=start_of(mailing.post.date)).enqueue(post_id)


def start_of(day: dt.date) -> dt.datetime | None:
    """The start of `day` in the site's time zone; None if that is past (run now)."""
    start = timezone.make_aware(dt.datetime.combine(day, dt.time.min))
    return start if start > timezone.now() else None


@task
def mail_essay(post_id: int) -> int:
    """Queue the essay for every confirmed subscriber, once: if it is still published,
    public, ticked and not queued before (it may have changed since it was scheduled)."""
    with transaction.atomic():
        mailing = (
            Mailing.objects.select_for_update()
            .filter(post_id=post_id, send=True, queued=None, post__in=Post.objects.published())
            .first()
        )
        if mailing is None:
            return 0
        Mailing.objects.filter(pk=mailing.pk).update(queued=timezone.now())
        subscribers = Subscriber.objects.filter(status=Subscriber.Status.CONFIRMED)
        ids = subscribers.order_by("pk").values_list("pk", flat=True).iterator(BATCH)
        created = 0
        for batch in itertools.batched(ids, BATCH, strict=False):
            rows = [Delivery(mailing=mailing, subscriber_id=pk) for pk in batch]
            Delivery.objects.bulk_create(rows, ignore_conflicts=True)
            created += len(rows)
        # In the same transaction: queued deliveries always have a task to send them.
        deliver.enqueue(mailing.pk)
    return created


@task
def deliver(mailing_id: int) -> int:
    """Send a chunk of the mailing's deliveries; the next chunk is queued first."""
    mailing = Mailing.objects.select_related("post").filter(pk=mailing_id).first()
    if mailing is None:  # the essay was deleted
        return 0
    with transaction.atomic():
        rows = sending.claim(mailing)
        left = sending.left(mailing)
        if left.next_due is not None:
            # Now if more is waiting (another worker may take it while this one sends);
            # else when the next retry is due, or this chunk's claim runs out (if this
            # worker dies, its rows are sent then).
            deliver.using(run_after=None if left.now else left.next_due).enqueue(mailing_id)
    if not rows:
        return 0
    return sending.send_chunk(sending.essay_email(mailing.post), rows)


@task(priority=10)
def send_confirmation(subscriber_id: int) -> bool:
    """The double opt-in email, to an address not yet confirmed."""
    subscriber = (
        Subscriber.objects.filter(pk=subscriber_id)
        .exclude(status=Subscriber.Status.CONFIRMED)
        .first()
    )
    if subscriber is None:
        return False
    try:
        emails.confirmation(subscriber).send()
    except Exception:
        # Let the reader ask again at once rather than in an hour.
        Subscriber.objects.filter(pk=subscriber_id).update(confirmation_sent=None)
        raise
    return True
