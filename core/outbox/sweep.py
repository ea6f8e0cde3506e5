"""Settling what a run could not: messages a stopped worker still holds as 'sending', and
outcomes left 'unknown' (the line dropped after the request went out). Each is checked with
the ESP when it can be asked: taken means sent; not taken means safe to send again. Where the
ESP cannot be asked, an unknown message waits for a person (Admin > Outbox)."""

from datetime import datetime, timedelta

import requests
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.utils import timezone

from core.models import OutboxMessage
from core.outbox import esp

Status = OutboxMessage.Status


def follow_up_key() -> str:
    """One planned follow-up per outbox: per database, should two sites share one Redis."""
    return f"outbox:follow-up:{connection.settings_dict['NAME']}"


def outbox_sweep() -> int:
    """Returns how many messages it settled."""
    now = timezone.now()
    stopped = OutboxMessage.objects.filter(
        status=Status.SENDING, claimed_at__lt=now - timedelta(seconds=settings.OUTBOX_LEASE_SECONDS)
    ).update(
        status=Status.UNKNOWN,
        claimed_at=now,
        last_error="The worker sending it stopped before the ESP's answer was recorded.",
    )
    if not esp.can_ask():
        return stopped
    settled = 0
    settle_after = now - timedelta(seconds=settings.OUTBOX_CHECK_AFTER_SECONDS)
    unknown = OutboxMessage.objects.filter(status=Status.UNKNOWN, claimed_at__lte=settle_after)
    for pk, error in unknown.order_by("pk").values_list("pk", "last_error")[:500]:
        try:
            esp_id = esp.taken_by_esp(pk)
        except requests.RequestException:
            break  # the ESP cannot be asked now: the next sweep asks again
        still_unknown = OutboxMessage.objects.filter(pk=pk, status=Status.UNKNOWN)
        if esp_id:
            settled += still_unknown.update(
                status=Status.SENT,
                esp_message_id=esp_id,
                sent_at=now,
                last_error=f"{error} The ESP confirmed it took the message.".strip(),
            )
        else:
            settled += still_unknown.update(
                status=Status.QUEUED,
                next_attempt_at=now,
                claimed_at=None,
                last_error=f"{error} The ESP never took it, so it is sent again.".strip(),
            )
    return stopped + settled


def outbox_follow_up() -> None:
    """Make sure a sending task comes back for what is still pending: retries waiting for
    their time, messages held by a worker that may have stopped, outcomes to check. One
    follow-up planned at a time, whatever the number of workers (an atomic cache add), unless
    one is needed sooner than the planned one."""
    from core.tasks import outbox_drain

    if not outbox_drain.get_backend().supports_defer:
        return  # tests run tasks at once; they drive retries and sweeps themselves
    pending = OutboxMessage.objects.filter(
        status__in=[Status.QUEUED, Status.SENDING, Status.UNKNOWN]
    )
    if not pending.exists():
        return
    now = timezone.now()
    next_due = (
        pending.filter(status=Status.QUEUED).order_by("next_attempt_at")
        .values_list("next_attempt_at", flat=True).first()
    )  # fmt: skip
    delay = settings.OUTBOX_LEASE_SECONDS
    if next_due is not None:
        delay = max(1, min(delay, int((next_due - now).total_seconds()) + 1))
    at = now + timedelta(seconds=delay)
    if not cache.add(follow_up_key(), at.isoformat(), timeout=delay):
        # One is planned already; a second is queued only when this one is due much sooner
        # (a retry due now, while the planned one waits out another worker's lease).
        planned = cache.get(follow_up_key())
        if planned is not None and datetime.fromisoformat(planned) <= at + timedelta(seconds=1):
            return
        cache.set(follow_up_key(), at.isoformat(), timeout=delay)
    outbox_drain.using(run_after=at).enqueue()
