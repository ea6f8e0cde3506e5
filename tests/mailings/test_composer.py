"""The letter composer in the admin: saving refuses bad merge text with its line; previews for
any supporter or sample values; a test email to yourself; board members only look."""

import pytest

from mailings.models import Letter
from tests.factories import SupporterFactory
from tests.mailings.letters import letter_with_versions

pytestmark = pytest.mark.django_db


def version_form(**fields):
    base = {
        "name": "Autumn appeal", "purpose": "appeal", "campaign": "", "appeal_code": "autumn26",
        "reply_slip": "on",
        "ask_base": "highest", "ask_multipliers": "1, 1.5, 2", "ask_floor": "25",
        "default_asks": "35, 50, 100",
        "versions-TOTAL_FORMS": "1", "versions-INITIAL_FORMS": "0",
        "versions-MIN_NUM_FORMS": "1", "versions-MAX_NUM_FORMS": "2",
        "versions-0-language": "en", "versions-0-subject": "Hello {{ first_name }}",
        "versions-0-preheader": "", "versions-0-banner": "", "versions-0-headline": "",
        "versions-0-salutation_line": "Dear {{ salutation }},",
        "versions-0-body": "We write.", "versions-0-closing": "With gratitude,",
        "versions-0-on_behalf_of": "", "versions-0-ps": "",
        "lettersignatory_set-TOTAL_FORMS": "0", "lettersignatory_set-INITIAL_FORMS": "0",
    }  # fmt: skip
    return {**base, **fields}


def test_staff_save_a_letter_and_a_bad_merge_field_is_refused_with_its_line(staff_client):
    bad = version_form(**{"versions-0-body": "Dear {{ salutation }},\n\n{{ supporter.delete }}"})
    response = staff_client.post("/admin/mailings/letter/add/", bad)
    page = response.content.decode()
    assert response.status_code == 200 and Letter.objects.count() == 0
    assert "Line 3: &#x27;supporter.delete&#x27; is not a merge field" in page
    good = staff_client.post("/admin/mailings/letter/add/", version_form())
    assert good.status_code == 302 and Letter.objects.get().versions.count() == 1


def test_the_composer_lists_the_merge_fields_and_marks_those_used(staff_client):
    letter = letter_with_versions()
    page = staff_client.get(f"/admin/mailings/letter/{letter.pk}/change/").content.decode()
    assert "{{ donate_url }}" in page and "Their personal donate link" in page
    assert page.count('class="used"') == len({"first_name", "ask_1", "donate_url",
                                               "last_gift_amount", "salutation"})  # fmt: skip


def test_preview_for_a_supporter_found_by_name_with_real_values(staff_client):
    letter = letter_with_versions()
    maria = SupporterFactory(first_name="Mariela", last_name="Quispe", email="mq@example.org")
    page = staff_client.get(f"/admin/mailings/letter/{letter.pk}/preview/?q=quispe")
    assert f"?supporter={maria.pk}" in page.content.decode()
    page = staff_client.get(f"/admin/mailings/letter/{letter.pk}/preview/?supporter={maria.pk}")
    assert "A spring letter for Mariela" in page.content.decode()
    email = staff_client.get(
        f"/admin/mailings/letter/{letter.pk}/preview-email/?supporter={maria.pk}"
    )
    assert "Dear Mariela," in email.content.decode()
    assert "default-src 'none'" in email["Content-Security-Policy"]
    assert email["X-Frame-Options"] == "SAMEORIGIN"


def test_preview_with_sample_values(staff_client):
    letter = letter_with_versions()
    email = staff_client.get(f"/admin/mailings/letter/{letter.pk}/preview-email/")
    assert "Dear Maria," in email.content.decode()


def test_send_a_test_email_to_yourself(staff_client, staff, sent_mail):
    letter = letter_with_versions()
    response = staff_client.post(f"/admin/mailings/letter/{letter.pk}/send-test/?language=en")
    assert response.status_code == 302
    [message] = sent_mail()
    assert message.to == [staff.email] and message.subject == "[TEST] A spring letter for Maria"
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "Dear Maria," in message.alternatives[0][0]


def test_a_board_member_may_preview_but_not_send(board_client, sent_mail):
    letter = letter_with_versions()
    assert board_client.get(f"/admin/mailings/letter/{letter.pk}/preview/").status_code == 200
    response = board_client.post(f"/admin/mailings/letter/{letter.pk}/send-test/")
    assert response.status_code == 403 and sent_mail() == []


def test_the_printed_letter_preview_is_a_pdf_for_the_chosen_supporter(staff_client):
    import io

    from pypdf import PdfReader

    letter = letter_with_versions()
    maria = SupporterFactory(first_name="Mariela", last_name="Quispe", address_line1="5 Oak Ave")
    response = staff_client.get(
        f"/admin/mailings/letter/{letter.pk}/preview.pdf?supporter={maria.pk}"
    )
    assert response["Content-Type"] == "application/pdf"
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages)
    assert "Dear Mariela," in text and "5 Oak Ave" in text and "{{" not in text


def test_a_test_email_for_a_real_supporter_fills_in_no_ones_donate_form(
    staff_client, staff, sent_mail
):
    letter = letter_with_versions()
    ana = SupporterFactory(first_name="Ana", email="ana@example.org")
    staff_client.post(
        f"/admin/mailings/letter/{letter.pk}/send-test/?language=en&supporter={ana.pk}"
    )
    [message] = sent_mail()
    assert message.subject == "[TEST] A spring letter for Ana"
    links = [part for part in message.body.split() if "/donate/" in part]
    assert links and all("appeal=spring26" in link for link in links)
    assert not any("t=" in link.split("?", 1)[1].split("&")[0] for link in links), links
