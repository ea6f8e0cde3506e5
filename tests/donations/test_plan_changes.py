"""Monthly plans changed by the donor or staff (donations.plans): each change reaches Stripe as
Stripe would receive it (the real SDK against the local stand-in), is stored on the plan and
noted on the supporter; Stripe failing or bad input changes nothing."""

import datetime
import re
from decimal import Decimal

import pytest
from django.utils import timezone

from core.models import OutboxMessage
from crm.models import Note
from donations.models import RecurringGift
from donations.plans import (
    PlanChangeRefused,
    StripeUnavailable,
    cancel_plan,
    card_update_url,
    change_plan_amount,
    pause_plan,
    resume_plan,
)
from tests.donations.plan_support import CUS, SUB, changes, notes
from tests.factories import SupporterFactory


def test_new_amount_reaches_stripe_as_a_new_price_without_proration(plan, donor, stripe_api):
    change_plan_amount(plan, "75", by=donor)

    (request,) = changes(stripe_api)
    assert (request.method, request.path) == ("POST", f"/v1/subscriptions/{SUB}")
    assert request.form == {
        "items": [
            {
                "id": "si_test_plan1",
                "price_data": {
                    "currency": "usd",
                    "product": "prod_standin_monthly",
                    "unit_amount": "7500",
                    "recurring": {"interval": "month"},
                },
            }
        ],
        "proration_behavior": "none",
    }
    assert stripe_api.subscriptions[SUB]["items"]["data"][0]["price"]["unit_amount"] == 7500
    plan.refresh_from_db()
    assert plan.amount == Decimal("75.00")
    assert notes(plan) == [
        "Monthly gift changed from $50.00 to $75.00 by the donor, on their account page, "
        "from the next payment on."
    ]


def test_staff_change_is_noted_with_their_name(plan, staff, stripe_api):
    change_plan_amount(plan, Decimal("20"), by=staff)
    note = Note.objects.get(supporter_id=plan.supporter_id)
    assert note.author == staff
    assert "by staff (dana)" in note.text


@pytest.mark.parametrize(
    ("amount", "words"),
    [
        ("abc", "as a number"),
        ("", "as a number"),
        ("NaN", "as a number"),
        ("4.99", "The smallest monthly gift is $5."),
        ("-10", "The smallest monthly gift"),
        ("10.505", "dollars and cents"),
        ("100001", "please contact us"),
        ("50", "already $50.00"),
    ],
)
def test_bad_amount_is_refused_in_plain_words_and_changes_nothing(
    plan, donor, stripe_api, amount, words
):
    with pytest.raises(PlanChangeRefused, match=re.escape(words)):
        change_plan_amount(plan, amount, by=donor)
    assert changes(stripe_api) == []
    plan.refresh_from_db()
    assert plan.amount == Decimal("50.00")
    assert notes(plan) == []


def test_another_donor_or_board_cannot_change_the_plan(plan, stripe_api, board):
    stranger = SupporterFactory(email="someone@example.org")
    for by in (stranger, board, None, "donor"):
        with pytest.raises(PlanChangeRefused, match="not yours"):
            change_plan_amount(plan, "60", by=by)
        with pytest.raises(PlanChangeRefused, match="not yours"):
            cancel_plan(plan, by=by)
    assert stripe_api.subscription_requests == []
    plan.refresh_from_db()
    assert (plan.amount, plan.status) == (Decimal("50.00"), RecurringGift.Status.ACTIVE)


@pytest.mark.parametrize("months", [1, 2, 3])
def test_pause_sets_stripe_pause_collection_with_its_end(plan, donor, stripe_api, months):
    pause_plan(plan, months, by=donor)

    (request,) = changes(stripe_api)
    plan.refresh_from_db()
    resumes_at = int(request.form["pause_collection"]["resumes_at"])
    assert request.form == {"pause_collection": {"behavior": "void", "resumes_at": str(resumes_at)}}
    resumes_on = timezone.localtime(datetime.datetime.fromtimestamp(resumes_at, tz=datetime.UTC))
    assert resumes_on.time() == datetime.time(0)
    assert resumes_on.date() == plan.paused_until
    today = timezone.localdate()
    assert (plan.paused_until.year * 12 + plan.paused_until.month) - (
        today.year * 12 + today.month
    ) == months
    # The first charge after the pause: the billing day on or after its end.
    assert plan.next_charge_on >= plan.paused_until
    assert plan.next_charge_on.day in (plan.next_charge_on.day, 28, 29, 30, 31)
    assert plan.next_charge_on - plan.paused_until < datetime.timedelta(days=31)
    assert plan.status == RecurringGift.Status.ACTIVE
    (note,) = notes(plan)
    assert note.startswith(f"Monthly gift of $50.00 paused for {months} month")


@pytest.mark.parametrize("months", [0, 4, "two", 1.5, 2.0, True, None, "-1", ""])
def test_pause_of_other_lengths_is_refused(plan, donor, stripe_api, months):
    with pytest.raises(PlanChangeRefused, match="1, 2 or 3 months"):
        pause_plan(plan, months, by=donor)
    assert changes(stripe_api) == []
    plan.refresh_from_db()
    assert plan.paused_until is None


def test_resume_unsets_pause_collection(plan, donor, stripe_api):
    pause_plan(plan, 2, by=donor)
    resume_plan(plan, by=donor)

    last = changes(stripe_api)[-1]
    assert last.body == "pause_collection="
    assert last.form == {"pause_collection": ""}
    assert stripe_api.subscriptions[SUB]["pause_collection"] is None
    plan.refresh_from_db()
    assert plan.paused_until is None
    assert plan.next_charge_on == timezone.localdate() + datetime.timedelta(days=10)
    assert notes(plan)[0] == "Monthly gift resumed by the donor, on their account page."


def test_resume_of_a_plan_not_paused_is_refused(plan, donor, stripe_api):
    with pytest.raises(PlanChangeRefused, match="not paused"):
        resume_plan(plan, by=donor)
    assert changes(stripe_api) == []


def test_cancel_sends_the_reason_and_tells_staff(plan, donor, stripe_api, staff, sent_mail):
    cancel_plan(plan, reason="  Moving abroad,\n thank you! ", by=donor)

    (request,) = changes(stripe_api)
    assert (request.method, request.path) == ("DELETE", f"/v1/subscriptions/{SUB}")
    assert request.form == {"cancellation_details": {"comment": "Moving abroad, thank you!"}}
    plan.refresh_from_db()
    assert plan.status == RecurringGift.Status.CANCELLED
    assert plan.cancel_reason == "Moving abroad, thank you!"
    assert plan.cancelled_at is not None and plan.next_charge_on is None
    assert notes(plan) == [
        "Monthly gift of $50.00 cancelled by the donor, on their account page. "
        'Reason given: "Moving abroad, thank you!"'
    ]
    (mail,) = [m for m in sent_mail() if m.to == ["dana@example.org"]]
    assert mail.subject == "Monthly gift cancelled: Ana Ruiz ($50.00)"
    assert 'Reason given: "Moving abroad, thank you!"' in mail.body
    assert f"/admin/donations/recurringgift/{plan.pk}/change/" in mail.body


def test_a_cancelled_plan_cannot_be_changed_again(plan, donor, stripe_api):
    cancel_plan(plan, by=donor)
    for change in (
        lambda: change_plan_amount(plan, "60", by=donor),
        lambda: pause_plan(plan, 1, by=donor),
        lambda: cancel_plan(plan, by=donor),
        lambda: card_update_url(plan, return_url="https://x.test/account/"),
    ):
        with pytest.raises(PlanChangeRefused, match="has been cancelled"):
            change()
    assert len(changes(stripe_api)) == 1


def test_too_long_a_reason_is_refused(plan, donor, stripe_api):
    with pytest.raises(PlanChangeRefused, match="under 1000 characters"):
        cancel_plan(plan, reason="x" * 1001, by=donor)
    assert changes(stripe_api) == []


@pytest.mark.parametrize(
    "change",
    [
        lambda plan, by: change_plan_amount(plan, "80", by=by),
        lambda plan, by: pause_plan(plan, 1, by=by),
        lambda plan, by: cancel_plan(plan, reason="r", by=by),
    ],
)
@pytest.mark.parametrize(
    "failure",
    [
        (500, "api_error", "Something went wrong on Stripe's end."),  # retried, then given up
        (400, "invalid_request_error", "This customer has no attached payment source."),
    ],
)
def test_stripe_failing_changes_nothing_here(plan, donor, stripe_api, staff, change, failure):
    stripe_api.outage = failure
    before = RecurringGift.objects.values().get(pk=plan.pk)
    with pytest.raises(StripeUnavailable):
        change(plan, donor)
    assert RecurringGift.objects.values().get(pk=plan.pk) == before
    assert notes(plan) == []
    assert not OutboxMessage.objects.exists()
    assert stripe_api.subscriptions[SUB]["status"] == "active"


def test_card_update_opens_the_customer_portal_on_the_card_form(plan, donor, stripe_api):
    donor.preferred_language = "es"
    donor.save()
    url = card_update_url(plan, return_url="https://give.example.org/account/", by=donor)

    (session,) = stripe_api.portal_sessions
    assert url == session["url"]
    (request,) = [r for r in stripe_api.requests if r.path == "/v1/billing_portal/sessions"]
    assert request.form == {
        "customer": CUS,
        "return_url": "https://give.example.org/account/",
        "locale": "es",
        "flow_data": {"type": "payment_method_update"},
    }


def test_card_update_when_stripe_fails(plan, stripe_api):
    stripe_api.outage = (503, "api_error", "Unavailable")
    with pytest.raises(StripeUnavailable):
        card_update_url(plan, return_url="https://give.example.org/account/")


def test_a_plan_not_charged_online_is_refused(donor, stripe_api):
    plan = RecurringGift.objects.create(supporter=donor, amount=Decimal("30"), status="active")
    with pytest.raises(PlanChangeRefused, match="not charged online"):
        change_plan_amount(plan, "40", by=donor)


def test_with_the_local_test_checkout_changes_are_stored_without_stripe(settings, donor):
    """`make demo` (DEBUG, no Stripe key): its plans never reached Stripe, so a change is stored
    and noted as usual and nothing is sent; the card page is the way back."""
    settings.STRIPE_SECRET_KEY = ""
    settings.STRIPE_API_BASE = "http://127.0.0.1:9"  # nothing listens: a call would fail
    plan = RecurringGift.objects.create(
        supporter=donor,
        amount=Decimal("50"),
        status="active",
        stripe_subscription_id="sub_demo_12",  # as seed_demo makes them
        stripe_customer_id="cus_demo_12",
        next_charge_on=timezone.localdate() + datetime.timedelta(days=3),
    )
    change_plan_amount(plan, "60", by=donor)
    pause_plan(plan, 1, by=donor)
    resume_plan(plan, by=donor)
    assert card_update_url(plan, return_url="/account/", by=donor) == "/account/"
    cancel_plan(plan, reason="Testing", by=donor)
    plan.refresh_from_db()
    assert (plan.amount, plan.status, plan.cancel_reason) == (Decimal("60"), "cancelled", "Testing")
    assert len(notes(plan)) == 4


def test_a_local_plan_is_not_changed_once_a_stripe_key_is_set(settings, donor, stripe_api):
    """With a key set, the local checkout is off: a sub_local_ id goes to Stripe like any
    other, which does not know it, and nothing changes here."""
    plan = RecurringGift.objects.create(
        supporter=donor, amount=Decimal("50"), status="active",
        stripe_subscription_id="sub_local_abc",
    )  # fmt: skip
    with pytest.raises(StripeUnavailable, match="No such subscription"):
        change_plan_amount(plan, "60", by=donor)
    plan.refresh_from_db()
    assert plan.amount == Decimal("50")


def test_a_pause_typed_in_a_form_as_text_is_taken(plan, donor, stripe_api):
    pause_plan(plan, "3", by=donor)
    plan.refresh_from_db()
    assert plan.paused_until is not None and len(changes(stripe_api)) == 1
