"""The real thing: `manage.py db_worker` in its own processes, an SMTP server on 127.0.0.1,
the site through its forms and its admin."""

import collections
import re
import time
from urllib.parse import urlsplit

import pytest
from django.test import Client
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from blog.models import Post
from blog.newsletter.models import Delivery, Mailing, Subscriber
from tests.conftest import post_form

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def publish_in_admin(admin_client, slug: str) -> Post:
    today = timezone.localdate().isoformat()
    data = post_form(
        title=f"Essay {slug}", slug=slug, date=today, status="published", email_subscribers="on"
    )
    response = admin_client.post("/admin/blog/post/add/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    return Post.objects.get(slug=slug)


def test_subscribe_confirm_publish_unsubscribe(mail_server, drain, admin_client):
    inbox, port = mail_server()
    Subscriber.objects.create(email="reader@example.com", status="confirmed")
    Subscriber.objects.create(email="pending@example.com", status="pending")
    Subscriber.objects.create(email="left@example.com", status="unsubscribed")

    # Subscribe through the form; the worker sends the confirmation.
    reader = Client()
    assert reader.post("/subscribe/", {"email": "new@example.com"}).status_code == 302
    drain(port)
    (confirmation,) = inbox.to("new@example.com")
    link = re.search(r"https?://\S+/subscribe/confirm/\S+/", confirmation.get_content())[0]
    path = urlsplit(link).path
    assert reader.get(path).status_code == 200
    assert Subscriber.objects.get(email="new@example.com").status == "pending"
    assert reader.post(path).status_code == 200
    assert Subscriber.objects.get(email="new@example.com").status == "confirmed"

    # Publish in the admin; the worker sends the essay.
    post = publish_in_admin(admin_client, "first")
    drain(port)
    emailed = [m for m in inbox.messages if m["Subject"] == post.title]
    assert sorted(m["To"] for m in emailed) == ["new@example.com", "reader@example.com"]
    for message in emailed:
        assert message.get_body(("plain",)) is not None
        assert message.get_body(("html",)) is not None
        assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        assert message["Message-ID"].startswith("<newsletter.")

    # One-click unsubscribe, as a mail client does it: a POST, no cookie, no token.
    (to_new,) = [m for m in emailed if m["To"] == "new@example.com"]
    unsubscribe = urlsplit(to_new["List-Unsubscribe"].strip().strip("<>")).path
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        unsubscribe, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 200
    assert Subscriber.objects.get(email="new@example.com").status == "unsubscribed"

    # Nothing more: the next essay goes to the one reader left, editing the first sends
    # nothing, and no one else ever got anything.
    second = publish_in_admin(admin_client, "second")
    response = admin_client.post(
        f"/admin/blog/post/{post.pk}/change/",
        post_form(title="Edited", slug="first", status="published", email_subscribers="on"),
    )
    assert response.status_code == 302
    drain(port)
    assert [m["To"] for m in inbox.messages if m["Subject"] == second.title] == [
        "reader@example.com"
    ]
    assert len(inbox.messages) == 1 + 2 + 1
    assert not inbox.to("pending@example.com")
    assert not inbox.to("left@example.com")


def wait_until(condition, timeout: float = 300) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            deliveries = collections.Counter(Delivery.objects.values_list("status", flat=True))
            tasks = collections.Counter(DBTaskResult.objects.values_list("status", flat=True))
            pytest.fail(f"timed out: deliveries {deliveries}, tasks {tasks}")
        time.sleep(0.1)


def test_killed_mid_send_then_two_workers_every_reader_gets_exactly_one(
    mail_server, worker, make_post
):
    readers = [Subscriber(email=f"reader{n}@example.com", status="confirmed") for n in range(1000)]
    Subscriber.objects.bulk_create(readers)
    post = make_post(status="draft")
    Mailing.objects.create(post=post, send=True)
    post.status = Post.Status.PUBLISHED
    post.save()  # committed at once (no transaction here): the essay is queued

    # The first worker is killed while the server holds its 300th message at RCPT.
    inbox, port = mail_server(hold_at=300)
    claim = {"DJANGO_NEWSLETTER_CLAIM_SECONDS": "3"}
    first = worker(port, **claim)
    if not inbox.wait_holding(timeout=300):
        pytest.fail(f"{len(inbox.received)} emails; the worker said: {first.log.read_text()}")
    first.kill()
    first.wait(timeout=30)
    inbox.release()
    assert len(inbox.received) == 299
    assert Delivery.objects.filter(status="sending").exists()  # its claim, left behind

    # Started again, twice over: they share the rest, and the dead one's claim runs out.
    workers = [worker(port, **claim), worker(port, **claim)]
    wait_until(lambda: Delivery.objects.filter(status="sent").count() == 1000)
    for process in workers:
        assert process.poll() is None, process.log.read_text()
        process.terminate()

    messages = inbox.messages
    received = collections.Counter(m["To"] for m in messages)
    assert len(received) == 1000
    assert set(received.values()) == {1}
    assert len({m["Message-ID"] for m in messages}) == 1000
    # Both new workers sent chunks.
    chunks = DBTaskResult.objects.filter(
        task_path="blog.newsletter.tasks.deliver", status="SUCCESSFUL"
    )
    assert len({task.worker_ids[-1] for task in chunks}) >= 2


def test_two_workers_on_postgresql_send_each_email_once(mail_server, worker, make_post, tmp_path):
    """Two workers at once, each as on a machine of its own (its own cache and media
    folders): they share nothing but the database and the SMTP server."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip(
            "PostgreSQL only: on SQLite one write transaction at a time serialises the workers' "
            "claims; PostgreSQL's SELECT ... FOR UPDATE SKIP LOCKED runs them at once"
        )
    readers = [Subscriber(email=f"reader{n}@example.com", status="confirmed") for n in range(600)]
    Subscriber.objects.bulk_create(readers)
    post = make_post(status="draft")
    Mailing.objects.create(post=post, send=True)
    post.status = Post.Status.PUBLISHED
    post.save()

    inbox, port = mail_server()
    machines = [
        {
            "DJANGO_CACHE_DIR": str(tmp_path / f"machine-{n}" / "cache"),
            "DJANGO_MEDIA_ROOT": str(tmp_path / f"machine-{n}" / "media"),
        }
        for n in range(2)
    ]
    workers = [worker(port, **machine) for machine in machines]
    wait_until(lambda: Delivery.objects.filter(status="sent").count() == 600)
    for process in workers:
        assert process.poll() is None, process.log.read_text()
        process.terminate()

    received = collections.Counter(m["To"] for m in inbox.messages)
    assert len(received) == 600
    assert set(received.values()) == {1}
    # Both sent, and at the same time: chunks of each overlap chunks of the other.
    chunks = DBTaskResult.objects.filter(
        task_path="blog.newsletter.tasks.deliver", status="SUCCESSFUL", return_value__gt=0
    )
    by_worker = collections.defaultdict(list)
    for task in chunks:
        by_worker[task.worker_ids[-1]].append((task.started_at, task.finished_at))
    assert len(by_worker) == 2
    first, second = by_worker.values()
    assert any(a < d and c < b for a, b in first for c, d in second)
