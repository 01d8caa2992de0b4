"""Signing up: the form, double opt-in with a button, no disclosure, limits, unsubscribing."""

import re
import time

import pytest
from django.core import mail, signing
from django.test import Client
from django_tasks_db.models import DBTaskResult

from blog.newsletter import tokens
from blog.newsletter.models import Subscriber
from site_config.models import SiteSettings

CONFIRMATIONS = "blog.newsletter.tasks.send_confirmation"


def confirmations_queued() -> int:
    return DBTaskResult.objects.filter(task_path=CONFIRMATIONS).count()


def link_in(message) -> str:
    return re.search(r"https?://\S+/subscribe/confirm/\S+/", message.body)[0]


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/", "/subscribe/", "essay"])
def test_the_form_is_on_the_home_page_under_each_essay_and_at_subscribe(client, make_post, url):
    post = make_post()
    response = client.get(post.get_absolute_url() if url == "essay" else url)
    html = response.content.decode()
    assert response.status_code == 200
    assert 'action="/subscribe/" method="post"' in html
    assert 'name="email"' in html
    assert "csrfmiddlewaretoken" not in html  # the page stays cacheable
    assert not response.cookies


def test_signing_up_asks_the_address_to_confirm(subscribe, run_tasks):
    response = subscribe("Reader@Example.COM")
    assert response.status_code == 302
    assert response["Location"] == "/subscribe/check-your-inbox/"
    subscriber = Subscriber.objects.get()
    assert (subscriber.email, subscriber.status) == ("Reader@example.com", "pending")
    run_tasks()
    (message,) = mail.outbox
    assert message.to == ["Reader@example.com"]
    assert "Confirm your subscription" in message.subject
    assert link_in(message)


def test_the_emails_and_pages_name_the_site_as_saved_in_the_admin(
    client, subscribe, run_tasks, settings
):
    settings.SITE_NAME = "From the environment"
    site = SiteSettings.ensure()
    site.name = "Field Notes"
    site.save()
    assert "Each new essay from Field Notes" in client.get("/subscribe/").text
    subscribe("reader@example.com")
    run_tasks()
    (message,) = mail.outbox
    assert message.subject == "Confirm your subscription to Field Notes"
    assert message.from_email == "Field Notes <webmaster@localhost>"
    assert "new essays from Field Notes by email" in message.body


def test_following_the_link_confirms_nobody_the_button_does(client, subscribe, run_tasks):
    subscribe("reader@example.com")
    run_tasks()
    link = link_in(mail.outbox[0])
    page = client.get(link)
    assert page.status_code == 200
    assert "Yes, subscribe me" in page.content.decode()
    assert "no-store" in page["Cache-Control"]
    assert Subscriber.objects.get().status == "pending"
    done = Client().post(link)  # another browser, no cookie: the token is what counts
    assert done.status_code == 200
    assert "subscribed" in done.content.decode()
    assert Subscriber.objects.get().status == "confirmed"


@pytest.mark.parametrize("token", ["", "nonsense", "1:abc"])
@pytest.mark.django_db
def test_a_forged_confirmation_link_is_refused_clearly(client, token):
    response = client.post(f"/subscribe/confirm/{token or 'x'}/")
    assert response.status_code == 400
    assert "not valid" in response.content.decode()


def test_an_expired_confirmation_link_is_refused(client, subscribe):
    subscribe("reader@example.com")
    subscriber = Subscriber.objects.get()
    age = int(tokens.CONFIRM_MAX_AGE.total_seconds()) + 5

    class SignedLongAgo(signing.TimestampSigner):
        def timestamp(self) -> str:
            return signing.b62_encode(int(time.time()) - age)

    token = SignedLongAgo(salt="newsletter.confirm").sign_object(subscriber.pk)
    response = client.post(f"/subscribe/confirm/{token}/")
    assert response.status_code == 400
    assert "expired" in response.content.decode()
    assert Subscriber.objects.get().status == "pending"


def test_the_answer_is_the_same_for_new_pending_and_subscribed(subscribe, run_tasks):
    Subscriber.objects.create(email="in@example.com", status="confirmed")
    subscribe("waiting@example.com")
    answers = {
        subscribe(email)["Location"]
        for email in ("new@example.com", "waiting@example.com", "in@example.com")
    }
    assert answers == {"/subscribe/check-your-inbox/"}
    run_tasks()
    # One confirmation each to the new and the pending address (asked twice within the
    # hour: once), none to the subscribed one.
    assert sorted(m.to[0] for m in mail.outbox) == ["new@example.com", "waiting@example.com"]


def test_at_most_one_confirmation_an_hour_per_address(subscribe, run_tasks):
    subscribe("reader@example.com")
    subscribe("READER@example.com")
    run_tasks()
    assert len(mail.outbox) == 1
    Subscriber.objects.update(confirmation_sent="2000-01-01T00:00Z")
    subscribe("reader@example.com")
    run_tasks()
    assert len(mail.outbox) == 2
    assert Subscriber.objects.count() == 1


def test_the_honeypot_gets_the_same_answer_and_nothing_is_stored(subscribe):
    response = subscribe("bot@example.com", website="http://spam.example")
    assert response["Location"] == "/subscribe/check-your-inbox/"
    assert not Subscriber.objects.exists()
    assert confirmations_queued() == 0


@pytest.mark.parametrize(
    ("email", "message"),
    [
        ("", "Enter your email address."),
        ("not an address", "Enter an email address like name@example.com."),
        ("a@b\x00.com", "Enter an email address like name@example.com."),
        ("x" * 300 + "@example.com", "too long"),
        ("reader@example.com\r\nBcc: all@example.com", "Enter an email address"),
    ],
)
def test_bad_input_gets_a_clear_message(subscribe, email, message):
    response = subscribe(email)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Subscriber.objects.exists()


@pytest.mark.django_db
def test_a_request_without_fields_or_with_junk_is_no_500(client):
    assert client.post("/subscribe/").status_code == 200
    assert client.post("/subscribe/", "\xff\xfe", content_type="text/plain").status_code == 200
    assert client.post("/subscribe/", {"email": ["a@b.com", "c@d.com"]}).status_code == 302
    assert client.put("/subscribe/").status_code == 405


def test_one_client_address_is_limited(subscribe):
    for n in range(10):
        assert subscribe(f"reader{n}@example.com").status_code == 302
    response = subscribe("one-more@example.com")
    assert response.status_code == 429
    assert "Too many sign-ups" in response.content.decode()
    assert Subscriber.objects.count() == 10


def test_one_address_is_limited_without_saying_so(subscribe, client, run_tasks):
    for n in range(5):
        Subscriber.objects.filter(email="reader@example.com").update(confirmation_sent=None)
        response = client.post(
            "/subscribe/", {"email": "reader@example.com"}, REMOTE_ADDR=f"10.0.0.{n}"
        )
        assert response["Location"] == "/subscribe/check-your-inbox/"
    run_tasks()
    assert len(mail.outbox) == 3


@pytest.fixture
def subscriber(db) -> Subscriber:
    return Subscriber.objects.create(email="reader@example.com", status="confirmed")


def test_one_click_unsubscribe_by_post_without_login_or_csrf(subscriber):
    client = Client(enforce_csrf_checks=True)
    url = tokens.unsubscribe_url(subscriber.pk)
    response = client.post(url, {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    subscriber.refresh_from_db()
    assert subscriber.status == "unsubscribed"
    assert subscriber.unsubscribed is not None


def test_the_unsubscribe_page_asks_with_one_button_and_offers_a_way_back(client, subscriber):
    url = tokens.unsubscribe_url(subscriber.pk)
    page = client.get(url).content.decode()
    assert "Unsubscribe</button>" in page
    subscriber.refresh_from_db()
    assert subscriber.status == "confirmed"  # looking is not unsubscribing
    after = client.post(url).content.decode()
    assert "You're unsubscribed" in after
    assert "Subscribe again" in after
    client.post(url, {"action": "resubscribe"})
    subscriber.refresh_from_db()
    assert subscriber.status == "confirmed"


@pytest.mark.django_db
@pytest.mark.parametrize("token", ["1-forged", "abc", "1-" + "A" * 22])
def test_a_forged_unsubscribe_link_is_refused(client, token):
    Subscriber.objects.create(pk=1, email="reader@example.com", status="confirmed")
    assert client.post(f"/unsubscribe/{token}/").status_code == 400
    assert Subscriber.objects.get().status == "confirmed"
