"""Subscribers, what each essay's email is to do, and each delivery of it.

A Delivery row per (mailing, subscriber), unique, is the record that makes sending exactly
once: rows are claimed atomically by one worker, and marked sent right after the SMTP
server accepts the message (blog/newsletter/sending.py).
"""

from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone


class Subscriber(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        CONFIRMED = "confirmed", "Confirmed"
        UNSUBSCRIBED = "unsubscribed", "Unsubscribed"
        FAILING = "failing", "Failing"

    email = models.EmailField(max_length=254)
    status = models.CharField(max_length=12, choices=Status, default=Status.PENDING)
    created = models.DateTimeField(default=timezone.now)
    confirmed = models.DateTimeField(null=True, blank=True)
    unsubscribed = models.DateTimeField(null=True, blank=True)
    # At most one confirmation email an hour per address.
    confirmation_sent = models.DateTimeField(null=True, blank=True, editable=False)
    # Permanent SMTP failures in a row; a few make the address "failing" (no more emails).
    failures = models.PositiveSmallIntegerField(default=0, editable=False)
    source = models.CharField(max_length=40, blank=True, help_text="Where the address came from.")

    class Meta:
        ordering = ["-created"]
        constraints = [
            models.UniqueConstraint(Lower("email"), name="newsletter_subscriber_email_unique")
        ]
        indexes = [models.Index(fields=["status"])]

    def __str__(self) -> str:
        return self.email


class Mailing(models.Model):
    """Whether an essay is emailed to the subscribers, and when it was queued (once)."""

    post = models.OneToOneField("blog.Post", on_delete=models.CASCADE, related_name="mailing")
    send = models.BooleanField("email to subscribers", default=True)
    # Set once, when the deliveries are created: an essay is never queued twice.
    queued = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-queued", "-pk"]

    def __str__(self) -> str:
        return str(self.post)


class Delivery(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"
        CANCELLED = "cancelled", "Cancelled (unsubscribed before it was sent)"

    mailing = models.ForeignKey(Mailing, on_delete=models.CASCADE, related_name="deliveries")
    subscriber = models.ForeignKey(Subscriber, on_delete=models.CASCADE, related_name="+")
    status = models.CharField(max_length=9, choices=Status, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    # Queued: not before this time (retries back off). Sending: when it was claimed.
    due = models.DateTimeField(default=timezone.now)
    sent = models.DateTimeField(null=True, blank=True)
    error = models.CharField(max_length=300, blank=True)

    class Meta:
        verbose_name_plural = "deliveries"
        constraints = [
            models.UniqueConstraint(
                fields=["mailing", "subscriber"], name="newsletter_delivery_once"
            )
        ]
        indexes = [models.Index(fields=["mailing", "status", "due"])]

    def __str__(self) -> str:
        return f"{self.mailing} to {self.subscriber}"


class SignUp(models.Model):
    """A recent sign-up attempt, by a hash of the address and of the client's IP: the rate
    limit holds across worker processes. Rows older than the window are deleted."""

    key = models.CharField(max_length=64, db_index=True)
    created = models.DateTimeField(default=timezone.now, db_index=True)

    def __str__(self) -> str:
        return f"{self.key[:8]}… at {self.created:%H:%M}"
