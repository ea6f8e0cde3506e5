"""Appeal emails: both parts, the headers, the personal link, and sanitised content."""

import datetime
import re
from decimal import Decimal
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from core.models import Organisation
from donations.models import Gift
from donations.online.tokens import read_donate_token
from donations.summary import donor_summaries_refresh
from mailings.emails.rendering import render_email
from mailings.letters.merge_values import read_unsubscribe_token, recipients
from mailings.letters.rendering import compile_letter
from mailings.models import LetterVersion
from tests.factories import SupporterFactory
from tests.mailings.letters import letter_with_versions

pytestmark = pytest.mark.django_db


def email_for(letter, supporter):
    [recipient] = recipients(letter, [supporter])
    compiled = compile_letter(letter)[recipient.language]
    return render_email(compiled, recipient.values, organisation=Organisation.current())


@pytest.fixture
def donor():
    donor = SupporterFactory(first_name="Ana", last_name="Ruiz", email="ana@example.org")
    Gift.objects.create(
        supporter=donor, amount=Decimal("120"), method="cheque",
        received_on=timezone.localdate() - datetime.timedelta(days=40),
    )  # fmt: skip
    donor_summaries_refresh(supporter_ids=[donor.pk])
    return donor


def test_an_email_has_both_parts_headers_and_the_donors_own_link(donor):
    email = email_for(letter_with_versions(), donor)
    assert email.subject == "A spring letter for Ana"
    assert "Dear Ana," in email.text and "Dear Ana," in email.html
    assert "Court support" in email.text and re.search(r"<li[^>]*>Court support</li>", email.html)
    assert "Give $125 today" in email.text and "$120 mattered" in email.text
    assert "{{" not in email.html + email.text and "{%" not in email.html + email.text
    assert "Your gift of $125 keeps the hotline open" in email.html, "the preheader"
    assert 'style="' in email.html, "CSS is inlined"
    link = re.search(r'href="(http://127\.0\.0\.1:8000/donate/\?[^"]+)"', email.html).group(1)
    query = parse_qs(urlsplit(link.replace("&amp;", "&")).query)
    token = read_donate_token(query["t"][0])
    assert token.supporter_id == donor.pk and token.appeal_code == "spring26"
    assert token.ask_amounts == (Decimal(125), Decimal(175), Decimal(250))
    assert query["appeal"] == ["spring26"], "links carry the appeal code"
    unsubscribe = re.search(r"<(http[^>]+/u/([^/>]+)/)>", email.headers["List-Unsubscribe"])
    assert read_unsubscribe_token(unsubscribe.group(2)).supporter_id == donor.pk
    assert "mailto:giving@example.org" in email.headers["List-Unsubscribe"]
    assert email.headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert unsubscribe.group(1) in email.html and unsubscribe.group(1) in email.text


def test_a_spanish_speaker_gets_the_spanish_version_and_others_fall_back_to_english(donor):
    letter = letter_with_versions(
        en={}, es={"subject": "Una carta para {{ first_name }}", "body": "Le escribimos."}
    )
    donor.preferred_language = "es"
    donor.save()
    email = email_for(letter, donor)
    assert email.subject == "Una carta para Ana" and "Le escribimos." in email.text
    assert '<html lang="es">' in email.html
    english = email_for(letter, SupporterFactory(first_name="Bo", preferred_language="en"))
    assert english.subject == "A spring letter for Bo"


def test_someone_with_no_name_and_no_gifts_is_dear_friend_with_the_default_ladder():
    nobody = SupporterFactory(
        first_name="", last_name="", organisation_name="", email="x@example.org"
    )
    email = email_for(letter_with_versions(), nobody)
    assert "Dear friend," in email.text
    assert "Give $35 today" in email.text and "— mattered" in email.text


@pytest.mark.parametrize(
    "body",
    [
        "<script>alert('x')</script>Hello",
        '<img src="file:///etc/passwd">Hello',
        "[metadata](http://169.254.169.254/latest/meta-data/) Hello",
        '<a href="javascript:alert(1)">x</a> Hello',
        '<iframe src="https://evil.example"></iframe>Hello',
    ],
)
def test_staff_html_is_sanitised(donor, body):
    email = email_for(letter_with_versions(en={"body": body}), donor)
    html = email.html.lower()
    assert "<script" not in html and "alert(" not in html and "<iframe" not in html
    assert "file://" not in html and "<img" not in html and "javascript:" not in html
    assert "hello" in html


def test_a_letter_with_an_unknown_field_is_not_saved():
    letter = letter_with_versions()
    version = LetterVersion(letter=letter, language="es", subject="Hola {{ nombre }}", body="x")
    with pytest.raises(ValidationError) as error:
        version.full_clean()
    assert "Line 1: 'nombre' is not a merge field" in str(error.value.message_dict["subject"])


def test_a_spanish_couple_is_greeted_in_spanish_and_dollars_keep_their_commas():
    from mailings.letters.merge_fields import Money
    from mailings.letters.merge_template import render

    couple = SupporterFactory(first_name="Carlos", partner_first_name="Pedro", last_name="Moreno",
                              preferred_language="es")  # fmt: skip
    letter = letter_with_versions(en={}, es={"body": "Gracias. {{ ask_3 }}"})
    [recipient] = recipients(letter, [couple])
    assert recipient.values["salutation"] == "Carlos y Pedro"
    assert render("{{ x }}", {"x": Money(1000)}, html=False, language="es") == "$1,000"


def test_seed_demo_writes_two_bilingual_letters_and_their_mailings(settings):
    from django.core.management import call_command

    from mailings.models import Letter, Mailing

    call_command("seed_demo", supporters=30, seed=1)
    assert set(Mailing.objects.values_list("slug", flat=True)) == {
        "demo-anniversary", "demo-sanctuary", "demo-anniversary-email", "demo-sanctuary-email"
    }  # fmt: skip
    sent = Mailing.objects.get(slug="demo-anniversary-email")
    assert sent.status == Mailing.Status.SENT and sent.deliveries.exists()
    assert not sent.tests_subjects, "30 supporters are too few for a subject test"
    assert Mailing.objects.get(slug="demo-sanctuary-email").status == Mailing.Status.DRAFT
    for letter in Letter.objects.all():
        assert set(letter.versions.values_list("language", flat=True)) == {"en", "es"}
        for version in letter.versions.all():
            version.full_clean()  # every merge field in the demo text is valid
    call_command("seed_demo", supporters=30, seed=1)
    assert Letter.objects.filter(purpose="appeal").count() == 2, "a second run adds nothing"
    assert Letter.objects.filter(purpose="thank_you").count() == 5, "the thank-you letters too"
    assert Mailing.objects.count() == 4


def test_conditions_and_literal_text_survive_the_one_time_css_inlining(donor):
    letter = letter_with_versions(
        en={
            "preheader": "Tom & Jerry's <b>news</b> for {{ first_name }}",
            "body": "{% if ask_1 > 50 %}Big hearts & {{ first_name }}{% else %}Small{% endif %}",
        }
    )
    email = email_for(letter, donor)
    assert "Tom &amp; Jerry's &lt;b&gt;news&lt;/b&gt; for Ana" in email.html
    assert "Big hearts &amp; Ana" in email.html and "Big hearts & Ana" in email.text
    assert "{%" not in email.html and "&gt; 50" not in email.html


def test_links_to_our_own_sites_carry_the_appeal_code(donor):
    organisation = Organisation.current()
    organisation.website = "https://immigrantjustice.example"
    organisation.save()
    body = ("[our work](https://immigrantjustice.example/work?x=1) "
            "[the law](https://congress.example/bill) [give]({{ donate_url }})")  # fmt: skip
    email = email_for(letter_with_versions(en={"body": body}), donor)
    assert 'href="https://immigrantjustice.example/work?x=1&amp;appeal=spring26"' in email.html
    assert 'href="https://congress.example/bill"' in email.html, "others' links as written"
    assert email.html.count("appeal=spring26") >= 3  # ours, the donate link, and its button


def test_a_personal_link_typed_as_text_is_a_short_link_not_a_long_token(donor):
    body = (
        "Please give today at {{ donate_url }}.\n\n"
        "Change what we send at {{preferences_url}}, or [give here]({{ donate_url }})."
    )
    email = email_for(letter_with_versions(en={"body": body}), donor)
    visible = re.sub(r"<[^>]+>", "", email.html)
    assert "?t=" not in visible, "no signed token in the text a reader sees"
    given = re.search(
        r'at <a href="(http://127\.0\.0\.1:8000/donate/\?t=[^"]+)"[^>]*>([^<]+)</a>\.', email.html
    )
    assert given and given.group(2) == "127.0.0.1:8000/donate"
    token = parse_qs(urlsplit(given.group(1).replace("&amp;", "&")).query)["t"][0]
    assert read_donate_token(token).supporter_id == donor.pk
    assert re.search(
        r'<a href="http://127\.0\.0\.1:8000/u/[^"]+"[^>]*>your email preferences</a>', email.html
    )
    assert re.search(r'<a href="[^"]+"[^>]*>give here</a>', email.html), "a written link is kept"
    assert 'href="<a' not in email.html, "a tag inside a link's address is left alone"
    assert "/donate/?t=" in email.text, "the text part keeps the whole address"


@pytest.mark.parametrize(
    ("person", "greeting"),
    [
        ({"title": "Sr.", "first_name": "Ricardo", "last_name": "García"}, "Estimado Ricardo:"),
        ({"title": "Sra.", "first_name": "María", "last_name": "Cruz"}, "Estimada María:"),
        ({"title": "Ms.", "first_name": "Ana", "last_name": "Ruiz"}, "Estimada Ana:"),
        ({"first_name": "Alex", "last_name": "Ruiz"}, "Estimado/a Alex:"),  # no title to go by
        ({"first_name": "Carlos", "partner_first_name": "Diego", "last_name": "Moreno"},
         "Estimados Carlos y Diego:"),
        ({"title": "Sra.", "first_name": "María", "partner_title": "Srta.",
          "partner_first_name": "Lupe", "last_name": "Cruz"}, "Estimadas María y Lupe:"),
        ({"first_name": "", "last_name": ""}, "Estimado/a amigo/a:"),
    ],
)  # fmt: skip
def test_a_spanish_greeting_agrees_with_the_reader(person, greeting):
    reader = SupporterFactory(email="r@example.org", preferred_language="es", **person)
    letter = letter_with_versions(
        en={}, es={"salutation_line": "{{ dear }} {{ salutation }}:", "body": "Gracias."}
    )
    email = email_for(letter, reader)
    assert f">{greeting}</p>" in email.html and greeting in email.text


def test_an_english_reader_is_dear_whatever_their_title():
    reader = SupporterFactory(title="Sra.", first_name="María", email="m@example.org")
    letter = letter_with_versions(en={"salutation_line": "{{ dear }} {{ salutation }},"})
    assert ">Dear María,</p>" in email_for(letter, reader).html
