"""A letter's personal link may be forwarded: it credits the letter's supporter only when the
gift carries their own email, and it shows only their name and email, never their address."""

import urllib.request

import pytest

from crm.models import Supporter
from donations.models import Campaign, Fund, Gift, Receipt
from donations.online.tokens import make_donate_token
from tests.donations.donate_form import gift
from tests.factories import SupporterFactory

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("address_asked")]


@pytest.fixture(autouse=True)
def local_checkout(settings):
    settings.STRIPE_SECRET_KEY = ""
    general = Fund.objects.create(name="General", code="general", is_default=True)
    Campaign.objects.create(name="Spring appeal", code="spring26", fund=general)


def link(supporter: Supporter) -> str:
    return f"/donate/?t={make_donate_token(supporter.pk, 'spring26', [40, 80, 160])}"


def give(client, url: str, **fields) -> Gift:
    started = gift(client, url=url, amount="80", **fields)
    assert started.status_code == 302, started.content.decode()[:3000]
    client.post(started["Location"])  # 'Pay (test)': signed events reach the real webhook
    return Gift.objects.get()


def test_a_friend_on_the_link_of_a_supporter_with_no_email_is_credited_as_themselves(
    client, mailoutbox
):
    rosa = SupporterFactory(
        first_name="Rosa", last_name="Díaz", email="", address_line1="9 Oak Ave", city="Newark"
    )
    donation = give(
        client,
        link(rosa),
        first_name="Lena",
        last_name="Park",
        email="lena.park@example.org",
        address_line1="1 Pine Rd",
        city="Trenton",
        region="NJ",
        postal_code="08608",
    )
    assert donation.supporter != rosa
    assert donation.supporter.email == "lena.park@example.org"
    assert donation.supporter.address_line1 == "1 Pine Rd"
    assert donation.campaign.code == "spring26", "the appeal is still credited"
    rosa.refresh_from_db()
    assert rosa.email == "" and not Gift.objects.filter(supporter=rosa).exists()
    assert [m.to for m in mailoutbox] == [["lena.park@example.org"]]
    assert Receipt.objects.get().gift == donation


def test_the_letters_supporter_keeping_their_email_is_credited_and_keeps_the_address_on_file(
    client, mailoutbox
):
    ana = SupporterFactory(
        first_name="Ana",
        last_name="Ruiz",
        email="ana.ruiz@example.org",
        address_line1="3 Elm St",
        city="Corona",
        region="NY",
        postal_code="11368",
    )
    blank = {name: "" for name in ("address_line1", "city", "region", "postal_code")}
    donation = give(
        client, link(ana), first_name="Ana", last_name="Ruiz", email="ana.ruiz@example.org", **blank
    )
    assert donation.supporter == ana
    ana.refresh_from_db()
    assert (ana.address_line1, ana.city, ana.postal_code) == ("3 Elm St", "Corona", "11368")
    assert Supporter.objects.count() == 1
    assert [m.to for m in mailoutbox] == [["ana.ruiz@example.org"]]


def test_a_friend_who_changes_the_email_must_give_their_own_address(client):
    ana = SupporterFactory(
        email="ana.ruiz@example.org", address_line1="3 Elm St", city="Corona", postal_code="11368"
    )
    blank = {name: "" for name in ("address_line1", "city", "region", "postal_code")}
    page = gift(client, url=link(ana), amount="80", email="friend@example.org", **blank)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Enter your street address, for your receipt." in html
    assert "Enter your city." in html
    assert Gift.objects.count() == 0


def test_the_link_shows_only_name_and_email_and_is_never_cached(live_server):
    ana = SupporterFactory(
        first_name="Ana",
        last_name="Ruiz",
        email="ana.ruiz@example.org",
        address_line1="3 Elm St",
        address_line2="Apt 4B",
        city="Corona",
        region="NY",
        postal_code="11368",
    )
    with urllib.request.urlopen(f"{live_server.url}{link(ana)}", timeout=30) as response:  # noqa: S310
        html = response.read().decode()
        cache_control = response.headers["Cache-Control"]
    assert 'value="Ana"' in html and 'value="ana.ruiz@example.org"' in html
    for private in ("3 Elm St", "Apt 4B", "Corona", "11368"):
        assert private not in html
    assert "private" in cache_control and "no-store" in cache_control
