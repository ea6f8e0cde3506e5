"""Donor emails about gifts. Each message is three templates (subject, text, HTML) rendered
by one small function here and queued in the outbox (core.outbox) in the same transaction as
what it tells the donor: a gift marked thanked always has its email on the way."""

from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation

from core.models import Organisation
from core.money import money_text
from core.outbox.queue import Attachment, outbox_queue
from donations.acknowledgements.facts import gift_facts
from donations.acknowledgements.writing import BUILT_IN, WrittenEmail, thank_you_writer
from donations.models import Gift, RecurringGift
from donations.noncash import noncash_description


def _queue(*, kind: str, to: str, context: dict, attachments: list[Attachment] = ()) -> None:
    """Render `emails/<kind>-*` and queue it; call inside the transaction of its reason."""
    outbox_queue(
        kind=kind,
        to=to,
        subject=render_to_string(f"emails/{kind}-subject.txt", context),
        text=render_to_string(f"emails/{kind}-body.txt", context),
        html=render_to_string(f"emails/{kind}-body.html", context),
        from_email=context["organisation"].sender_for(
            context.get("language") or translation.get_language()
        ),
        attachments=attachments,
    )


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
    _queue(kind="payment-failed", to=supporter.email, context=context)
    return True


def thank_you_send(*, gift_id: int) -> bool:
    """Issue (or reuse) the gift's receipt and email it with a thank-you; mark it thanked.
    Safe to run twice: a gift already thanked is not thanked again."""
    from django.utils import timezone

    from donations.acknowledgements.receipts import receipt_issue

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
        # The issued receipt is sent as stored: receipts never change once issued.
        receipt_file = Attachment(
            name=f"receipt-{receipt.number}.pdf", stored_name=receipt.pdf.name
        )
        written = thank_you_email(gift, receipt_number=receipt.number)
        outbox_queue(
            kind="thank-you",
            to=supporter.email,
            subject=written.subject,
            text=written.text,
            html=written.html,
            from_email=Organisation.current().sender_for(supporter.preferred_language),
            attachments=[receipt_file],
        )
    return True


def thank_you_email(gift: Gift, *, receipt_number: str) -> WrittenEmail:
    """The thank-you's words: the letter the thank-you rules chose, from the registered writer
    (donations.acknowledgements.writing), else the built-in wording."""
    writer = thank_you_writer()
    if writer is not None:
        written = writer.email(gift, gift_facts([gift])[gift.pk], receipt_number=receipt_number)
        if written is not None:
            return written
    supporter = gift.supporter
    context = {
        "organisation": Organisation.current(),
        "language": supporter.preferred_language,
        "greeting": supporter.greeting_line(),
        "receipt": {"number": receipt_number},
        # A stock or in-kind gift is thanked for what was given, never for a value.
        "amount": "" if gift.is_non_cash else money_text(gift.net_amount),
        "property": noncash_description(gift) if gift.is_non_cash else "",
        **_monthly_context(gift),
    }
    return WrittenEmail(
        subject=" ".join(render_to_string("emails/thank-you-subject.txt", context).split()),
        text=render_to_string("emails/thank-you-body.txt", context),
        html=render_to_string("emails/thank-you-body.html", context),
        letter_name=BUILT_IN,
    )


def _monthly_context(gift) -> dict:
    """For a monthly plan's gift: whether it is the plan's first (the welcome, with the next
    charge) or a later instalment, and where the donor manages the plan."""
    from donations.models import Gift
    from donations.online.thanks import account_url

    plan = gift.recurring
    if plan is None or plan.interval != RecurringGift.Interval.MONTH:
        return {"monthly": False}
    earlier = Gift.objects.filter(recurring=plan).exclude(pk=gift.pk)
    first = not earlier.filter(received_on__lt=gift.received_on).exists() and not (
        earlier.filter(received_on=gift.received_on, pk__lt=gift.pk).exists()
    )
    return {
        "monthly": True,
        "first_of_plan": first,
        "plan_amount": money_text(plan.amount),
        # Not while paused or cancelled: the next charge is then not the plan's rhythm.
        "next_charge_on": plan.next_charge_on
        if plan.status == RecurringGift.Status.ACTIVE and plan.paused_until is None
        else None,
        "account_url": account_url(absolute=True),
    }


def tribute_notice_send(*, gift_id: int) -> bool:
    """Email the tribute notice the donor asked for, through the outbox like the thank-you.
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
        _queue(kind="tribute-notice", to=to, context=context)
    return True
