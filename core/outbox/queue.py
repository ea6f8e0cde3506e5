"""Writing messages to the outbox, inside the caller's transaction, and waking the sender when
that transaction commits. A message rolled back with its reason was never queued."""

from collections.abc import Sequence
from dataclasses import dataclass

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.mail import EmailMessage, EmailMultiAlternatives
from django.db import transaction
from django.utils import timezone

from core import bulk
from core.models import OutboxAttachment, OutboxMessage


@dataclass(frozen=True)
class Attachment:
    name: str
    content_type: str = "application/pdf"
    content: bytes | None = None  # new content, stored with the message
    stored_name: str = ""  # or a file already in storage (an issued receipt), sent as it is


def outbox_queue(
    *,
    kind: str,
    to: str,
    subject: str,
    text: str,
    html: str = "",
    from_email: str = "",
    reply_to: str = "",
    headers: dict[str, str] | None = None,
    attachments: Sequence[Attachment] = (),
    priority: int = OutboxMessage.Priority.TRANSACTIONAL,
) -> OutboxMessage:
    """Queue one email. Call it in the same transaction as the reason for the email."""
    message = OutboxMessage.objects.create(
        kind=kind,
        priority=priority,
        to_email=to,
        from_email=from_email or settings.DEFAULT_FROM_EMAIL,
        reply_to=reply_to,
        subject=" ".join(subject.split()),
        text_body=text,
        html_body=html,
        headers=headers or {},
    )
    for attachment in attachments:
        row = OutboxAttachment(
            message=message, name=attachment.name, content_type=attachment.content_type
        )
        if attachment.content is not None:
            row.file.save(attachment.name, ContentFile(attachment.content), save=False)
        else:
            row.file.name = attachment.stored_name
        row.save()
    outbox_wake()
    return message


def outbox_queue_email(
    email: EmailMessage, *, kind: str, priority: int = OutboxMessage.Priority.TRANSACTIONAL
) -> OutboxMessage:
    """Queue a message already built as a Django EmailMessage (one recipient)."""
    html = ""
    if isinstance(email, EmailMultiAlternatives):
        html = next((body for body, mime in email.alternatives if mime == "text/html"), "")
    (to,) = email.to
    return outbox_queue(
        kind=kind,
        to=to,
        subject=email.subject,
        text=email.body,
        html=html,
        from_email=email.from_email,
        reply_to=email.reply_to[0] if email.reply_to else "",
        headers=dict(email.extra_headers),
        attachments=[
            Attachment(name=name, content_type=mime or "application/octet-stream", content=data)
            for name, data, mime in email.attachments
        ],
        priority=priority,
    )


def outbox_queue_composed(
    *, kind: str, composer: str, recipients: Sequence[tuple[int, str]], priority: int
) -> int:
    """Queue many messages composed when sent (core.outbox.composers): one per (ref, email),
    written in bulk. Returns how many were queued."""
    now = timezone.now()
    # Every other column takes its model default (core.bulk fills them in).
    rows = (
        {"kind": kind, "priority": priority, "to_email": email, "composer": composer, "ref": ref,
         "next_attempt_at": now, "created_at": now}
        for ref, email in recipients
    )  # fmt: skip
    count = bulk.insert_rows(OutboxMessage, rows)
    outbox_wake(workers=settings.OUTBOX_PARALLEL_TASKS if count else 0)
    return count


def outbox_wake(*, workers: int = 1) -> None:
    """Start sending once the caller's transaction commits (at once outside a transaction)."""
    from core.tasks import outbox_drain

    def enqueue() -> None:
        for _ in range(workers):
            outbox_drain.enqueue()

    if workers:
        transaction.on_commit(enqueue)


def outbox_send_again(*, ids: Sequence[int]) -> int:
    """A person's decision: send failed, refused or unknown messages again."""
    with transaction.atomic():
        count = OutboxMessage.objects.filter(
            pk__in=ids,
            status__in=[
                OutboxMessage.Status.FAILED,
                OutboxMessage.Status.UNKNOWN,
                OutboxMessage.Status.REJECTED,
                OutboxMessage.Status.CANCELLED,
            ],
        ).update(
            status=OutboxMessage.Status.QUEUED,
            next_attempt_at=timezone.now(),
            claimed_at=None,
            attempts=0,
        )
        if count:
            outbox_wake()
    return count


def outbox_mark_sent(*, ids: Sequence[int]) -> int:
    """A person's decision: an unknown outcome was in fact received (the donor says so)."""
    return OutboxMessage.objects.filter(pk__in=ids, status=OutboxMessage.Status.UNKNOWN).update(
        status=OutboxMessage.Status.SENT, sent_at=timezone.now()
    )
