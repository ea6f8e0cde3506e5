"""A plan's subscription events (customer.subscription.updated and .deleted): its status,
amount, pause and next charge as Stripe says, and what changed there noted for staff.

A change made here through donations.plans is already stored when its event arrives (the
service holds the plan's row while Stripe answers), so the event finds nothing new and notes
nothing; a change made at Stripe (its dashboard, the customer portal, a pause ending, retries
given up) is stored and noted once, and a cancellation tells staff.
"""

import datetime
from typing import Any

from django.utils import timezone

from core.dates import day_text
from core.money import money_text
from donations import plans
from donations.models import RecurringGift
from donations.stripe import values
from donations.stripe.changes import Changes

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
    subscription_id = values.text(subscription, "id", required=True)
    plan = (
        RecurringGift.objects.select_for_update()
        .filter(stripe_subscription_id=subscription_id)
        .order_by("pk")
        .first()
    )
    if plan is None:
        return Changes()  # the plan is created by checkout or its first paid invoice
    before = (plan.status, plan.amount, plan.paused_until)
    status = SUBSCRIPTION_STATUS.get(values.text(subscription, "status"), plan.status)
    if plan.status == RecurringGift.Status.CANCELLED:
        status = plan.status  # a cancellation is final; a late 'updated' does not revive it
    plan.status = status
    if "pause_collection" in subscription and status != RecurringGift.Status.CANCELLED:
        plan.paused_until = _paused_until(subscription)
    items = values.list_data(subscription, "items")
    if items:
        item = items[0]
        price = values.mapping(item, "price", what="items.data.price")
        quantity = values.quantity(item)
        unit = price.get("unit_amount")
        if unit is not None and not values.is_zero(unit):
            # The unit alone first: a string or a list times the quantity would repeat it.
            values.gift_amount(unit, plan.currency, what="the price's unit_amount")
            plan.amount = values.gift_amount(
                unit * quantity, plan.currency, what="the plan's price"
            )
        period_end = item.get("current_period_end")
        if period_end is None:
            period_end = subscription.get("current_period_end")
        if period_end is not None and status != RecurringGift.Status.CANCELLED:
            plan.next_charge_on = values.date(
                period_end, what="current_period_end", ahead=values.PERIOD_AHEAD
            )
    if plan.paused_until is not None and status != RecurringGift.Status.CANCELLED:
        plan.next_charge_on = plans.next_charge_after_pause(plan.next_charge_on, plan.paused_until)
    cancelled_now = status == RecurringGift.Status.CANCELLED and plan.cancelled_at is None
    if cancelled_now:
        key = "canceled_at" if subscription.get("canceled_at") is not None else "ended_at"
        ended = subscription.get(key)
        plan.cancelled_at = values.moment(ended, what=key) if ended is not None else timezone.now()
        plan.next_charge_on = None
        plan.paused_until = None
        details = values.mapping(subscription, "cancellation_details")
        plan.cancel_reason = plan.cancel_reason or values.text(
            details, "comment", what="cancellation_details.comment", max_length=5000
        )
    plan.save()
    _note_stripe_changes(plan, before, cancelled_now=cancelled_now, subscription=subscription)
    return Changes(supporters={plan.supporter_id})


def _paused_until(subscription: dict[str, Any]) -> Any:
    pause = values.mapping(subscription, "pause_collection")
    if not pause:
        return None
    resumes_at = pause.get("resumes_at")
    if resumes_at is None:
        return datetime.date.max  # paused until someone resumes it
    return values.date(resumes_at, what="pause_collection.resumes_at", ahead=values.PERIOD_AHEAD)


def _note_stripe_changes(
    plan: RecurringGift, before: tuple, *, cancelled_now: bool, subscription: dict[str, Any]
) -> None:
    """What this event changed that was not already stored, noted once for staff."""
    status, amount, paused_until = before
    kind = "Monthly gift" if plan.interval == RecurringGift.Interval.MONTH else "Yearly gift"
    lines = []
    if plan.amount != amount and status != RecurringGift.Status.INCOMPLETE:
        lines.append(
            f"{kind} changed at Stripe from {money_text(amount)} to {money_text(plan.amount)}."
        )
    if plan.paused_until != paused_until and not cancelled_now:
        if plan.paused_until is None:
            lines.append(f"{kind}'s pause ended at Stripe: payments are collected again.")
        elif plan.paused_until == datetime.date.max:
            lines.append(f"{kind} paused at Stripe, with no end date.")
        else:
            lines.append(f"{kind} paused at Stripe until {day_text(plan.paused_until)}.")
    if cancelled_now:
        details = values.mapping(subscription, "cancellation_details")
        why = CANCELLATION_REASON.get(values.text(details, "reason", what="reason"), "")
        text = f"{kind} of {money_text(plan.amount)} cancelled at Stripe{why}."
        if plan.cancel_reason:
            text += f' Reason given: "{plan.cancel_reason}"'
        lines.append(text)
        plans.staff_told_of_cancellation(plan, by_words=f"Stripe{why}")
    if lines:
        plans.plan_note(plan, " ".join(lines))


CANCELLATION_REASON = {
    "payment_failed": " (every retry of a payment failed)",
    "payment_disputed": " (a payment was disputed)",
    "cancellation_requested": "",
}
