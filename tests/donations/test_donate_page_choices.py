"""The donate page as it opens: the amount already chosen, the address left to Stripe's page
unless the organisation asks for it (Organisation.donate_page_asks_address)."""

import re
from decimal import Decimal

import pytest

from core.models import Organisation
from crm.models import Supporter
from donations.models import Campaign, Fund
from donations.online.tokens import make_donate_token
from tests.donations.donate_form import gift

pytestmark = pytest.mark.django_db

NO_ADDRESS = {
    name: None
    for name in ("address_line1", "address_line2", "city", "region", "postal_code", "country")
}


@pytest.fixture(autouse=True)
def ledger(db):
    general = Fund.objects.create(name="General", code="general", is_default=True)
    Campaign.objects.create(name="Spring appeal", code="spring26", fund=general)


def checked_amount(page: str) -> list[str]:
    return re.findall(r'<input type="radio" name="amount" value="([^"]+)"[^>]*\bchecked\b', page)


def test_the_middle_rung_is_chosen_when_the_page_opens(client):
    assert checked_amount(client.get("/donate/").content.decode()) == ["50"]


def test_a_letters_ask_is_chosen_when_its_link_opens_the_page(client):
    ana = Supporter.objects.create(first_name="Ana", last_name="Ruiz", email="ana@example.org")
    token = make_donate_token(ana.pk, "spring26", [Decimal("40"), 80, 160])
    assert checked_amount(client.get(f"/donate/?t={token}").content.decode()) == ["40"]


def test_other_is_a_radio_whose_field_is_shown_only_once_chosen_without_script(client):
    page = client.get("/donate/").content.decode()
    assert re.search(r'<input type="radio" name="amount" value="other"', page)
    # The rule lives in the style sheet, so the page needs no script for it.
    assert ".amounts:not(:has(input[value=other]:checked)) .other" in page


def test_the_address_is_not_asked_by_default_and_stripe_takes_the_billing_address(
    client, stripe_api
):
    page = client.get("/donate/").content.decode()
    assert 'name="address_line1"' not in page and 'name="country"' not in page
    assert gift(client, **NO_ADDRESS).status_code == 302
    [request] = stripe_api.session_requests
    assert request.form["billing_address_collection"] == "required"
    assert not any(key.startswith("donor_address") for key in request.form["metadata"])


def test_an_organisation_that_needs_the_address_asks_for_it(client, stripe_api):
    Organisation.objects.update_or_create(pk=1, defaults={"donate_page_asks_address": True})
    page = client.get("/donate/").content.decode()
    assert 'name="address_line1"' in page and 'name="country"' in page
    response = gift(client, **NO_ADDRESS)
    assert response.status_code == 200
    assert "Enter your street address, for your receipt." in response.content.decode()
    assert stripe_api.session_requests == []
    assert gift(client).status_code == 302
    [request] = stripe_api.session_requests
    assert "billing_address_collection" not in request.form
    assert request.form["metadata"]["donor_address_line1"] == "12 Main St"


def test_the_tax_id_and_phone_do_not_break_on_a_phone(client):
    Organisation.objects.update_or_create(
        pk=1, defaults={"tax_id": "12-3456789", "phone": "(718) 555-0100"}
    )
    page = client.get("/donate/").content.decode()
    assert 'Tax ID (EIN) <span class="nowrap">12-3456789</span>' in page
    assert re.search(r'<a class="nowrap" href="tel:[^"]+">\(718\) 555-0100</a>', page)
