"""A mailing's deliveries (who it went to, by which channel) and its log of who did what."""

from django.conf import settings
from django.db import models

from crm.models import Supporter


class Delivery(models.Model):
    """One supporter's copy of a mailing by one channel. An email delivery's outcome is its
    outbox message's (core.OutboxMessage with composer 'mailings.appeal' and ref = this id)."""

    class Channel(models.TextChoices):
        EMAIL = "email", "Email"
        PRINT = "print", "Print"

    mailing = models.ForeignKey(
        "mailings.Mailing", on_delete=models.CASCADE, related_name="deliveries"
    )
    # Kept when the supporter is deleted: the mailing's counts stay true.
    supporter = models.ForeignKey(
        Supporter, null=True, on_delete=models.SET_NULL, related_name="deliveries"
    )
    channel = models.CharField(max_length=5, choices=Channel.choices)
    email = models.CharField(max_length=254, blank=True)
    # A subject test (mailings.sending.subject_test): "a" or "b" in its sample, "A" or "B" for
    # the rest once sent the winner, "" otherwise.
    subject_variant = models.CharField(max_length=1, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            # The exactly-once rule: one copy per mailing, supporter and channel.
            models.UniqueConstraint(
                fields=["mailing", "supporter", "channel"], name="one_delivery_per_channel"
            )
        ]
        indexes = [
            # A supporter's page lists the mailings they got.
            models.Index(fields=["supporter", "-created_at"], name="delivery_by_supporter")
        ]

    def __str__(self) -> str:
        return f"{self.mailing} to {self.supporter or 'a removed supporter'} ({self.channel})"


class MailingLog(models.Model):
    """Who did what to a mailing, and when: scheduled, sent, cancelled, printed."""

    mailing = models.ForeignKey("mailings.Mailing", on_delete=models.CASCADE, related_name="log")
    at = models.DateTimeField(auto_now_add=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    action = models.CharField(max_length=200)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return self.action
