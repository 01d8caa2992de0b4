"""Signing up, confirming, leaving: the rules, whatever page or email asks.

A sign-up answers the same whatever the address's state (no one learns who subscribes);
an address gets at most one confirmation email an hour; each client address and each
email address may try a few times an hour. The counts are rows in the database, so the
limits hold across every worker process.
"""

import datetime as dt
import enum

from django.db import transaction
from django.db.models import Count, Q
from django.http import HttpRequest
from django.utils import timezone
from django.utils.crypto import salted_hmac

from blog.newsletter.models import SignUp, Subscriber
from blog.newsletter.tasks import send_confirmation
from site_config import proxy

WINDOW = dt.timedelta(hours=1)
PER_CLIENT = 10  # sign-ups an hour from one client address
PER_ADDRESS = 3  # sign-ups an hour for one email address (beyond: silently ignored)


class Admission(enum.Enum):
    OK = "ok"
    CLIENT_LIMIT = "client"  # told: "try again later"
    ADDRESS_LIMIT = "address"  # not told: the answer must not depend on the address


def admit(request: HttpRequest, email: str) -> Admission:
    now = timezone.now()
    client, address = _key("client", client_ip(request)), _key("address", email.lower())
    with transaction.atomic():
        SignUp.objects.filter(created__lt=now - WINDOW).delete()
        counts = dict(
            SignUp.objects.filter(key__in=[client, address])
            .values_list("key")
            .annotate(n=Count("pk"))
            .order_by()
        )
        if counts.get(client, 0) >= PER_CLIENT:
            return Admission.CLIENT_LIMIT
        SignUp.objects.bulk_create([SignUp(key=client), SignUp(key=address)])
    if counts.get(address, 0) >= PER_ADDRESS:
        return Admission.ADDRESS_LIMIT
    return Admission.OK


def client_ip(request: HttpRequest) -> str:
    # The reader's own address, behind the TLS proxy too: the rule the login lockout uses.
    return proxy.client_ip(request) or ""


def _key(kind: str, value: str) -> str:
    # Hashed with the secret key: the table never holds an address in clear.
    return salted_hmac(f"newsletter.{kind}", value, algorithm="sha256").hexdigest()


def sign_up(email: str, source: str = "form") -> None:
    """Ask the address to confirm, unless it is subscribed or was asked in the last hour."""
    subscriber, _ = Subscriber.objects.get_or_create(
        email__iexact=email, defaults={"email": email, "source": source}
    )
    if subscriber.status == Subscriber.Status.CONFIRMED:
        return
    now = timezone.now()
    due = Q(confirmation_sent=None) | Q(confirmation_sent__lt=now - WINDOW)
    # One UPDATE decides, so two sign-ups at once send one email.
    if Subscriber.objects.filter(due, pk=subscriber.pk).update(confirmation_sent=now):
        send_confirmation.enqueue(subscriber.pk)


def confirm(subscriber: Subscriber) -> None:
    subscriber.status = Subscriber.Status.CONFIRMED
    subscriber.confirmed = timezone.now()
    subscriber.unsubscribed = None
    subscriber.failures = 0
    subscriber.save(update_fields=["status", "confirmed", "unsubscribed", "failures"])


def unsubscribe(subscriber: Subscriber) -> None:
    if subscriber.status != Subscriber.Status.UNSUBSCRIBED:
        subscriber.status = Subscriber.Status.UNSUBSCRIBED
        subscriber.unsubscribed = timezone.now()
        subscriber.save(update_fields=["status", "unsubscribed"])
