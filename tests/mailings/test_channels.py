"""A letter by channel: `{% if channel == "print" %}` says one thing on paper and another in
the email; the printed letter keeps its reply slip on a one-page letter's sheet; a test email's
unsubscribe link and header stop nobody's mail."""

import io
import re
from decimal import Decimal
from urllib.parse import urlsplit

import pytest
from pypdf import PdfReader

from core.models import Organisation
from crm.models import ConsentEvent
from donations.models import DonorSummary
from mailings.demo_data import demo_letters_seed
from mailings.emails.rendering import render_email
from mailings.letters.merge_template import check_template
from mailings.letters.merge_values import recipients
from mailings.letters.rendering import compile_letter
from mailings.models import Letter
from mailings.printing.printed_letter import printed_letters_pdf
from tests.factories import SupporterFactory
from tests.mailings.letters import letter_with_versions
from tests.mailings.test_letter_pdf import runs

pytestmark = pytest.mark.django_db
BODY = (
    'Thank you.\n\n[Give online]({{ donate_url }}){% if channel == "print" %} or use the reply '
    "slip below{% else %} in two minutes{% endif %}."
)


def email_and_pdf_pages(letter: Letter, supporter) -> tuple:
    [recipient] = recipients(letter, [supporter])
    compiled = compile_letter(letter)[recipient.language]
    email = render_email(compiled, recipient.values, organisation=Organisation.current())
    pdf = printed_letters_pdf([(compiled, recipient.values, supporter)], letter=letter)
    pages = [" ".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(pdf)).pages]
    return email, pages, PdfReader(io.BytesIO(pdf)).pages


def typical_donor(**fields):
    person = SupporterFactory(address_line1="1177 Jefferson Ave", city="Houston", region="TX",
                              postal_code="77033", **fields)  # fmt: skip
    DonorSummary.objects.create(
        supporter=person, last_gift_amount=Decimal("150"), highest_gift=Decimal("250"),
        lifetime_total=Decimal("4710"), gift_count=9,
    )  # fmt: skip
    return person


def test_the_email_says_give_online_and_the_paper_points_to_the_reply_slip():
    letter = letter_with_versions(en={"body": BODY, "subject": "{% if channel == 'print' %}"
                                      "Paper{% else %}Online{% endif %} news"})  # fmt: skip
    email, pages, _ = email_and_pdf_pages(letter, SupporterFactory(address_line1="1 Elm St"))
    for part in (email.html, email.text):
        assert "reply slip" not in part and "in two minutes" in part
    assert email.subject == "Online news"
    text = " ".join(pages)
    assert "or use the reply slip below." in text and "in two minutes" not in text


def test_channel_is_a_merge_field_the_checks_allow_and_the_usual_hardening_holds():
    assert check_template('{% if channel == "print" %}slip{% else %}online{% endif %}') == []
    assert check_template("{{ channel }}") == []
    [dotted] = check_template("{{ channel.upper }}")
    assert "is not a merge field: a merge field is one word" in dotted.message
    [tag] = check_template('{% if channel == "print" %}{% load static %}{% endif %}')
    assert "is not allowed in letters" in tag.message


def test_the_composer_explains_the_channel_field(staff_client):
    letter = letter_with_versions()
    page = staff_client.get(f"/admin/mailings/letter/{letter.pk}/change/").content.decode()
    assert "{{ channel }}" in page and "if channel == &quot;print&quot;" in page


@pytest.fixture
def demo_letters():
    demo_letters_seed(seed=1)
    return {
        "anniversary": Letter.objects.get(appeal_code="anniv26"),
        "sanctuary": Letter.objects.get(appeal_code="sanct26"),
    }


@pytest.mark.parametrize("language", ["en", "es"])
@pytest.mark.parametrize("name", ["anniversary", "sanctuary"])
def test_the_demo_letters_mention_the_reply_slip_only_on_paper(demo_letters, name, language):
    slip = {"en": "reply slip", "es": "cupón de respuesta"}[language]
    email, pages, _ = email_and_pdf_pages(
        demo_letters[name], typical_donor(preferred_language=language)
    )
    assert slip not in email.html and slip not in email.text
    body_pages = " ".join(pages).split("✂")[0]  # the letter, not the slip itself
    assert slip in body_pages


@pytest.mark.parametrize("language", ["en", "es"])
def test_the_demo_sanctuary_letter_is_one_page_with_its_slip(demo_letters, language):
    _, texts, [page] = email_and_pdf_pages(
        demo_letters["sanctuary"], typical_donor(preferred_language=language)
    )
    slip = {"en": "Yes, I will help with a gift of:", "es": "Sí, ayudaré con una donación de:"}
    assert slip[language] in texts[0] and "$4,710" in texts[0]
    # The slip lies below the second fold and under the letter's last line.
    drawn = runs(page)
    cut = next(run.top for run in drawn if run.text.startswith("✂"))
    ps = next(run.bottom for run in drawn if run.text.startswith(("P.S.", "P.D.")))
    assert cut > 11 * 72 * 2 / 3 and ps < cut


def test_a_long_letter_gets_its_slip_whole_on_a_later_page(demo_letters):
    _, texts, pages = email_and_pdf_pages(demo_letters["anniversary"], typical_donor())
    assert len(texts) == 2
    assert "✂" not in texts[0] and "Yes, I will help" not in texts[0]
    for part in ("Please return this slip", "☐ Other $", "Mail to:", "Code: anniv26"):
        assert part in texts[1], part


def test_the_preview_says_how_many_pages_the_printed_letter_takes(staff_client, demo_letters):
    person = typical_donor()
    url = f"/admin/mailings/letter/{demo_letters['sanctuary'].pk}/preview/?supporter={person.pk}"
    page = staff_client.get(url).content.decode()
    assert 'Printed: <strong id="printed-pages">1 page</strong> with the reply slip' in page
    url = f"/admin/mailings/letter/{demo_letters['anniversary'].pk}/preview/?supporter={person.pk}"
    assert '<strong id="printed-pages">2 pages</strong>' in staff_client.get(url).content.decode()


def test_a_test_email_carries_an_unsubscribe_link_that_stops_nobody(staff_client, sent_mail):
    letter = letter_with_versions(en={"body": "Hello.\n\n[Unsubscribe]({{ unsubscribe_url }})"})
    ana = SupporterFactory(email="ana@example.org", email_opt_in="opted_in")
    response = staff_client.post(
        f"/admin/mailings/letter/{letter.pk}/send-test/?language=en&supporter={ana.pk}"
    )
    assert response.status_code == 302
    [message] = sent_mail()
    header = message.extra_headers["List-Unsubscribe"]
    link = re.search(r"<(http[^>]+/u/[^>]+/)>", header).group(1)
    html = message.alternatives[0][0]
    assert link in html and link in message.body
    path = urlsplit(link).path
    assert "This was a test email" in staff_client.get(path).content.decode()
    staff_client.post(path, {"List-Unsubscribe": "One-Click"})  # the mail client's button
    staff_client.post(path, {"scope": "all"})  # the page's button
    ana.refresh_from_db()
    assert ana.email_opt_in == "opted_in" and not ana.do_not_email
    assert not ConsentEvent.objects.filter(supporter=ana).exists()


def test_a_letter_without_a_subject_sends_no_test_and_says_why(staff_client, sent_mail):
    letter = letter_with_versions(en={"subject": ""})
    preview = staff_client.get(f"/admin/mailings/letter/{letter.pk}/preview/").content.decode()
    assert "the email has no subject line yet" in preview
    staff_client.post(f"/admin/mailings/letter/{letter.pk}/send-test/?language=en")
    assert sent_mail() == []
