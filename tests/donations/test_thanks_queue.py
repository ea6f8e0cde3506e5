"""Gifts > To thank: the queue of gifts not yet thanked, emailed with receipts, printed as
letters for donors without email, or marked; board members only look."""

import datetime
import io
from decimal import Decimal

import pytest
from django.utils import timezone
from pypdf import PdfReader

from core.models import Organisation
from donations.models import Fund, Gift
from tests.factories import SupporterFactory

pytestmark = pytest.mark.django_db
URL = "/admin/donations/gift/to-thank/"


@pytest.fixture
def gifts(db):
    Fund.objects.create(name="General", code="general", is_default=True)
    organisation = Organisation.current()
    organisation.name = "Immigrant Justice Project"
    organisation.save()
    day = datetime.date(2026, 3, 2)
    emailed = SupporterFactory(first_name="Ana", last_name="Ruiz", email="ana@example.org")
    paper = SupporterFactory(first_name="José", last_name="Núñez", email="",
                             address_line1="9 Elm St", city="Bronx", postal_code="10451",
                             preferred_language="es")  # fmt: skip
    gone = SupporterFactory(first_name="Old", last_name="Friend", email="", deceased=True)

    def gift(supporter, amount, **extra):
        return Gift.objects.create(
            supporter=supporter, amount=Decimal(amount), method="cheque", received_on=day,
            **{"acknowledgement": "pending", **extra},
        )  # fmt: skip

    return {
        "email": gift(emailed, "50"),
        "letter": gift(paper, "300"),
        "check": gift(gone, "20"),
        "thanked": gift(emailed, "10", acknowledgement="thanked"),
        "refunded": gift(emailed, "15", status="refunded", amount_refunded=Decimal(15)),
        "failed": gift(emailed, "25", status="failed"),
    }


def test_the_queue_lists_gifts_to_thank_with_how_each_will_be_thanked(staff_client, gifts):
    page = staff_client.get(URL).content.decode()
    for key in ("email", "letter", "check"):
        assert f'value="{gifts[key].pk}"' in page
    for key in ("thanked", "refunded", "failed"):
        assert f'value="{gifts[key].pk}"' not in page
    assert "No email: print a letter." in page and "Deceased" in page
    assert "3 gifts</strong>, $370.00 in all" in page
    only_letters = staff_client.get(URL + "?route=letter").content.decode()
    assert f'value="{gifts["letter"].pk}"' in only_letters
    assert f'value="{gifts["email"].pk}"' not in only_letters


def test_emailing_thanks_those_with_email_and_keeps_the_rest(
    staff_client, gifts, mailoutbox, django_capture_on_commit_callbacks
):
    ids = [gifts["email"].pk, gifts["letter"].pk]
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(URL, {"gift": ids, "action": "email"}, follow=True)
    page = response.content.decode()
    assert "1 thank-you email(s) sent" in page and "1 gift(s) were not emailed" in page
    [message] = mailoutbox
    assert message.to == ["ana@example.org"] and message.attachments[0][2] == "application/pdf"
    gifts["email"].refresh_from_db()
    gifts["letter"].refresh_from_db()
    assert gifts["email"].acknowledgement == "thanked"
    assert gifts["letter"].acknowledgement == "pending"


def test_letters_are_one_pdf_then_marked_thanked_once_mailed(staff_client, gifts):
    response = staff_client.post(URL, {"gift": [gifts["letter"].pk], "action": "letters"})
    assert response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert "José Núñez" in text and "9 Elm St" in text and "$300.00" in text, "its receipt"
    assert "Gracias por su donación de $300" in text, "in the donor's language"
    gifts["letter"].refresh_from_db()
    receipt = gifts["letter"].receipts.get()
    assert receipt.number in text
    assert gifts["letter"].acknowledgement == "pending", "downloading is not mailing"

    staff_client.post(URL, {"gift": [gifts["letter"].pk], "action": "letter"})
    staff_client.post(URL, {"gift": [gifts["check"].pk], "action": "not_needed"})
    gifts["letter"].refresh_from_db()
    gifts["check"].refresh_from_db()
    assert gifts["letter"].acknowledgement == "thanked"
    assert gifts["letter"].history.first().history_change_reason == "Thanked by printed letter"
    assert gifts["check"].acknowledgement == "not_needed"


def test_each_letter_starts_its_own_page_followed_by_its_receipt(staff_client, gifts):
    other = SupporterFactory(first_name="Rosa", last_name="Diaz", email="", address_line1="1 Oak")
    extra = Gift.objects.create(supporter=other, amount=40, method="cash",
                                received_on=datetime.date(2026, 3, 3))  # fmt: skip
    response = staff_client.post(URL, {"gift": [gifts["letter"].pk, extra.pk], "action": "letters"})
    pages = [p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages]
    assert len(pages) == 4
    assert "Núñez" in pages[0] and "Gracias por su donación de $300" in pages[0]
    assert "Recibo oficial de donación" in pages[1] and "Núñez" in pages[1]
    assert "Rosa Diaz" in pages[2] and "Thank you for your gift of $40" in pages[2]
    assert "Official donation receipt" in pages[3] and "Rosa Diaz" in pages[3]


def test_nothing_ticked_gets_a_clear_message(staff_client, gifts):
    page = staff_client.post(URL, {"action": "email"}, follow=True).content.decode()
    assert "Tick at least one gift first." in page


def test_a_board_member_sees_the_queue_but_cannot_act(board_client, gifts, mailoutbox):
    assert board_client.get(URL).status_code == 200
    for action in ("email", "letters", "letter", "not_needed"):
        response = board_client.post(URL, {"gift": [gifts["email"].pk], "action": action})
        assert response.status_code == 403
    gifts["email"].refresh_from_db()
    assert gifts["email"].acknowledgement == "pending" and mailoutbox == []


def test_overdue_gifts_come_first_flagged_with_their_age_first_and_large_gifts_flagged(
    staff_client, gifts, settings
):
    settings.THANKS_OVERDUE_HOURS = 48
    big = SupporterFactory(first_name="Lena", last_name="Big", email="lena@example.org")
    today = timezone.localdate()
    large = Gift.objects.create(supporter=big, amount=Decimal(2500), method="cheque",
                                received_on=today)  # fmt: skip
    page = staff_client.get(URL).content.decode()
    assert page.index(f'id="gift-{gifts["email"].pk}"') < page.index(f'id="gift-{large.pk}"')
    row = page[page.index(f'id="gift-{large.pk}"') :].split("</tr>")[0]
    assert "Large gift" in row and "First gift" in row and "Overdue" not in row
    assert "Thank-you: large gift" in row
    old = page[page.index(f'id="gift-{gifts["email"].pk}"') :].split("</tr>")[0]
    assert 'class="overdue"' in old and "Overdue" in old
    assert "3 overdue</span> waiting over 48 hours" in page
    assert "1 large gift</span> ($1,000.00 or more)" in page


def test_the_preview_shows_the_letter_in_the_donors_language_and_issues_nothing(
    board_client, gifts
):
    gift = gifts["letter"]  # José, in Spanish, no email
    page = board_client.get(f"{URL}?preview={gift.pk}").content.decode()
    assert "Thank-you: first gift" in page
    assert "(rule: The donor&#x27;s first gift; Spanish)" in page
    assert "Bienvenido/a, y gracias por su donación a Immigrant Justice Project" in page
    email = board_client.get(f"{URL}?preview={gift.pk}&part=email")
    assert "Gracias por su donación de $300 a Immigrant Justice Project" in email.content.decode()
    assert (
        email["X-Frame-Options"] == "SAMEORIGIN"
        and "default-src 'none'" in email["Content-Security-Policy"]
    )
    letter = board_client.get(f"{URL}?preview={gift.pk}&part=pdf")
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(letter.content)).pages)
    assert "Gracias por su donación de $300" in text and "9 Elm St" in text
    assert not gift.receipts.exists(), "a preview issues no receipt"
    gone = board_client.get(f"{URL}?preview={gifts['thanked'].pk}", follow=True)
    assert "no longer waiting for its thank-you" in gone.content.decode()
