"""Donor emails about gifts. Each message is three templates (subject, text, HTML) rendered
by one small function here and sent after the surrounding transaction commits."""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string

from core.models import Organisation
from core.money import money_text
from donations.models import RecurringGift


def _send(
    *,
    template: str,
    to: str,
    context: dict,
    reply_to: str = "",
    attachments: list[tuple[str, bytes, str]] = (),
) -> None:
    subject = " ".join(render_to_string(f"emails/{template}-subject.txt", context).split())
    text = render_to_string(f"emails/{template}-body.txt", context)
    html = render_to_string(f"emails/{template}-body.html", context)
    message = EmailMultiAlternatives(
        subject=subject,
        body=text,
        to=[to],
        from_email=context["organisation"].default_sender or settings.DEFAULT_FROM_EMAIL,
        reply_to=[reply_to] if reply_to else None,
    )
    message.attach_alternative(html, "text/html")
    for attachment in attachments:
        message.attach(*attachment)
    message.send()


def payment_failed_notice_queue(*, plan: RecurringGift, invoice_id: str) -> bool:
    """Tell the donor once per failed invoice (Stripe sends an event for every retry)."""
    supporter = plan.supporter
    if plan.failure_notice_invoice_id == invoice_id or not supporter.email:
        return False
    plan.failure_notice_invoice_id = invoice_id
    plan.save(update_fields=["failure_notice_invoice_id"])
    organisation = Organisation.current()
    context = {
        "plan": plan,
        "organisation": organisation,
        "language": supporter.preferred_language,
        "greeting": supporter.greeting_line(),
    }
    # Transactional, not marketing: sent even to people who opted out of appeals.
    transaction.on_commit(
        lambda: _send(template="payment-failed", to=supporter.email, context=context)
    )
    return True


def thank_you_send(*, gift_id: int) -> bool:
    """Issue (or reuse) the gift's receipt and email it with a thank-you; mark it thanked.
    Safe to run twice: a gift already thanked is not thanked again."""
    from django.utils import timezone

    from donations.acknowledgements.receipts import receipt_issue
    from donations.models import Gift
    from donations.noncash import noncash_description

    with transaction.atomic():
        gift = (
            Gift.objects.select_for_update(of=("self",)).select_related("supporter").get(pk=gift_id)
        )
        if gift.acknowledgement != Gift.Acknowledgement.PENDING or gift.net_amount <= 0:
            return False
        supporter = gift.supporter
        if not supporter.email or supporter.deceased:
            return False  # stays in the acknowledgement queue for a printed letter
        receipt = receipt_issue(gift=gift)
        gift.acknowledgement = Gift.Acknowledgement.THANKED
        gift.acknowledged_at = timezone.now()
        gift.save(update_fields=["acknowledgement", "acknowledged_at"])
        receipt.pdf.open("rb")
        pdf = receipt.pdf.read()
        receipt.pdf.close()
        context = {
            "organisation": Organisation.current(),
            "language": supporter.preferred_language,
            "greeting": supporter.greeting_line(),
            "receipt": receipt,
            # A stock or in-kind gift is thanked for what was given, never for a value.
            "amount": "" if gift.is_non_cash else money_text(gift.net_amount),
            "property": noncash_description(gift) if gift.is_non_cash else "",
        }
        transaction.on_commit(
            lambda: _send(
                template="thank-you",
                to=supporter.email,
                context=context,
                attachments=[(f"receipt-{receipt.number}.pdf", pdf, "application/pdf")],
            )
        )
    return True


def tribute_notice_send(*, gift_id: int) -> bool:
    """Email the tribute notice the donor asked for, through the thank-you's mail path.
    Sent once: the gift records it in the same transaction, so a second run (a replayed
    webhook, a second click) finds it sent and does nothing."""
    from django.utils import timezone

    from donations.acknowledgements.tribute_notices import (
        EMAIL,
        tribute_notice,
        tribute_notice_route,
    )
    from donations.models import Gift

    with transaction.atomic():
        gift = (
            Gift.objects.select_for_update(of=("self",))
            .select_related("supporter")
            .filter(pk=gift_id)
            .first()
        )
        if gift is None or tribute_notice_route(gift) != EMAIL:
            return False
        gift.tribute_notified_at = timezone.now()
        gift.tribute_notice_channel = EMAIL
        gift._change_reason = "Tribute notice emailed"
        gift.save(update_fields=["tribute_notified_at", "tribute_notice_channel"])
        context = {
            "organisation": Organisation.current(),
            "notice": tribute_notice(gift),
        }
        context["language"] = context["notice"].language
        to = gift.tribute_notify_email
        transaction.on_commit(lambda: _send(template="tribute-notice", to=to, context=context))
    return True
