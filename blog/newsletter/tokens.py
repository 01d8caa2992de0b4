"""Signed links: confirm a subscription (expires), unsubscribe (never expires: it is in
every email a reader keeps). Both carry the subscriber's id, never the address.

The unsubscribe token is short (id and a 128-bit HMAC): its URL goes in the
List-Unsubscribe header, which mail software must read whole, so it has to fit on one
folded header line (78 characters) or Python's email package encodes it.
"""

import base64
import datetime as dt

from django.core import signing
from django.urls import reverse
from django.utils.crypto import constant_time_compare, salted_hmac

from blog.newsletter import site
from blog.newsletter.models import Subscriber

CONFIRM_MAX_AGE = dt.timedelta(days=3)
_CONFIRM = "newsletter.confirm"
_UNSUBSCRIBE = "newsletter.unsubscribe"


def confirm_url(subscriber: Subscriber) -> str:
    token = signing.dumps(subscriber.pk, salt=_CONFIRM)
    return site.url(reverse("newsletter:confirm", kwargs={"token": token}))


def unsubscribe_url(subscriber_id: int) -> str:
    token = f"{subscriber_id}-{_mac(str(subscriber_id))}"
    return site.url(reverse("newsletter:unsubscribe", kwargs={"token": token}))


def confirming(token: str) -> Subscriber | None:
    """The subscriber a confirmation link is for; None if forged, expired or deleted."""
    try:
        pk = signing.loads(token, salt=_CONFIRM, max_age=CONFIRM_MAX_AGE)
    except signing.BadSignature:  # SignatureExpired included
        return None
    return Subscriber.objects.filter(pk=pk).first()


def unsubscribing(token: str) -> Subscriber | None:
    pk, _, mac = token.partition("-")
    if not pk.isdigit() or not constant_time_compare(mac, _mac(pk)):
        return None
    return Subscriber.objects.filter(pk=int(pk)).first()


def _mac(value: str) -> str:
    digest = salted_hmac(_UNSUBSCRIBE, value, algorithm="sha256").digest()[:16]
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")
