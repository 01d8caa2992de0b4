"""Sending an essay: when it is queued, what the email holds, failures and retries.

Tasks run in this process here, against a real SMTP server on 127.0.0.1; the worker's own
process is in test_worker.py."""

import datetime as dt
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from blog.models import Post
from blog.newsletter import sending
from blog.newsletter.models import Delivery, Mailing, Subscriber
from tests.conftest import SEED

BODY = (
    "A claim[^1] with [a link](/words/other/) and an image:\n\n![A view](/media/a.png)\n\n"
    "- one\n- two\n\n[^1]: The note, [with a link](https://example.org/)."
)


def readers(*emails: str, status: str = "confirmed") -> list[Subscriber]:
    return [Subscriber.objects.create(email=email, status=status) for email in emails]


@pytest.fixture
def essay(make_post, settings):
    """A published essay ticked for email, as the admin form saves it."""
    settings.SITE_URL = "https://essays.example.com"

    def make(**fields) -> Post:
        post = make_post(body=BODY, status="draft", **fields)
        Mailing.objects.create(post=post, send=True)
        post.status = Post.Status.PUBLISHED
        post.save()
        return post

    return make


def mail_tasks() -> list[DBTaskResult]:
    return list(DBTaskResult.objects.filter(task_path="blog.newsletter.tasks.mail_essay"))


def test_publishing_sends_one_email_to_each_confirmed_reader_only(
    essay, inbox, run_tasks, django_capture_on_commit_callbacks
):
    readers("a@example.com", "b@example.com")
    readers("pending@example.com", status="pending")
    readers("left@example.com", status="unsubscribed")
    readers("bounced@example.com", status="failing")
    with django_capture_on_commit_callbacks(execute=True):
        essay(title="On email")
    run_tasks()
    assert sorted(m["To"] for m in inbox.messages) == ["a@example.com", "b@example.com"]
    assert Delivery.objects.filter(status="sent").count() == 2


def test_the_email_holds_the_whole_essay_both_parts_and_the_headers(
    essay, inbox, run_tasks, django_capture_on_commit_callbacks
):
    (reader,) = readers("a@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        post = essay(title="On email")
    run_tasks()
    (message,) = inbox.messages
    page = f"https://essays.example.com{post.get_absolute_url()}"
    assert message["Subject"] == "On email"
    assert message["From"] == "Words <webmaster@localhost>"
    unsubscribe = message["List-Unsubscribe"].strip()
    assert unsubscribe.startswith(f"<https://essays.example.com/unsubscribe/{reader.pk}-")
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    delivery = Delivery.objects.get()
    assert message["Message-ID"] == f"<newsletter.{delivery.pk}@essays.example.com>"
    html = message.get_body(("html",)).get_content()
    text = message.get_body(("plain",)).get_content().replace("\r\n", "\n")
    # Links and images absolute; the notes as plain endnotes; the site's typography inline.
    assert 'href="https://essays.example.com/words/other/"' in html
    assert 'src="https://essays.example.com/media/a.png"' in html
    assert f'href="{page}#fn-1"' in html
    assert "footnote-backref" not in html
    assert "<style" not in html
    assert 'style="' in html
    assert "var(--" not in html
    assert f'href="{page}"' in html
    assert unsubscribe.strip("<>") in html
    assert "a link <https://essays.example.com/words/other/>" in text
    assert "[1]" in text
    assert "The note, with a link <https://example.org/>." in text
    assert "- one\n- two" in text
    assert unsubscribe.strip("<>") in text
    assert page in text


def test_an_essay_sent_is_never_sent_again(
    essay, inbox, run_tasks, django_capture_on_commit_callbacks
):
    readers("a@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        post = essay()
    run_tasks()
    with django_capture_on_commit_callbacks(execute=True):
        post.title = "Edited"
        post.save()
        post.status = Post.Status.DRAFT
        post.save()
        post.status = Post.Status.PUBLISHED
        post.save()
    run_tasks()
    assert len(inbox.messages) == 1


def test_a_scheduled_essay_is_queued_for_the_start_of_its_day(
    essay, tomorrow, django_capture_on_commit_callbacks, run_tasks, inbox
):
    readers("a@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        essay(date=tomorrow)
    start = timezone.make_aware(dt.datetime.combine(tomorrow, dt.time.min))
    # (Each save looks again: two saves, two looks; the essay is queued once all the same.)
    assert {task.run_after for task in mail_tasks()} == {start}
    run_tasks()  # not due: nothing runs
    assert not inbox.messages
    # Run early anyway (a clock set wrong): it looks again, and the essay isn't public yet.
    DBTaskResult.objects.update(run_after=timezone.now())
    run_tasks()
    assert not inbox.messages
    assert Mailing.objects.get().queued is None


def test_unticked_drafts_and_link_posts_by_default_send_nothing(
    make_post, django_capture_on_commit_callbacks, run_tasks, inbox
):
    readers("a@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        unticked = make_post(status="draft")
        Mailing.objects.create(post=unticked, send=False)
        unticked.status = "published"
        unticked.save()
        make_post()  # no Mailing at all: made elsewhere than the admin form
        draft = make_post(status="draft")
        Mailing.objects.create(post=draft, send=True)
        draft.save()
    run_tasks()
    assert not inbox.messages


@pytest.mark.django_db
def test_loaddata_and_import_never_send(tmp_path, django_capture_on_commit_callbacks):
    readers("a@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        call_command("loaddata", SEED, verbosity=0)
        folder = Path(tmp_path)
        (folder / "x.md").write_text('---\nslug: "x"\ndate: "2024-01-01"\ntitle: "X"\n---\nText.\n')
        call_command("import_essays", folder, verbosity=0)
    assert not DBTaskResult.objects.exists()


def test_a_reader_who_leaves_before_their_turn_gets_nothing(
    essay, inbox, run_tasks, django_capture_on_commit_callbacks
):
    _, leaves = readers("stays@example.com", "leaves@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        essay()
    from blog.newsletter.tasks import mail_essay

    mail_essay.call(Post.objects.get().pk)
    Subscriber.objects.filter(pk=leaves.pk).update(status="unsubscribed")
    run_tasks()
    assert [m["To"] for m in inbox.messages] == ["stays@example.com"]
    assert Delivery.objects.get(subscriber=leaves).status == "cancelled"


def test_a_temporary_refusal_is_retried_later(
    essay, inbox, run_tasks, django_capture_on_commit_callbacks
):
    readers("busy@example.com")
    inbox.refuse["busy@example.com"] = "451 try again later"
    with django_capture_on_commit_callbacks(execute=True):
        essay()
    run_tasks()
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.attempts) == ("queued", 1)
    assert "451" in delivery.error
    assert delivery.due > timezone.now() + dt.timedelta(seconds=50)
    # A task waits for it.
    assert DBTaskResult.objects.filter(status="READY", run_after__gte=delivery.due).exists()
    del inbox.refuse["busy@example.com"]
    DBTaskResult.objects.filter(status="READY").update(run_after=timezone.now())
    Delivery.objects.update(due=timezone.now())
    run_tasks()
    assert Delivery.objects.get().status == "sent"
    assert len(inbox.messages) == 1


def test_a_permanent_refusal_marks_the_address_failing_after_a_few_tries(
    essay, inbox, run_tasks, django_capture_on_commit_callbacks
):
    (reader,) = readers("gone@example.com")
    inbox.refuse["gone@example.com"] = "550 no such user"
    with django_capture_on_commit_callbacks(execute=True):
        essay()
    for _ in range(sending.PERMANENT_TRIES):
        Delivery.objects.update(due=timezone.now())
        DBTaskResult.objects.filter(status="READY").update(run_after=timezone.now())
        run_tasks()
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.attempts) == ("failed", sending.PERMANENT_TRIES)
    reader.refresh_from_db()
    assert reader.status == "failing"
    assert not inbox.messages
    # Nothing is left waiting: the chain of tasks ends.
    DBTaskResult.objects.filter(status="READY").update(run_after=timezone.now())
    run_tasks()
    assert not DBTaskResult.objects.filter(status="READY").exists()


def test_a_server_that_is_down_delays_everyone_without_losing_anyone(
    essay, run_tasks, settings, django_capture_on_commit_callbacks
):
    from tests.conftest import free_port

    readers("a@example.com", "b@example.com", "c@example.com")
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": free_port(), "timeout": 2},
        }
    }
    with django_capture_on_commit_callbacks(execute=True):
        essay()
    run_tasks()
    rows = list(Delivery.objects.order_by("pk"))
    assert {row.status for row in rows} == {"queued"}
    assert [row.attempts for row in rows] == [1, 0, 0]  # only the one tried counts a try
    assert all(row.due > timezone.now() for row in rows)


def test_the_send_rate_is_kept():
    pace = sending.Pace(rate=50)
    import time

    start = time.monotonic()
    for _ in range(11):
        pace.wait()
    assert time.monotonic() - start >= 10 / 50


@pytest.mark.django_db(transaction=True)
def test_two_claims_at_once_take_different_deliveries_without_waiting(essay):
    """A worker's claim is held until its transaction ends; another worker's claim meanwhile
    skips those rows, and doesn't wait for them (PostgreSQL: FOR UPDATE SKIP LOCKED)."""
    import threading

    from django.db import connection, transaction

    if connection.vendor != "postgresql":
        pytest.skip(
            "PostgreSQL only: SQLite has one writer at a time, so a second claim waits for the "
            "first transaction (its IMMEDIATE transaction serialises them)"
        )
    readers(*(f"reader{n}@example.com" for n in range(10)))
    mailing = essay().mailing
    Delivery.objects.bulk_create(
        Delivery(mailing=mailing, subscriber=reader) for reader in Subscriber.objects.all()
    )
    theirs: list[Delivery] = []

    def another_worker() -> None:
        try:
            theirs.extend(sending.claim(mailing, size=10))
        finally:
            connection.close()

    with transaction.atomic():  # as tasks.deliver: the claim is held until the end
        mine = sending.claim(mailing, size=4)
        thread = threading.Thread(target=another_worker)
        thread.start()
        thread.join(timeout=10)
        assert not thread.is_alive(), "the second claim waited for the first"
    assert len(mine) == 4
    assert len(theirs) == 6
    assert {row.pk for row in mine}.isdisjoint(row.pk for row in theirs)
