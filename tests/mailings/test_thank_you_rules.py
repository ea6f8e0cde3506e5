"""The thank-you rules choose each gift's letter: the first active rule, in the staff's order,
that fits (first gift, monthly, large gift, tribute, default), in the donor's language; the
letter is a composer letter whose gift merge fields are filled in; staff's own rules and
letters replace the defaults."""

import datetime
from decimal import Decimal

import pytest

from core.models import Organisation
from donations.acknowledgements.emails import thank_you_email
from donations.acknowledgements.queue import thanks_queue
from donations.models import Fund, Gift, RecurringGift
from mailings.models import Letter, LetterVersion
from mailings.thanks.defaults import thank_you_defaults_ensure
from mailings.thanks.models import ThankYouRule
from tests.factories import SupporterFactory

pytestmark = pytest.mark.django_db
DAY = datetime.date(2026, 3, 2)


@pytest.fixture(autouse=True)
def books(db, settings):
    settings.THANKS_LARGE_GIFT = 1000
    Fund.objects.create(name="General", code="general", is_default=True)
    Organisation.objects.update_or_create(pk=1, defaults={"name": "Immigrant Justice Project"})


def give(supporter=None, amount="50", on=DAY, **extra) -> Gift:
    supporter = supporter or SupporterFactory(email="donor@example.org")
    extra = {"method": "cheque", **extra}
    return Gift.objects.create(supporter=supporter, amount=Decimal(amount), received_on=on, **extra)


def chosen(gift: Gift) -> str:
    (row,) = [row for row in thanks_queue() if row.gift.pk == gift.pk]
    return row.choice.letter_name


def returning_donor():
    donor = SupporterFactory(email="back@example.org")
    give(donor, on=DAY - datetime.timedelta(days=400), acknowledgement="thanked")
    return donor


def test_a_first_gift_gets_the_welcome_letter():
    gift = give()
    assert chosen(gift) == "Thank-you: first gift"
    email = thank_you_email(gift, receipt_number="2026-000001")
    assert email.subject == "Welcome, and thank you for your gift to Immigrant Justice Project"
    assert "Thank you for your gift of $50 to Immigrant Justice Project. It is your" in email.text
    assert "Your receipt (2026-000001) is attached" in email.text


def test_a_returning_donor_gets_the_default_letter():
    gift = give(returning_donor(), amount="75")
    assert chosen(gift) == "Thank-you"
    assert "Thank you for your gift of $75 to" in thank_you_email(gift, receipt_number="1").text


def test_a_large_gift_gets_the_large_gift_letter_even_when_first(settings):
    gift = give(amount="1000")
    assert chosen(gift) == "Thank-you: large gift"
    settings.THANKS_LARGE_GIFT = 5000
    assert chosen(gift) == "Thank-you: first gift", "the threshold is a setting"


def test_a_monthly_gift_gets_the_monthly_letter_with_its_next_charge():
    donor = returning_donor()
    plan = RecurringGift.objects.create(
        supporter=donor, amount=Decimal(30), interval="month", status="active",
        next_charge_on=datetime.date(2026, 4, 2),
    )  # fmt: skip
    gift = give(donor, amount="30", recurring=plan)
    assert chosen(gift) == "Thank-you: monthly gift"
    email = thank_you_email(gift, receipt_number="1")
    assert email.subject == "Thank you for your monthly gift to Immigrant Justice Project"
    assert "Your next monthly gift of $30 will be charged on" in email.text
    later = give(donor, amount="30", recurring=plan, on=DAY + datetime.timedelta(days=31))
    assert "this month's installment" in thank_you_email(later, receipt_number="2").text


def test_a_tribute_gift_names_the_person_honored():
    gift = give(returning_donor(), tribute="memory", tribute_name="Rosa Díaz")
    assert chosen(gift) == "Thank-you: tribute gift"
    email = thank_you_email(gift, receipt_number="1")
    assert email.subject == "Thank you for your gift in memory of Rosa Díaz"


def test_a_spanish_donor_gets_the_spanish_version():
    donor = SupporterFactory(email="ana@example.org", preferred_language="es")
    gift = give(donor, amount="40")
    (row,) = thanks_queue()
    assert row.choice.language == "es"
    email = thank_you_email(gift, receipt_number="2026-000009")
    assert email.subject == "Bienvenido/a, y gracias por su donación a Immigrant Justice Project"
    assert "Gracias por su donación de $40 a Immigrant Justice Project" in email.text
    assert "Su recibo (2026-000009) va adjunto" in email.text


def test_a_stock_gift_is_described_never_valued():
    gift = give(returning_donor(), amount="9000", method="stock", stock_ticker="AAPL",
                stock_shares=Decimal(100))  # fmt: skip
    text = thank_you_email(gift, receipt_number="1").text
    assert "Thank you for your gift to Immigrant Justice Project: 100 shares of AAPL." in text
    assert "9,000" not in text and chosen(gift) == "Thank-you", "stock is never a 'large gift'"


def test_staff_order_and_letters_decide():
    thank_you_defaults_ensure()
    mine = Letter.objects.create(name="Board chair's note", purpose=Letter.Purpose.THANK_YOU)
    LetterVersion.objects.create(
        letter=mine, language="en", subject="From our board chair",
        body="Your {{ gift_amount }} on {{ gift_date|date:'F j, Y' }} means a great deal.",
    )  # fmt: skip
    ThankYouRule.objects.create(position=1, condition="any", letter=mine)
    gift = give(amount="20")
    assert chosen(gift) == "Board chair's note"
    email = thank_you_email(gift, receipt_number="1")
    assert email.subject == "From our board chair"
    assert "Your $20 on March 2, 2026 means a great deal." in email.text
    assert "Give" not in email.html and "nsubscribe" not in email.html, "no ask, no unsubscribe"


def test_a_gift_no_rule_fits_gets_the_built_in_wording():
    thank_you_defaults_ensure()
    ThankYouRule.objects.exclude(condition="large_gift").update(active=False)
    gift = give(amount="20")
    assert chosen(gift) == "Built-in wording (no rule applies)"
    assert "Thank you for your gift of $20.00" in thank_you_email(gift, receipt_number="1").text


def test_the_defaults_are_set_up_once():
    assert thank_you_defaults_ensure() == 5
    assert thank_you_defaults_ensure() == 0
    assert Letter.objects.filter(purpose="thank_you").count() == 5
    assert LetterVersion.objects.filter(letter__purpose="thank_you", language="es").count() == 5


def test_staff_reorder_the_rules_in_the_admin(staff_client):
    page = staff_client.get("/admin/mailings/thankyourule/").content.decode()
    assert "Thank-you rules" in page and "Thank-you: tribute gift" in page
    assert "$1,000.00 or more (THANKS_LARGE_GIFT)" in page
    first = ThankYouRule.objects.get(condition="first_gift")
    form = {"position": 1, "condition": "first_gift", "letter": first.letter_id, "active": "on"}
    response = staff_client.post(f"/admin/mailings/thankyourule/{first.pk}/change/", form)
    assert response.status_code == 302
    gift = give(amount="1500")
    assert chosen(gift) == "Thank-you: first gift", "now tried before the large-gift rule"


def test_the_board_sees_the_rules_but_cannot_change_them(board_client):
    assert board_client.get("/admin/mailings/thankyourule/").status_code == 200
    assert not ThankYouRule.objects.exists(), "a board member's visit sets nothing up"
    thank_you_defaults_ensure()  # as the first thank-you or a staff member's visit does
    assert board_client.get("/admin/mailings/thankyourule/").status_code == 200
    first = ThankYouRule.objects.get(condition="first_gift")
    form = {"position": 1, "condition": "first_gift", "letter": first.letter_id, "active": "on"}
    response = board_client.post(f"/admin/mailings/thankyourule/{first.pk}/change/", form)
    assert response.status_code == 403
    first.refresh_from_db()
    assert first.position == 40


def test_a_rule_takes_only_a_thank_you_letter(staff_client):
    thank_you_defaults_ensure()
    appeal = Letter.objects.create(name="Spring appeal")
    form = {"position": 5, "condition": "any", "letter": appeal.pk, "active": "on"}
    page = staff_client.post("/admin/mailings/thankyourule/add/", form).content.decode()
    assert "Select a valid choice" in page
    assert not ThankYouRule.objects.filter(letter=appeal).exists()


def test_a_letter_the_merge_checks_refuse_never_goes_out():
    thank_you_defaults_ensure()
    version = LetterVersion.objects.get(letter__name="Thank-you", language="en")
    LetterVersion.objects.filter(pk=version.pk).update(body="{{ supporter.delete }}")  # no clean()
    gift = give(returning_donor(), amount="20")
    text = thank_you_email(gift, receipt_number="1").text
    assert "Thank you for your gift of $20.00" in text, "the built-in wording instead"
