"""The emails a donor gets (thank-you with receipt, payment failed, tribute notice), in English
and Spanish: each has a real text part, its HTML passes axe-core's WCAG 2.0/2.1 A and AA rules
in chromium (alt text, contrast, language, title), and it comes from the sender staff named
for that language."""

import datetime
from decimal import Decimal

import pytest
from django.core.mail import EmailMultiAlternatives
from playwright.sync_api import Page

from core.models import Organisation
from donations.acknowledgements.emails import (
    payment_failed_notice_queue,
    thank_you_send,
    tribute_notice_send,
)
from donations.models import Fund, Gift, RecurringGift
from tests.e2e.conftest import AxeCheck
from tests.factories import SupporterFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
SENDERS = {
    "en": "Immigrant Justice Project <giving@example.org>",
    "es": "Proyecto de Justicia Inmigrante <giving@example.org>",
}


@pytest.fixture(autouse=True)
def organisation(db) -> Organisation:
    organisation, _ = Organisation.objects.update_or_create(
        pk=1,
        defaults={
            "name": "Immigrant Justice Project",
            "tax_id": "12-3456789",
            "address": "220 Broadway, Suite 1400\nNew York, NY 10038",
            "default_sender": SENDERS["en"],
            "default_sender_es": SENDERS["es"],
        },
    )
    return organisation


def emails_of(language: str, capture) -> list[EmailMultiAlternatives]:
    donor = SupporterFactory(
        first_name="Ana", last_name="Ruiz", email="ana@example.org", preferred_language=language
    )
    fund = Fund.objects.create(name="Legal defense", name_es="Defensa legal", code="legal")
    plan = RecurringGift.objects.create(supporter=donor, amount=Decimal("25"), status="active")
    gift = Gift.objects.create(
        supporter=donor,
        amount=Decimal("50"),
        received_on=datetime.date(2026, 11, 2),
        method="card",
        fund=fund,
        tribute="memory",
        tribute_name="Rosa Ruiz",
        tribute_notify_name="Elena Ruiz",
        tribute_notify_email="elena@example.org",
        tribute_notify_language=language,
    )
    with capture(execute=True):
        assert thank_you_send(gift_id=gift.pk)
        assert tribute_notice_send(gift_id=gift.pk)
        assert payment_failed_notice_queue(plan=plan, invoice_id="in_1")
    from django.core import mail

    return list(mail.outbox)


@pytest.mark.parametrize("language", ["en", "es"])
def test_donor_emails_have_text_parts_pass_axe_and_come_from_the_languages_sender(
    page: Page, axe_check: AxeCheck, language: str, django_capture_on_commit_callbacks
) -> None:
    messages = emails_of(language, django_capture_on_commit_callbacks)
    assert len(messages) == 3
    for message in messages:
        assert message.from_email == SENDERS[language]
        text = message.body.strip()
        assert len(text) > 80 and "<p" not in text and "{%" not in text, message.subject
        [(html, kind)] = message.alternatives
        assert kind == "text/html"
        page.set_content(html)
        axe_check(page, f"the email '{message.subject}' ({language})")
        assert page.locator("html").get_attribute("lang") == language
    if language == "es":
        subjects = " | ".join(m.subject for m in messages)
        assert "Gracias" in subjects or "gracias" in subjects, subjects


@pytest.mark.parametrize("language", ["en", "es"])
def test_an_appeal_email_passes_axe(page: Page, axe_check: AxeCheck, language: str) -> None:
    from mailings.emails.rendering import render_email
    from mailings.letters.merge_values import recipients
    from mailings.letters.rendering import compile_letter
    from mailings.models import LetterSignatory, Signatory
    from tests.mailings.letters import letter_with_versions

    letter = letter_with_versions(en={}, es={"subject": "Una carta", "body": "Le escribimos."})
    rosa = Signatory.objects.create(name="Rosa Diaz", title="Director", title_es="Directora")
    LetterSignatory.objects.create(letter=letter, signatory=rosa, position=0)
    donor = SupporterFactory(first_name="Ana", email="ana@example.org", preferred_language=language)
    [recipient] = recipients(letter, [donor])
    email = render_email(
        compile_letter(letter)[language], recipient.values, organisation=Organisation.current()
    )
    assert "Rosa Diaz" in email.text and "<p" not in email.text
    page.set_content(email.html)
    axe_check(page, f"an appeal email ({language})")
