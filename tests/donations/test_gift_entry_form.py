"""Record a gift from a supporter's profile (donations.gift_entry): the short form's defaults,
its save through the gifts service, its refusals by field, and who may use it."""

import datetime
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.utils import timezone

from donations.models import Campaign, DonorSummary, Fund, Gift
from donations.services import GiftEntry, gift_record
from tests.factories import SupporterFactory

pytestmark = pytest.mark.django_db

STRIPE_FIELDS = ("stripe_charge_id", "stripe_payment_intent_id", "amount_refunded", "created_at")


@pytest.fixture
def books(db):
    general = Fund.objects.create(name="General", code="general", is_default=True)
    legal = Fund.objects.create(name="Legal defense", code="legal")
    spring = Campaign.objects.create(name="Spring appeal", code="spring26", fund=legal)
    gala = Campaign.objects.create(name="Gala 2026", code="gala26", fund=general)
    return general, legal, spring, gala


def _url(supporter) -> str:
    return f"/admin/donations/gift/record/?supporter={supporter.pk}"


def _shown(client, supporter) -> dict:
    """What the page's form holds before anyone types (as a browser would post it)."""
    form = client.get(_url(supporter)).context["form"]
    data = {name: form[name].value() for name in form.fields}
    return {k: getattr(v, "pk", v) for k, v in data.items() if v is not None}


def test_the_form_starts_with_today_a_check_and_no_stripe_fields(staff_client, books):
    maria = SupporterFactory()
    response = staff_client.get(_url(maria))
    assert response.status_code == 200
    form, html = response.context["form"], response.content.decode()
    assert form["received_on"].value() == timezone.localdate()
    assert form["method"].value() == "cheque"
    assert form["campaign"].value() is None and form["fund"].value() is None
    assert list(form.fields)[0] == "amount" and "autofocus" in str(form["amount"])
    for name in (*STRIPE_FIELDS, "status", "acknowledgement", "recorded_by"):
        assert name not in form.fields and f'name="{name}"' not in html
    assert "Record a gift from" in html and str(maria) in html


def test_campaign_and_fund_start_as_on_the_last_gift_this_staff_member_recorded(
    staff, board, staff_client, books
):
    general, legal, spring, gala = books
    donor = SupporterFactory()
    day = datetime.date(2026, 3, 2)
    gift_record(entry=GiftEntry(supporter=donor, amount=Decimal(5), received_on=day,
                                campaign=spring), recorded_by=staff)  # fmt: skip
    gift_record(entry=GiftEntry(supporter=donor, amount=Decimal(5), received_on=day,
                                campaign=gala), recorded_by=staff)  # fmt: skip
    # Someone else's later gift is theirs: it does not change this user's defaults.
    gift_record(entry=GiftEntry(supporter=donor, amount=Decimal(5), received_on=day,
                                campaign=spring), recorded_by=board)  # fmt: skip
    form = staff_client.get(_url(donor)).context["form"]
    assert (form["campaign"].value(), form["fund"].value()) == (gala.pk, general.pk)
    assert form.fields["campaign"].help_text.startswith("Starts as on the last gift you recorded")


def test_saving_records_the_gift_through_the_service_and_returns_to_the_profile(
    staff, staff_client, books
):
    general, legal, spring, gala = books
    maria = SupporterFactory()
    data = _shown(staff_client, maria) | {
        "amount": "$1,250.50", "cheque_number": " 1042 ", "campaign": spring.pk,
        "appeal_code": "", "notes": "Reply card says: for the hotline",
        "stripe_charge_id": "ch_typed_in", "status": "refunded",
    }  # fmt: skip
    response = staff_client.post(_url(maria), data)
    assert response.status_code == 302
    assert response["Location"] == f"/admin/crm/supporter/{maria.pk}/change/"
    gift = Gift.objects.get()
    assert (gift.supporter, gift.amount, gift.method, gift.cheque_number) == (
        maria, Decimal("1250.50"), "cheque", "1042",
    )  # fmt: skip
    # The service's defaults: today, the campaign's fund and code.
    assert (gift.received_on, gift.campaign, gift.fund, gift.appeal_code) == (
        timezone.localdate(), spring, legal, "spring26",
    )  # fmt: skip
    assert gift.notes == "Reply card says: for the hotline" and gift.recorded_by == staff
    assert gift.stripe_charge_id is None and gift.status == "succeeded"
    [row] = gift.history.all()
    assert (row.history_user, row.history_change_reason) == (staff, "Recorded by staff")
    assert DonorSummary.objects.get(supporter=maria).lifetime_total == Decimal("1250.50")
    [message] = [str(m) for m in get_messages(response.wsgi_request)]
    assert message.startswith(f"Recorded $1,250.50 by check from {maria} on ")
    profile = staff_client.get(response["Location"]).content.decode()
    assert "$1,250.50 by check" in profile


def test_save_and_record_another_opens_a_fresh_form_with_this_gifts_campaign(staff_client, books):
    general, legal, spring, gala = books
    maria = SupporterFactory()
    data = _shown(staff_client, maria) | {"amount": "40", "campaign": gala.pk, "_another": "1"}
    response = staff_client.post(_url(maria), data)
    assert response.status_code == 302 and response["Location"] == _url(maria)
    form = staff_client.get(_url(maria)).context["form"]
    assert form["campaign"].value() == gala.pk and not form["amount"].value()


def test_a_check_number_is_kept_for_checks_only(staff_client, books):
    maria = SupporterFactory()
    data = _shown(staff_client, maria) | {"amount": "20", "method": "cash", "cheque_number": "7"}
    assert staff_client.post(_url(maria), data).status_code == 302
    assert Gift.objects.get().cheque_number == ""


@pytest.mark.parametrize(
    ("typed", "field", "said"),
    [
        ({"amount": ""}, "amount", "Type the amount of the gift."),
        ({"amount": "two fifty"}, "amount", "e.g. 250 or 250.50"),
        ({"amount": "12.345"}, "amount", "e.g. 250 or 250.50"),
        ({"amount": "0"}, "amount", "A gift must be more than zero."),
        ({"received_on": ""}, "received_on", "Give the date the gift was received."),
        ({"received_on": "2099-01-01"}, "received_on", "2099-01-01 is in the future."),
        ({"method": "in_kind"}, "in_kind_description", "needs a description of what was given"),
        ({"method": "stock", "stock_shares": "3"}, "stock_ticker", "needs the ticker symbol"),
        ({"method": "stock", "stock_ticker": "AAPL"}, "stock_shares", "number of shares"),
        ({"method": "stock", "stock_ticker": "$$$", "stock_shares": "3"}, "stock_ticker",
         "is not a ticker symbol"),
    ],
)  # fmt: skip
def test_bad_input_is_refused_by_its_field_and_nothing_is_saved(
    staff_client, books, typed, field, said
):
    maria = SupporterFactory()
    data = _shown(staff_client, maria) | {"amount": "250"} | typed
    response = staff_client.post(_url(maria), data)
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert list(errors) == [field] and said in errors[field][0]
    html = response.content.decode()
    assert "Nothing was saved" in html and said.split("'")[0] in html
    assert Gift.objects.count() == 0 and not DonorSummary.objects.filter(supporter=maria).exists()


def test_an_in_kind_gift_keeps_its_description_and_stock_its_shares(staff_client, books):
    maria = SupporterFactory()
    base = _shown(staff_client, maria)
    coats = {"amount": "300", "method": "in_kind", "in_kind_description": "Twelve winter coats"}
    stock = {"amount": "5000", "method": "stock", "stock_ticker": "brk.b", "stock_shares": "12.5"}
    for typed in (coats, stock):
        assert staff_client.post(_url(maria), base | typed).status_code == 302
    coats, shares = Gift.objects.order_by("pk")
    assert (coats.method, coats.in_kind_description) == ("in_kind", "Twelve winter coats")
    assert (shares.stock_ticker, shares.stock_shares) == ("BRK.B", Decimal("12.5"))


def test_board_member_can_neither_open_nor_post_the_form(board_client, books):
    maria = SupporterFactory()
    assert board_client.get(_url(maria)).status_code == 403
    assert board_client.post(_url(maria), {"amount": "5"}).status_code == 403
    profile = board_client.get(f"/admin/crm/supporter/{maria.pk}/change/").content.decode()
    assert "Record a gift" not in profile
    assert Gift.objects.count() == 0


def test_without_a_supporter_it_asks_who_gave_and_tells_namesakes_apart(staff_client, books):
    austin = SupporterFactory(first_name="Maria", last_name="Garcia", city="Austin", region="TX")
    paso = SupporterFactory(first_name="María", last_name="García", city="El Paso", region="TX")
    SupporterFactory(first_name="Ben", last_name="Okafor")
    page = staff_client.get("/admin/donations/gift/record/").content.decode()
    assert "Who gave?" in page and 'id="who-found"' not in page
    found = staff_client.get("/admin/donations/gift/record/?q=maria garcia").content.decode()
    assert f'href="?supporter={austin.pk}"' in found and f'href="?supporter={paso.pk}"' in found
    assert "Austin, TX" in found and "El Paso, TX" in found and "Okafor" not in found
    assert (
        "Nobody on file" in staff_client.get("/admin/donations/gift/record/?q=zzz").content.decode()
    )
    assert staff_client.get("/admin/donations/gift/record/?supporter=99999").status_code == 404


def test_the_staff_homes_button_opens_the_short_form(staff_client, books):
    home = staff_client.get("/admin/").content.decode()
    assert 'href="/admin/donations/gift/record/">Record a gift' in home


def test_the_full_change_form_still_edits_a_stripe_gift(staff_client, books):
    maria = SupporterFactory()
    gift = gift_record(
        entry=GiftEntry.from_values(
            {
                "supporter": maria,
                "amount": Decimal(60),
                "method": "card",
                "received_on": datetime.date(2026, 3, 2),
                "stripe_payment_intent_id": "pi_kept",
            }
        )  # fmt: skip
    )
    page = staff_client.get(f"/admin/donations/gift/{gift.pk}/change/")
    html = page.content.decode()
    assert page.status_code == 200 and "pi_kept" in html and "Record a refund" in html
    form = page.context["adminform"].form
    data = {k: getattr(v, "pk", v) for k, v in form.initial.items()
            if v is not None and k in form.fields}  # fmt: skip
    response = staff_client.post(f"/admin/donations/gift/{gift.pk}/change/",
                                 {**data, "notes": "Called to confirm"})  # fmt: skip
    assert response.status_code == 302
    gift.refresh_from_db()
    assert gift.notes == "Called to confirm" and gift.stripe_payment_intent_id == "pi_kept"
