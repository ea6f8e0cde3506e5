"""Donor emails about gifts. Each message is three templates (subject, text, HTML) rendered
by one small function here and sent after the surrounding transaction commits."""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string

from core.models import Organisation
from donations.models import RecurringGift


def _send(*, template: str, to: str, context: dict, reply_to: str = "") -> None:
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
        "salutation": supporter.effective_salutation,
    }
    # Transactional, not marketing: sent even to people who opted out of appeals.
    transaction.on_commit(
        lambda: _send(template="payment-failed", to=supporter.email, context=context)
    )
    return True
