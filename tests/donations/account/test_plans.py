"""The monthly-plan controls of the account page, through the page as a donor uses them, with
the real stripe SDK against the local stand-in (donations.plans does the work)."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from core.models import OutboxMessage
from donations.models import RecurringGift
from tests.donations.account.conftest import sign_in

pytestmark = pytest.mark.django_db
SUB, CUS = "sub_test_account1", "cus_test_account1"


def plan_for(supporter, stripe_api, sub: str = SUB, cus: str = CUS) -> RecurringGift:
    next_charge = timezone.localdate() + datetime.timedelta(days=10)
    period_end = int(
        timezone.make_aware(datetime.datetime.combine(next_charge, datetime.time(9))).timestamp()
    )
    stripe_api.subscription_add(sub, customer=cus, unit_amount=5000, period_end=period_end)
    return RecurringGift.objects.create(
        supporter=supporter,
        amount=Decimal("50.00"),
        status=RecurringGift.Status.ACTIVE,
        stripe_subscription_id=sub,
        stripe_customer_id=cus,
        started_on=timezone.localdate() - datetime.timedelta(days=20),
        next_charge_on=next_charge,
    )


@pytest.fixture
def plan(ana, stripe_api, client):
    plan = plan_for(ana, stripe_api)
    sign_in(client, "ana@example.org")
    return plan


def stripe_changes(stripe_api) -> list:
    return [r for r in stripe_api.subscription_requests if r.method != "GET"]


def test_the_page_shows_the_plan_and_its_controls(client, plan):
    page = client.get("/account/").content.decode()
    assert "$50.00 a month" in page
    for label in ("Change the amount", "Pause my gift", "Update my card", "Cancel my monthly gift"):
        assert label in page


def test_the_donor_raises_their_monthly_amount(client, plan, stripe_api):
    response = client.post(f"/account/plans/{plan.pk}/amount/", {f"plan{plan.pk}-amount": "75"})
    assert response.status_code == 302 and response["Location"] == "/account/#main"
    plan.refresh_from_db()
    assert plan.amount == Decimal("75.00")
    assert stripe_api.subscriptions[SUB]["items"]["data"][0]["price"]["unit_amount"] == 7500
    page = client.get("/account/").content.decode()
    assert "Your monthly gift is changed from your next payment on." in page
    assert "$75.00 a month" in page


def test_a_bad_amount_is_said_plainly_and_changes_nothing(client, plan, stripe_api):
    client.post(f"/account/plans/{plan.pk}/amount/", {f"plan{plan.pk}-amount": "4.99"})
    page = client.get("/account/").content.decode()
    assert "The smallest monthly gift is $5." in page and 'role="alert"' in page
    plan.refresh_from_db()
    assert plan.amount == Decimal("50.00") and stripe_changes(stripe_api) == []


def test_the_donor_pauses_then_resumes(client, plan, stripe_api):
    client.post(f"/account/plans/{plan.pk}/pause/", {f"plan{plan.pk}-months": "2"})
    plan.refresh_from_db()
    assert plan.paused_until is not None
    page = client.get("/account/").content.decode()
    assert "Your monthly gift is paused." in page and "Paused: nothing is charged before" in page
    assert "Resume now" in page
    client.post(f"/account/plans/{plan.pk}/resume/")
    plan.refresh_from_db()
    assert plan.paused_until is None


def test_a_pause_of_six_months_is_refused(client, plan, stripe_api):
    client.post(f"/account/plans/{plan.pk}/pause/", {f"plan{plan.pk}-months": "6"})
    plan.refresh_from_db()
    assert plan.paused_until is None and stripe_changes(stripe_api) == []
    assert 'role="alert"' in client.get("/account/").content.decode()


def test_the_donor_cancels_with_a_reason_and_staff_are_told(client, plan, stripe_api, staff):
    client.post(f"/account/plans/{plan.pk}/cancel/", {f"plan{plan.pk}-reason": "Moving abroad"})
    plan.refresh_from_db()
    assert plan.status == RecurringGift.Status.CANCELLED
    assert plan.cancel_reason == "Moving abroad"
    assert OutboxMessage.objects.filter(to_email=staff.email).exists()
    page = client.get("/account/").content.decode()
    assert "Your monthly gift is cancelled" in page and "$50.00 a month" not in page


def test_update_card_goes_to_stripes_page_and_comes_back_to_the_account(client, plan, stripe_api):
    response = client.post(f"/account/plans/{plan.pk}/card/")
    (session,) = stripe_api.portal_sessions
    assert response.status_code == 302 and response["Location"] == session["url"]
    (request,) = [r for r in stripe_api.requests if r.path == "/v1/billing_portal/sessions"]
    assert request.form["customer"] == CUS
    assert request.form["return_url"].endswith("/account/")


def test_stripe_out_of_reach_is_said_and_changes_nothing(client, plan, stripe_api):
    stripe_api.outage = (500, "api_error", "Something went wrong on Stripe's end.")
    client.post(f"/account/plans/{plan.pk}/amount/", {f"plan{plan.pk}-amount": "80"})
    plan.refresh_from_db()
    assert plan.amount == Decimal("50.00")
    assert "could not reach our card processor" in client.get("/account/").content.decode()


def test_another_donors_plan_cannot_be_reached_by_its_id(client, plan, ben, stripe_api):
    bens = plan_for(ben, stripe_api, sub="sub_test_ben", cus="cus_test_ben")
    for action, data in (
        ("amount", {f"plan{bens.pk}-amount": "10"}),
        ("pause", {f"plan{bens.pk}-months": "1"}),
        ("resume", {}),
        ("cancel", {}),
        ("card", {}),
    ):
        assert client.post(f"/account/plans/{bens.pk}/{action}/", data).status_code == 404
    bens.refresh_from_db()
    assert (bens.amount, bens.status) == (Decimal("50.00"), RecurringGift.Status.ACTIVE)
    assert stripe_changes(stripe_api) == [] and stripe_api.portal_sessions == []


def test_a_pause_set_at_stripe_with_no_end_reads_as_such(client, plan):
    plan.paused_until = datetime.date.max
    plan.save()
    page = client.get("/account/").content.decode()
    assert "Paused: nothing is charged until you resume it." in page
    assert "9999" not in page and "Resume now" in page
