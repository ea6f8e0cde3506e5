"""What each Stripe event does to the ledger. Every handler finds or creates its rows by
Stripe's own ids (unique in the database) and only moves a gift or plan forward (a refund is
never undone by a late 'paid'), so any order of arrival ends in the same ledger.

A handler returns what changed: whose giving summary to recompute, which gifts became paid
(to thank) and which gifts lost money (to re-receipt if receipted). Only those are followed up.

Every value read from an event goes through donations.stripe.values, which raises
NeedsAttention for one a signed event cannot sensibly hold (a string for a time, a negative
refund, a list for an id): such an event is kept for staff and answered 200, never a 500.
"""

from typing import Any

from django.db.models import F
from django.utils import timezone

from donations.acknowledgements.emails import payment_failed_notice_queue
from donations.deposits import payouts
from donations.models import Gift, PaymentFailure, RecurringGift
from donations.services import STRIPE, GiftEntry, gift_record
from donations.stripe import values
from donations.stripe.changes import Changes, Handler
from donations.stripe.refunds import on_charge_refunded, on_dispute, on_refund
from donations.stripe.subscriptions import on_subscription_changed


def _gift_record(entry: GiftEntry) -> Gift:
    """Through the gifts service like every other way in. The event runner refreshes the
    summaries of every supporter the event touched, once, at its end."""
    return gift_record(entry=entry, reason=STRIPE, summary_refresh=False)


def on_checkout_session_completed(session: dict[str, Any]) -> Changes:
    session_id = values.text(session, "id", required=True)
    metadata = values.metadata(session)
    details = values.mapping(session, "customer_details")
    email = values.text(details, "email", what="customer_details.email", max_length=254) or (
        values.text(session, "customer_email", max_length=254)
    )
    name = values.text(details, "name", what="customer_details.name", max_length=500)
    address = values.address(details)
    currency = values.currency(session)
    if session.get("mode") == "subscription":
        plan = _plan_for_subscription(
            subscription_id=values.text(session, "subscription"),
            customer_id=values.text(session, "customer"),
            metadata=metadata,
            email=email,
            name=name,
            address=address,
            amount=session.get("amount_total"),
            currency=currency,
        )
        if session.get("payment_status") == "paid" and plan.status == "incomplete":
            plan.status = RecurringGift.Status.ACTIVE
            plan.save(update_fields=["status"])
        return Changes(supporters={plan.supporter_id})

    paid = session.get("payment_status") in ("paid", "no_payment_required")
    gift = (
        Gift.objects.select_for_update()
        .filter(stripe_checkout_session_id=session_id)
        .order_by("pk")
        .first()
    )
    changes = Changes()
    if gift is None:
        total = session.get("amount_total")
        if values.is_zero(total) and session.get("payment_status") == "no_payment_required":
            return changes  # nothing was given (a 100% discount, a free test): no gift
        amount = values.gift_amount(total, currency, what="amount_total")
        received_on = values.date(session.get("created"), what="created")
        payment_intent = values.text(session, "payment_intent")
        supporter = values.supporter(
            metadata=metadata, email=email, name=name, address=address, source="Online donation"
        )
        attribution = values.attribution(metadata)
        gift = _gift_record(
            GiftEntry(
                supporter=supporter,
                amount=amount,
                received_on=received_on,
                method=Gift.Method.CARD,
                status=Gift.Status.SUCCEEDED if paid else Gift.Status.PENDING,
                fund=attribution["fund_id"],
                campaign=attribution["campaign_id"],
                appeal_code=attribution["appeal_code"],
                details={
                    "currency": currency,
                    "stripe_checkout_session_id": session_id,
                    "stripe_payment_intent_id": payment_intent or None,
                    **values.tribute(metadata),
                },
            )
        )
        if paid:
            changes.made_paid(gift)
    elif paid and gift.status == Gift.Status.PENDING:
        gift.status = Gift.Status.SUCCEEDED
        gift.save(update_fields=["status"])
        changes.made_paid(gift)
    changes.supporters.add(gift.supporter_id)
    return changes


def on_async_payment(succeeded: bool) -> Handler:
    def handle(session: dict[str, Any]) -> Changes:
        changes = on_checkout_session_completed({**session, "payment_status": "unpaid"})
        session_id = values.text(session, "id", required=True)
        gift = Gift.objects.select_for_update().get(stripe_checkout_session_id=session_id)
        if gift.status == Gift.Status.PENDING:
            gift.status = Gift.Status.SUCCEEDED if succeeded else Gift.Status.FAILED
            gift.save(update_fields=["status"])
            if succeeded:
                changes.made_paid(gift)
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
    amount: Any,
    currency: str,
) -> RecurringGift:
    if not subscription_id:
        raise values.NeedsAttention("A subscription checkout without a subscription id.")
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
    parent = values.mapping(
        values.mapping(invoice, "parent"),
        "subscription_details",
        what="parent.subscription_details",
    )
    legacy = values.mapping(invoice, "subscription_details")
    subscription = values.text(invoice, "subscription") or values.text(
        parent, "subscription", what="parent.subscription_details.subscription"
    )
    metadata = values.metadata(parent) or values.metadata(legacy)
    return subscription, metadata


def on_invoice_paid(invoice: dict[str, Any]) -> Changes:
    subscription_id, metadata = _invoice_subscription(invoice)
    if not subscription_id:
        return Changes()  # a one-off invoice, not a donation plan
    invoice_id = values.text(invoice, "id", required=True)
    currency = values.currency(invoice)
    plan = _plan_for_subscription(
        subscription_id=subscription_id,
        customer_id=values.text(invoice, "customer"),
        metadata=metadata,
        email=values.text(invoice, "customer_email", max_length=254),
        name=values.text(invoice, "customer_name", max_length=500),
        address=values.address(invoice, "customer_address"),
        amount=invoice.get("amount_paid"),
        currency=currency,
    )
    if plan.status in (RecurringGift.Status.INCOMPLETE, RecurringGift.Status.PAST_DUE):
        plan.status = RecurringGift.Status.ACTIVE
    line_ends = [
        values.moment(end, what="lines.data.period.end", ahead=values.PERIOD_AHEAD)
        for line in values.list_data(invoice, "lines")
        if (end := values.mapping(line, "period", what="lines.data.period").get("end")) is not None
    ]
    if line_ends:
        plan.next_charge_on = timezone.localtime(max(line_ends)).date()
    plan.save()
    changes = Changes(supporters={plan.supporter_id})
    paid = invoice.get("amount_paid")
    if values.is_zero(paid):
        return changes  # a $0 invoice (a trial, a full discount): nothing was given
    if not Gift.objects.filter(stripe_invoice_id=invoice_id).exists():
        transitions = values.mapping(invoice, "status_transitions")
        if transitions.get("paid_at") is not None:
            received_on = values.date(transitions["paid_at"], what="status_transitions.paid_at")
        else:
            received_on = values.date(invoice.get("created"), what="created")
        gift = _gift_record(
            GiftEntry(
                supporter=plan.supporter_id,
                amount=values.gift_amount(paid, currency, what="amount_paid"),
                received_on=received_on,
                method=Gift.Method.CARD,
                fund=plan.fund_id,
                campaign=plan.campaign_id,
                details={
                    "currency": currency,
                    "recurring": plan,
                    "stripe_invoice_id": invoice_id,
                    "stripe_payment_intent_id": values.text(invoice, "payment_intent") or None,
                    "stripe_charge_id": values.text(invoice, "charge") or None,
                },
            )
        )
        changes.made_paid(gift)
    return changes


def on_invoice_payment_failed(invoice: dict[str, Any]) -> Changes:
    invoice_id = values.text(invoice, "id", required=True)
    subscription_id, _ = _invoice_subscription(invoice)
    plan = (
        RecurringGift.objects.select_for_update()
        .filter(stripe_subscription_id=subscription_id)
        .order_by("pk")
        .first()
    )
    if plan is None:
        return Changes()
    _payment_failure_record(plan, invoice, invoice_id)
    if plan.status != RecurringGift.Status.CANCELLED:
        plan.status = RecurringGift.Status.PAST_DUE
        plan.save(update_fields=["status"])
        payment_failed_notice_queue(plan=plan, invoice_id=invoice_id)
    return Changes(supporters={plan.supporter_id})


def _payment_failure_record(plan: RecurringGift, invoice: dict[str, Any], invoice_id: str) -> None:
    """Keep that this payment failed (once per invoice; a retry that fails again counts an
    attempt), dated the day the first failure arrived."""
    cents = invoice.get("amount_due")
    amount = (
        values.money(cents, values.currency(invoice))
        if isinstance(cents, int) and cents > 0
        else plan.amount
    )
    failure, made = PaymentFailure.objects.get_or_create(
        stripe_invoice_id=invoice_id,
        defaults={"plan": plan, "amount": amount, "failed_on": timezone.localdate()},
    )
    if not made:
        PaymentFailure.objects.filter(pk=failure.pk).update(attempts=F("attempts") + 1)


HANDLERS: dict[str, Handler] = {
    # with_fees: each gift made paid also gets Stripe's fee and net (donations.deposits.payouts).
    "checkout.session.completed": payouts.with_fees(on_checkout_session_completed),
    "checkout.session.async_payment_succeeded": payouts.with_fees(on_async_payment(True)),
    "checkout.session.async_payment_failed": on_async_payment(succeeded=False),
    "invoice.paid": payouts.with_fees(on_invoice_paid),
    "invoice.payment_failed": on_invoice_payment_failed,
    "customer.subscription.updated": on_subscription_changed,
    "customer.subscription.deleted": on_subscription_changed,
    "charge.refunded": on_charge_refunded,
    # The refund itself (made in the dashboard, say), once with charge.refunded by its id;
    # failed or canceled, it is undone. charge.refund.updated: older, some payment methods.
    "refund.created": on_refund,
    "refund.updated": on_refund,
    "refund.failed": on_refund,
    "charge.refund.updated": on_refund,
    "charge.dispute.created": on_dispute(closed=False),
    "charge.dispute.closed": on_dispute(closed=True),
    # Fees and payouts: donations.deposits.payouts.
    "charge.succeeded": payouts.on_charge_balance,
    "charge.updated": payouts.on_charge_balance,
    "payout.paid": payouts.on_payout,
    "payout.failed": payouts.on_payout,
}
