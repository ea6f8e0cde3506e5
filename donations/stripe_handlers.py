"""What each Stripe event does to the ledger. Every handler finds or creates its rows by
Stripe's own ids (unique in the database) and only moves a gift or plan forward (a refund is
never undone by a late 'paid'), so any order of arrival ends in the same ledger.

A handler returns what changed: whose giving summary to recompute, which gifts became paid
(to thank) and which gifts lost money (to re-receipt if receipted). Only those are followed up.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from donations import reference
from donations import stripe_values as values
from donations.emails import payment_failed_notice_queue
from donations.models import Gift, RecurringGift


@dataclass
class Changes:
    supporters: set[int] = field(default_factory=set)
    to_thank: set[int] = field(default_factory=set)
    to_reissue: set[int] = field(default_factory=set)


Handler = Callable[[dict[str, Any]], Changes]


def on_checkout_session_completed(session: dict[str, Any]) -> Changes:
    metadata = session.get("metadata") or {}
    details = session.get("customer_details") or {}
    email = details.get("email") or session.get("customer_email") or ""
    if session.get("mode") == "subscription":
        plan = _plan_for_subscription(
            subscription_id=session.get("subscription") or "",
            customer_id=session.get("customer") or "",
            metadata=metadata,
            email=email,
            name=details.get("name") or "",
            address=details.get("address"),
            amount=session.get("amount_total"),
            currency=session.get("currency") or "usd",
        )
        if session.get("payment_status") == "paid" and plan.status == "incomplete":
            plan.status = RecurringGift.Status.ACTIVE
            plan.save(update_fields=["status"])
        return Changes(supporters={plan.supporter_id})

    paid = session.get("payment_status") in ("paid", "no_payment_required")
    currency = session.get("currency") or "usd"
    gift = (
        Gift.objects.select_for_update()
        .filter(stripe_checkout_session_id=session["id"])
        .order_by("pk")
        .first()
    )
    changes = Changes()
    if gift is None:
        total = session.get("amount_total")
        if values.is_zero(total) and session.get("payment_status") == "no_payment_required":
            return changes  # nothing was given (a 100% discount, a free test): no gift
        amount = values.gift_amount(total, currency, what="amount_total")
        supporter = values.supporter(
            metadata=metadata,
            email=email,
            name=details.get("name") or "",
            address=details.get("address"),
            source="Online donation",
        )
        gift = Gift.objects.create(
            supporter=supporter,
            amount=amount,
            currency=currency,
            received_on=values.date(session.get("created")),
            method=Gift.Method.CARD,
            status=Gift.Status.SUCCEEDED if paid else Gift.Status.PENDING,
            stripe_checkout_session_id=session["id"],
            stripe_payment_intent_id=session.get("payment_intent") or None,
            **values.attribution(metadata),
            **values.tribute(metadata),
        )
        if paid:
            changes.to_thank.add(gift.pk)
    elif paid and gift.status == Gift.Status.PENDING:
        gift.status = Gift.Status.SUCCEEDED
        gift.save(update_fields=["status"])
        changes.to_thank.add(gift.pk)
    changes.supporters.add(gift.supporter_id)
    return changes


def on_async_payment(succeeded: bool) -> Handler:
    def handle(session: dict[str, Any]) -> Changes:
        changes = on_checkout_session_completed({**session, "payment_status": "unpaid"})
        gift = Gift.objects.select_for_update().get(stripe_checkout_session_id=session["id"])
        if gift.status == Gift.Status.PENDING:
            gift.status = Gift.Status.SUCCEEDED if succeeded else Gift.Status.FAILED
            gift.save(update_fields=["status"])
            if succeeded:
                changes.to_thank.add(gift.pk)
        return changes

    return handle


def _plan_for_subscription(
    *,
    subscription_id: str,
    customer_id: str,
    metadata: dict[str, Any],
    email: str,
    name: str,
    address: dict[str, Any] | None,
    amount: int | None,
    currency: str,
) -> RecurringGift:
    if not subscription_id:
        raise ValueError("A subscription event without a subscription id.")
    plan = (
        RecurringGift.objects.select_for_update()
        .filter(stripe_subscription_id=subscription_id)
        .order_by("pk")
        .first()
    )
    if plan is not None:
        return plan
    plan_amount = values.gift_amount(amount, currency, what="the plan's amount")
    supporter = values.supporter(
        metadata=metadata, email=email, name=name, address=address, source="Online monthly donation"
    )
    attribution = values.attribution(metadata)
    return RecurringGift.objects.create(
        supporter=supporter,
        amount=plan_amount,
        currency=currency,
        interval=metadata.get("interval")
        if metadata.get("interval") in ("month", "year")
        else "month",
        stripe_subscription_id=subscription_id,
        stripe_customer_id=customer_id,
        fund_id=attribution["fund_id"],
        campaign_id=attribution["campaign_id"],
        started_on=timezone.localdate(),
    )


def _invoice_subscription(invoice: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """Subscription id and its metadata, from either API shape of an invoice."""
    parent = (invoice.get("parent") or {}).get("subscription_details") or {}
    legacy = invoice.get("subscription_details") or {}
    subscription = invoice.get("subscription") or parent.get("subscription") or ""
    metadata = parent.get("metadata") or legacy.get("metadata") or {}
    return subscription, metadata


def on_invoice_paid(invoice: dict[str, Any]) -> Changes:
    subscription_id, metadata = _invoice_subscription(invoice)
    if not subscription_id:
        return Changes()  # a one-off invoice, not a donation plan
    currency = invoice.get("currency") or "usd"
    plan = _plan_for_subscription(
        subscription_id=subscription_id,
        customer_id=invoice.get("customer") or "",
        metadata=metadata,
        email=invoice.get("customer_email") or "",
        name=invoice.get("customer_name") or "",
        address=invoice.get("customer_address"),
        amount=invoice.get("amount_paid"),
        currency=currency,
    )
    if plan.status in (RecurringGift.Status.INCOMPLETE, RecurringGift.Status.PAST_DUE):
        plan.status = RecurringGift.Status.ACTIVE
    line_end = max(
        (
            line.get("period", {}).get("end") or 0
            for line in (invoice.get("lines") or {}).get("data", [])
        ),
        default=0,
    )
    if line_end:
        plan.next_charge_on = values.date(line_end)
    plan.save()
    changes = Changes(supporters={plan.supporter_id})
    paid = invoice.get("amount_paid")
    if values.is_zero(paid):
        return changes  # a $0 invoice (a trial, a full discount): nothing was given
    if not Gift.objects.filter(stripe_invoice_id=invoice["id"]).exists():
        paid_at = (invoice.get("status_transitions") or {}).get("paid_at") or invoice.get("created")
        gift = Gift.objects.create(
            supporter_id=plan.supporter_id,
            amount=values.gift_amount(paid, currency, what="amount_paid"),
            currency=currency,
            received_on=values.date(paid_at),
            method=Gift.Method.CARD,
            status=Gift.Status.SUCCEEDED,
            recurring=plan,
            stripe_invoice_id=invoice["id"],
            stripe_payment_intent_id=invoice.get("payment_intent") or None,
            stripe_charge_id=invoice.get("charge") or None,
            fund_id=plan.fund_id,
            campaign_id=plan.campaign_id,
            appeal_code=reference.campaign_code(plan.campaign_id),
        )
        changes.to_thank.add(gift.pk)
    return changes


def on_invoice_payment_failed(invoice: dict[str, Any]) -> Changes:
    subscription_id, _ = _invoice_subscription(invoice)
    plan = (
        RecurringGift.objects.select_for_update()
        .filter(stripe_subscription_id=subscription_id)
        .order_by("pk")
        .first()
    )
    if plan is None:
        return Changes()
    if plan.status != RecurringGift.Status.CANCELLED:
        plan.status = RecurringGift.Status.PAST_DUE
        plan.save(update_fields=["status"])
        payment_failed_notice_queue(plan=plan, invoice_id=invoice["id"])
    return Changes(supporters={plan.supporter_id})


SUBSCRIPTION_STATUS = {
    "active": RecurringGift.Status.ACTIVE,
    "trialing": RecurringGift.Status.ACTIVE,
    "past_due": RecurringGift.Status.PAST_DUE,
    "unpaid": RecurringGift.Status.PAST_DUE,
    "canceled": RecurringGift.Status.CANCELLED,
    "incomplete_expired": RecurringGift.Status.CANCELLED,
    "incomplete": RecurringGift.Status.INCOMPLETE,
    "paused": RecurringGift.Status.PAST_DUE,
}


def on_subscription_changed(subscription: dict[str, Any]) -> Changes:
    """Matched by subscription id only: one customer may hold several plans."""
    plan = (
        RecurringGift.objects.select_for_update()
        .filter(stripe_subscription_id=subscription["id"])
        .order_by("pk")
        .first()
    )
    if plan is None:
        return Changes()  # the plan is created by checkout or its first paid invoice
    status = SUBSCRIPTION_STATUS.get(subscription.get("status") or "", plan.status)
    if plan.status == RecurringGift.Status.CANCELLED:
        status = plan.status  # a cancellation is final; a late 'updated' does not revive it
    plan.status = status
    items = (subscription.get("items") or {}).get("data") or []
    if items:
        price = items[0].get("price") or {}
        quantity = items[0].get("quantity") or 1
        if price.get("unit_amount"):
            plan.amount = values.gift_amount(
                price["unit_amount"] * quantity, plan.currency, what="the plan's price"
            )
        period_end = items[0].get("current_period_end") or subscription.get("current_period_end")
        if period_end:
            plan.next_charge_on = values.date(period_end)
    if status == RecurringGift.Status.CANCELLED and plan.cancelled_at is None:
        ended = subscription.get("canceled_at") or subscription.get("ended_at")
        plan.cancelled_at = (
            datetime.datetime.fromtimestamp(ended, tz=datetime.UTC) if ended else timezone.now()
        )
        plan.next_charge_on = None
    plan.save()
    return Changes(supporters={plan.supporter_id})


def _gift_for_charge(charge: dict[str, Any]) -> Gift:
    charge_id = charge.get("id") or charge.get("charge")
    intent = charge.get("payment_intent")
    gift = (
        Gift.objects.select_for_update().filter(stripe_charge_id=charge_id).order_by("pk").first()
    )
    if gift is None and intent:
        gift = (
            Gift.objects.select_for_update()
            .filter(stripe_payment_intent_id=intent)
            .order_by("pk")
            .first()
        )
    if gift is None:
        # Not recorded yet (events out of order): fail so Stripe retries after the gift exists.
        raise LookupError(f"No gift yet for charge {charge_id} / payment intent {intent}.")
    if not gift.stripe_charge_id and charge.get("object") == "charge":
        gift.stripe_charge_id = charge_id
    return gift


def on_charge_refunded(charge: dict[str, Any]) -> Changes:
    gift = _gift_for_charge(charge)
    refunded = values.money(charge.get("amount_refunded"), gift.currency)
    gift.amount_refunded = max(gift.amount_refunded, min(refunded, gift.amount))
    gift.status = (
        Gift.Status.REFUNDED
        if gift.amount_refunded >= gift.amount
        else Gift.Status.PARTIALLY_REFUNDED
    )
    gift.save()
    return Changes(supporters={gift.supporter_id}, to_reissue={gift.pk})


def on_dispute(closed: bool) -> Handler:
    def handle(dispute: dict[str, Any]) -> Changes:
        gift = _gift_for_charge(
            {"charge": dispute.get("charge"), "payment_intent": dispute.get("payment_intent")}
        )
        if not closed:
            if gift.status != Gift.Status.REFUNDED:
                gift.status = Gift.Status.DISPUTED
        elif dispute.get("status") == "lost":
            lost = values.money(dispute.get("amount"), gift.currency)
            gift.amount_refunded = min(gift.amount, gift.amount_refunded + lost)
            gift.status = (
                Gift.Status.REFUNDED
                if gift.amount_refunded >= gift.amount
                else Gift.Status.PARTIALLY_REFUNDED
            )
        elif gift.status == Gift.Status.DISPUTED:
            gift.status = (
                Gift.Status.PARTIALLY_REFUNDED if gift.amount_refunded else Gift.Status.SUCCEEDED
            )
        gift.save()
        lost = closed and dispute.get("status") == "lost"
        return Changes(supporters={gift.supporter_id}, to_reissue={gift.pk} if lost else set())

    return handle


HANDLERS: dict[str, Handler] = {
    "checkout.session.completed": on_checkout_session_completed,
    "checkout.session.async_payment_succeeded": on_async_payment(succeeded=True),
    "checkout.session.async_payment_failed": on_async_payment(succeeded=False),
    "invoice.paid": on_invoice_paid,
    "invoice.payment_failed": on_invoice_payment_failed,
    "customer.subscription.updated": on_subscription_changed,
    "customer.subscription.deleted": on_subscription_changed,
    "charge.refunded": on_charge_refunded,
    "charge.dispute.created": on_dispute(closed=False),
    "charge.dispute.closed": on_dispute(closed=True),
}
