"""Monthly plans changed after they start: a new amount, a pause of 1-3 months, a resume, a
cancellation, a new card. The donor (on their account page) and staff call the same functions.

Each change is asked of Stripe first, with the plan's row locked; only when Stripe has taken it
is it stored on the RecurringGift and noted on the supporter, in one transaction. Stripe
refusing or out of reach raises StripeUnavailable and changes nothing here. The webhook events
the change causes (customer.subscription.updated/deleted) then find the plan already as Stripe
says, so they note nothing more (donations.stripe.handlers).

With the local test checkout (DEBUG on and no Stripe key, as in `make demo`), plans have no
subscription at Stripe: changes are stored and noted as they would be, and nothing is sent.
"""

import calendar
import datetime
import logging
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from core.dates import day_text
from core.models import Organisation
from core.money import money_text
from core.outbox.queue import outbox_queue
from core.roles import STAFF_GROUP
from crm.models import Note, Supporter
from donations.models import RecurringGift
from donations.online.checkout import MAX_AMOUNT, MIN_AMOUNT
from donations.stripe import client as stripe_client
from donations.stripe import local_checkout
from donations.stripe.client import StripeUnavailable

__all__ = [
    "PAUSE_MONTHS",
    "PlanChangeRefused",
    "StripeUnavailable",
    "cancel_plan",
    "card_update_url",
    "change_plan_amount",
    "pause_plan",
    "resume_plan",
]
logger = logging.getLogger(__name__)
PAUSE_MONTHS = (1, 2, 3)
REASON_MAX_LENGTH = 1000
CENT = Decimal("0.01")
# Fields a change may write, copied back onto the caller's instance.
PLAN_FIELDS = (
    "amount",
    "status",
    "paused_until",
    "next_charge_on",
    "cancelled_at",
    "cancel_reason",
)


class PlanChangeRefused(Exception):
    """A change that cannot be made, said in plain words for the person who asked; nothing
    was changed, here or at Stripe."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class _Actor:
    words: str  # for the note: "the donor, on their account page" / "staff (jane)"
    user: Any  # the staff user, or None for the donor


# --- the changes ------------------------------------------------------------------------------


def change_plan_amount(plan: RecurringGift, new_amount: Any, *, by: Any) -> RecurringGift:
    """Charge `new_amount` from the next payment on; nothing is prorated."""
    amount = _amount(new_amount)
    with transaction.atomic():
        locked, actor = _locked(plan, by)
        if amount == locked.amount:
            raise PlanChangeRefused(
                _("Your monthly gift is already %(amount)s.") % {"amount": money_text(amount)}
            )
        if _at_stripe(locked):
            subscription = stripe_client.subscription_read(locked.stripe_subscription_id)
            item = _first_item(subscription)
            price = item.get("price") or {}
            product = price.get("product")
            if isinstance(product, dict):
                product = product.get("id")
            if not item.get("id") or not product:
                raise StripeUnavailable("Stripe's subscription has no item with a product.")
            stripe_client.subscription_price_change(
                locked.stripe_subscription_id,
                item_id=item["id"],
                product=product,
                currency=price.get("currency") or locked.currency,
                interval=(price.get("recurring") or {}).get("interval") or locked.interval,
                unit_amount=int((amount * 100).to_integral_value()),
            )
        before = locked.amount
        locked.amount = amount
        _save(locked, plan, f"Amount changed from {money_text(before)} to {money_text(amount)}")
        _note(
            locked,
            actor,
            f"{_kind(locked)} changed from {money_text(before)} to {money_text(amount)} "
            f"by {actor.words}, from the next payment on.",
        )
    return locked


def pause_plan(plan: RecurringGift, months: Any, *, by: Any) -> RecurringGift:
    """Collect nothing for `months` (1 to 3) months from today; a pause already running is
    replaced by this one."""
    if isinstance(months, str) and months.strip().isdigit():
        months = int(months)
    if type(months) is not int or months not in PAUSE_MONTHS:  # not True, not 2.0
        raise PlanChangeRefused(_("A gift can be paused for 1, 2 or 3 months."))
    with transaction.atomic():
        locked, actor = _locked(plan, by)
        until = add_months(timezone.localdate(), months)
        if _at_stripe(locked):
            stripe_client.subscription_pause(
                locked.stripe_subscription_id, resumes_at=_local_midnight(until)
            )
        locked.paused_until = until
        locked.next_charge_on = next_charge_after_pause(locked.next_charge_on, until)
        _save(locked, plan, f"Paused until {until:%Y-%m-%d}")
        _note(
            locked,
            actor,
            f"{_kind(locked)} of {money_text(locked.amount)} paused for {months} month"
            f"{'s' if months > 1 else ''} by {actor.words}: nothing is charged before "
            f"{day_text(until)}.",
        )
    return locked


def resume_plan(plan: RecurringGift, *, by: Any) -> RecurringGift:
    """End a pause now: the next payment is collected as usual."""
    with transaction.atomic():
        locked, actor = _locked(plan, by)
        if locked.paused_until is None:
            raise PlanChangeRefused(_("This monthly gift is not paused."))
        next_charge = locked.next_charge_on
        if _at_stripe(locked):
            subscription = stripe_client.subscription_resume(locked.stripe_subscription_id)
            next_charge = _period_end(subscription) or next_charge
        locked.paused_until = None
        locked.next_charge_on = next_charge
        _save(locked, plan, "Resumed")
        _note(locked, actor, f"{_kind(locked)} resumed by {actor.words}.")
    return locked


def cancel_plan(plan: RecurringGift, *, reason: str = "", by: Any) -> RecurringGift:
    """Stop the plan at once (nothing more is charged); staff are told."""
    reason = " ".join(str(reason or "").split())
    if len(reason) > REASON_MAX_LENGTH:
        raise PlanChangeRefused(
            _("Please keep the reason under %(count)d characters.") % {"count": REASON_MAX_LENGTH}
        )
    with transaction.atomic():
        locked, actor = _locked(plan, by)
        if _at_stripe(locked):
            stripe_client.subscription_cancel(locked.stripe_subscription_id, comment=reason)
        locked.status = RecurringGift.Status.CANCELLED
        locked.cancelled_at = timezone.now()
        locked.cancel_reason = reason
        locked.next_charge_on = None
        locked.paused_until = None
        _save(locked, plan, "Cancelled")
        text = f"{_kind(locked)} of {money_text(locked.amount)} cancelled by {actor.words}."
        _note(locked, actor, text + (f' Reason given: "{reason}"' if reason else ""))
        staff_told_of_cancellation(locked, by_words=actor.words)
    return locked


def card_update_url(plan: RecurringGift, *, return_url: str, by: Any = None) -> str:
    """Where the donor updates the card of this plan: Stripe's customer portal, opened on the
    card form, coming back to `return_url`. Nothing is stored here; Stripe tells us by event."""
    if by is not None:
        _actor(plan, by)
    if plan.status == RecurringGift.Status.CANCELLED:
        raise PlanChangeRefused(_("This monthly gift has been cancelled."))
    if not _at_stripe(plan):
        return return_url  # the local test checkout keeps no card
    if not plan.stripe_customer_id:
        raise PlanChangeRefused(
            _("We have no card on file for this gift. Please contact us and we will help.")
        )
    session = stripe_client.card_update_session(
        plan.stripe_customer_id,
        return_url=return_url,
        locale=plan.supporter.preferred_language or "auto",
    )
    return session["url"]


# --- shared with the webhook handlers ----------------------------------------------------------


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The same day `months` later, or the month's last day (as Stripe bills a 31st)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return day.replace(
        year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1])
    )


def next_charge_after_pause(
    next_charge: datetime.date | None, paused_until: datetime.date
) -> datetime.date | None:
    """The first billing day on or after the pause ends: Stripe voids the invoices before it."""
    if next_charge is None or paused_until == datetime.date.max:
        return None  # datetime.date.max: paused at Stripe with no end, until resumed
    months = 0
    while (day := add_months(next_charge, months)) < paused_until:
        months += 1
    return day


def plan_note(plan: RecurringGift, text: str, *, author: Any = None) -> Note:
    """A line on the supporter's page that staff see with their notes."""
    return Note.objects.create(supporter_id=plan.supporter_id, author=author, text=text)


def staff_told_of_cancellation(plan: RecurringGift, *, by_words: str) -> int:
    """Email every active member of the development staff (and superusers) with an address,
    through the outbox, in the transaction of the cancellation. Returns how many."""
    users = get_user_model().objects.filter(
        Q(groups__name=STAFF_GROUP) | Q(is_superuser=True), is_active=True
    )
    addresses = sorted(
        {email.strip().lower() for email in users.values_list("email", flat=True)} - {""}
    )
    if not addresses:
        logger.warning("Plan %s was cancelled and no staff member has an email address.", plan.pk)
        return 0
    organisation = Organisation.current()
    context = {
        "plan": plan,
        "supporter": plan.supporter,
        "amount": money_text(plan.amount),
        "by": by_words,
        "organisation": organisation,
        "plan_url": _admin_url(plan),
    }
    for address in addresses:
        outbox_queue(
            kind="plan-cancelled-staff",
            to=address,
            subject=render_to_string("emails/plan-cancelled-staff-subject.txt", context),
            text=render_to_string("emails/plan-cancelled-staff-body.txt", context),
        )
    return len(addresses)


# --- helpers ----------------------------------------------------------------------------------


def _amount(value: Any) -> Decimal:
    text = str(value if value is not None else "").strip().replace("$", "").replace(",", "")
    try:
        amount = Decimal(text)
    except InvalidOperation:
        amount = None
    if amount is None or not amount.is_finite():
        raise PlanChangeRefused(_("Please enter the amount as a number, for example 25 or 25.50."))
    if amount != amount.quantize(CENT):
        raise PlanChangeRefused(
            _("Please enter the amount in dollars and cents, for example 25.50.")
        )
    if amount < MIN_AMOUNT:
        raise PlanChangeRefused(
            _("The smallest monthly gift is %(amount)s.")
            % {"amount": money_text(MIN_AMOUNT, cents="when_needed")}
        )
    if amount > MAX_AMOUNT:
        raise PlanChangeRefused(
            _("For a monthly gift above %(amount)s, please contact us.")
            % {"amount": money_text(MAX_AMOUNT, cents="when_needed")}
        )
    return amount.quantize(CENT)


def _actor(plan: RecurringGift, by: Any) -> _Actor:
    if isinstance(by, Supporter):
        if by.pk != plan.supporter_id:
            raise PlanChangeRefused(_("This monthly gift is not yours to change."))
        return _Actor("the donor, on their account page", None)
    if (
        isinstance(by, AbstractBaseUser)
        and by.is_active
        and by.has_perm("donations.change_recurringgift")
    ):
        return _Actor(f"staff ({by.get_username()})", by)
    raise PlanChangeRefused(_("This monthly gift is not yours to change."))


def _locked(plan: RecurringGift, by: Any) -> tuple[RecurringGift, _Actor]:
    """The plan re-read under a row lock (a webhook for it waits), checked changeable."""
    locked = (
        RecurringGift.objects.select_for_update(of=("self",))
        .select_related("supporter")
        .get(pk=plan.pk)
    )
    actor = _actor(locked, by)
    if locked.status == RecurringGift.Status.CANCELLED:
        raise PlanChangeRefused(_("This monthly gift has been cancelled."))
    if not locked.stripe_subscription_id:
        raise PlanChangeRefused(
            _("This gift is not charged online, so it cannot be changed here. Please contact us.")
        )
    return locked, actor


def _at_stripe(plan: RecurringGift) -> bool:
    """False only with the local test checkout (DEBUG on, no Stripe key): its plans and the
    demo's never reached Stripe, and there is no key to ask it with."""
    return not local_checkout.is_enabled()


def _save(locked: RecurringGift, original: RecurringGift, reason: str) -> None:
    locked._change_reason = reason
    locked.save(update_fields=PLAN_FIELDS)
    for name in PLAN_FIELDS:
        setattr(original, name, getattr(locked, name))


def _note(plan: RecurringGift, actor: _Actor, text: str) -> None:
    plan_note(plan, text, author=actor.user)


def _kind(plan: RecurringGift) -> str:
    return "Monthly gift" if plan.interval == RecurringGift.Interval.MONTH else "Yearly gift"


def _first_item(subscription: dict[str, Any]) -> dict[str, Any]:
    items = (subscription.get("items") or {}).get("data") or []
    return items[0] if items else {}


def _period_end(subscription: dict[str, Any]) -> datetime.date | None:
    end = _first_item(subscription).get("current_period_end") or subscription.get(
        "current_period_end"
    )
    if not isinstance(end, int):
        return None
    return timezone.localtime(datetime.datetime.fromtimestamp(end, tz=datetime.UTC)).date()


def _local_midnight(day: datetime.date) -> int:
    start = datetime.datetime.combine(day, datetime.time.min)
    return int(timezone.make_aware(start).timestamp())


def _admin_url(plan: RecurringGift) -> str:
    from django.conf import settings
    from django.urls import reverse

    path = reverse("admin:donations_recurringgift_change", args=[plan.pk])
    return f"{settings.SITE_URL.rstrip('/')}{path}"
