"""Staff change a plan on its admin page ('Change at Stripe'), through the plans service: the
request reaches Stripe (the stand-in, by the real SDK), the note names them; a refusal or
Stripe's failure is said on the page and changes nothing; the board may not; the plan's
Stripe-held fields cannot be typed over in its form."""

from decimal import Decimal

from crm.models import Note
from donations.models import RecurringGift
from tests.donations.plan_support import SUB, changes


def page(plan) -> str:
    return f"/admin/donations/recurringgift/{plan.pk}/change-at-stripe/"


def test_staff_change_the_amount_and_it_reaches_stripe(staff_client, plan, stripe_api):
    change_page = staff_client.get(f"/admin/donations/recurringgift/{plan.pk}/change/")
    assert page(plan) in change_page.content.decode()

    response = staff_client.post(page(plan), {"action": "amount", "amount": "30"})
    assert response.status_code == 302
    (request,) = changes(stripe_api)
    assert request.form["items"][0]["price_data"]["unit_amount"] == "3000"
    plan.refresh_from_db()
    assert plan.amount == Decimal("30.00")
    note = Note.objects.get(supporter=plan.supporter)
    assert note.author.username == "dana" and "by staff (dana)" in note.text


def test_staff_pause_and_cancel(staff_client, plan, stripe_api):
    assert staff_client.post(page(plan), {"action": "pause", "months": "2"}).status_code == 302
    assert (
        staff_client.post(page(plan), {"action": "cancel", "reason": "Asked by phone"}).status_code
        == 302
    )
    plan.refresh_from_db()
    assert plan.status == "cancelled" and plan.cancel_reason == "Asked by phone"
    assert stripe_api.subscriptions[SUB]["cancellation_details"]["comment"] == "Asked by phone"
    after = staff_client.get(f"/admin/donations/recurringgift/{plan.pk}/change/")
    assert page(plan) not in after.content.decode()


def test_a_refusal_and_stripe_failing_are_said_and_change_nothing(staff_client, plan, stripe_api):
    refused = staff_client.post(page(plan), {"action": "amount", "amount": "2"})
    assert refused.status_code == 200
    assert "The smallest monthly gift is $5." in refused.content.decode()
    stripe_api.outage = (400, "invalid_request_error", "No such price")
    failed = staff_client.post(page(plan), {"action": "cancel", "reason": ""})
    assert "Stripe could not be reached or refused the change" in failed.content.decode()
    plan.refresh_from_db()
    assert (plan.amount, plan.status) == (Decimal("50.00"), "active")
    assert not Note.objects.exists()


def test_the_board_may_not(board_client, plan, stripe_api):
    assert board_client.post(page(plan), {"action": "cancel"}).status_code == 403
    assert changes(stripe_api) == []


def test_the_form_does_not_let_stripe_held_fields_be_typed_over(staff_client, plan):
    html = staff_client.get(f"/admin/donations/recurringgift/{plan.pk}/change/").content.decode()
    for name in ("amount", "status", "next_charge_on", "paused_until", "cancel_reason"):
        assert f'name="{name}"' not in html, name
    hand_made = RecurringGift.objects.create(supporter=plan.supporter, amount=Decimal("20"))
    html = staff_client.get(f"/admin/donations/recurringgift/{hand_made.pk}/change/")
    assert 'name="amount"' in html.content.decode()
