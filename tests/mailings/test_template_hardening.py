"""Letter templates are staff-typed code that runs for every donor: quoted text in a merge tag
is escaped like any value (Django would print it raw), every filter argument is checked on save,
size and nesting have limits with plain messages, and a letter that saved always renders (its
preview answers with what to fix, never with a server error)."""

import io

import pytest
from pypdf import PdfReader

from core.models import Organisation
from mailings.emails.rendering import render_email
from mailings.letters.merge_template import MAX_CHARS, MAX_DEPTH
from mailings.letters.merge_values import recipients
from mailings.letters.rendering import compile_letter
from mailings.models import Letter, LetterVersion
from mailings.printing.printed_letter import printed_letters_pdf
from tests.factories import SupporterFactory
from tests.mailings.letters import letter_with_versions
from tests.mailings.test_composer import version_form

pytestmark = pytest.mark.django_db

SCRIPT = "<script>alert(1)</script>"
IMG = "<img src=x onerror=alert(2)>"
QUOTED_BODY = (
    f'Hello.\n\nA note: {{{{ "{SCRIPT}" }}}}\n\nFrom {{{{ first_name|default:"{IMG}" }}}}.'
)


def email_and_pdf(letter: Letter, **supporter: str) -> tuple:
    person = SupporterFactory(address_line1="1 Elm St", **supporter)
    [recipient] = recipients(letter, [person])
    compiled = compile_letter(letter)["en"]
    email = render_email(compiled, recipient.values, organisation=Organisation.current())
    pdf = printed_letters_pdf([(compiled, recipient.values, person)], letter=letter)
    reader = PdfReader(io.BytesIO(pdf))
    text = "\n".join(page.extract_text() for page in reader.pages)
    return email, " ".join(text.split()), sum(len(page.images) for page in reader.pages)


def test_quoted_text_in_a_tag_and_in_default_reaches_the_donor_escaped_in_email_and_pdf():
    letter = letter_with_versions(
        en={"body": QUOTED_BODY, "headline": f'{{{{ "{SCRIPT}" }}}}', "ps": f'{{{{ "{IMG}" }}}}'}
    )
    email, pdf_text, pdf_images = email_and_pdf(letter, first_name="")
    html = email.html.lower()
    assert "<script" not in html and "<img" not in html
    assert html.count("&lt;script&gt;alert(1)&lt;/script&gt;") == 2  # headline and body
    assert html.count("&lt;img src=x onerror=alert(2)&gt;") == 2  # body's |default and P.S.
    assert SCRIPT in email.text  # text/plain: the headline as typed
    # On paper the staff-typed markup is visible text, not an element that runs or loads.
    assert pdf_text.count(SCRIPT) == 2 and pdf_text.count(IMG) == 2 and pdf_images == 0


@pytest.mark.parametrize(
    ("argument", "message"),
    [
        ("ask_1.amount", "&#x27;ask_1.amount&#x27; is not a merge field: a merge field is one"),
        ("settings.SECRET_KEY", "&#x27;settings.SECRET_KEY&#x27; is not a merge field"),
        ("secret_key", "&#x27;secret_key&#x27; is not a merge field"),
    ],
)
def test_a_filter_argument_that_is_not_a_merge_field_is_refused_in_the_composer(
    staff_client, argument, message
):
    body = f"Dear friend,\n\nYou gave {{{{ last_gift_amount|default:{argument} }}}}."
    response = staff_client.post(
        "/admin/mailings/letter/add/", version_form(**{"versions-0-body": body})
    )
    page = response.content.decode()
    assert response.status_code == 200 and Letter.objects.count() == 0
    assert f"Line 3: In &#x27;|default:{argument}&#x27;, {message}" in page


def test_a_field_or_quoted_text_as_default_is_accepted(staff_client):
    body = "{{ first_name|default:salutation }} {{ first_name|default:'friend' }}"
    response = staff_client.post(
        "/admin/mailings/letter/add/", version_form(**{"versions-0-body": body})
    )
    assert response.status_code == 302 and Letter.objects.count() == 1


def test_a_thousand_nested_ifs_get_a_form_error_not_an_exception(staff_client):
    body = "Hello\n" + "{% if ask_1 %}" * 1000 + "deep" + "{% endif %}" * 1000
    response = staff_client.post(
        "/admin/mailings/letter/add/", version_form(**{"versions-0-body": body})
    )
    page = response.content.decode()
    assert response.status_code == 200 and Letter.objects.count() == 0
    assert "Line 2: {% if %} blocks are nested too deeply here" in page
    assert f"Nest at most {MAX_DEPTH}" in page


def test_an_oversize_body_gets_a_form_error_naming_the_line(staff_client):
    body = "\n".join(
        f"Line of the letter number {n:05d}, {{{{ first_name }}}}." for n in range(2000)
    )
    assert len(body) > MAX_CHARS
    response = staff_client.post(
        "/admin/mailings/letter/add/", version_form(**{"versions-0-body": body})
    )
    page = response.content.decode()
    assert response.status_code == 200 and Letter.objects.count() == 0
    line = body.count("\n", 0, MAX_CHARS) + 1
    assert f"Line {line}: The text is too long: {len(body):,} characters" in page


@pytest.mark.parametrize(
    "link",
    [
        '[Give]({{ "javascript:alert(1)" }})',
        '[Give]({{ donate_url|default:"javascript:alert(1)" }})',
        "[Give]({{ first_name }})",
        '<a href="{{ organisation_name }}">us</a>',
    ],
)
def test_a_link_whose_address_a_merge_tag_makes_is_refused(link):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as refused:
        letter_with_versions(en={"body": f"Please help.\n\n{link}"})
    [message] = refused.value.message_dict["body"]
    assert message.startswith("Line 3: A link's address cannot be made by '{{")


def test_links_to_the_donate_page_or_with_a_fixed_address_are_accepted():
    body = "[Give]({{ donate_url }}) or [read](https://example.org/?ask={{ ask_1 }})"
    letter = letter_with_versions(en={"body": body})
    email, _text, _images = email_and_pdf(letter, first_name="Ana")
    assert 'href="https://example.org/?ask=$' in email.html


BAD_SAVED_BODIES = {
    "dotted argument": "Dear {{ first_name|default:ask_1.amount }}, gift {{ ask_1.amount }}",
    "settings argument": "Dear {{ first_name|default:settings.SECRET_KEY }}",
    "nested ifs": "{% if ask_1 %}" * 1000 + "x" + "{% endif %}" * 1000,
    "unknown tag": "Hello {% load static %}",
}


def saved_unchecked(body: str) -> Letter:
    """A letter whose text skipped today's checks (saved by an older release, or a script)."""
    letter = letter_with_versions()
    LetterVersion.objects.filter(letter=letter).update(body=body)
    return letter


@pytest.mark.parametrize("body", BAD_SAVED_BODIES.values(), ids=BAD_SAVED_BODIES.keys())
def test_the_preview_of_a_letter_saved_with_bad_merge_text_says_what_to_fix(staff_client, body):
    letter = saved_unchecked(body)
    base = f"/admin/mailings/letter/{letter.pk}"
    page = staff_client.get(f"{base}/preview/")
    assert page.status_code == 200
    assert "Fix before sending: English version, body: Line 1:" in page.content.decode()
    for part in ("preview-email/", "preview.pdf"):
        response = staff_client.get(f"{base}/{part}")
        assert response.status_code == 200
        assert "cannot be shown until these are fixed" in response.content.decode()
    assert staff_client.get(f"{base}/change/").status_code == 200


def test_a_letter_saved_with_dotted_arguments_still_renders_and_reaches_nothing():
    letter = saved_unchecked(BAD_SAVED_BODIES["dotted argument"] + " {{ today|date:ask_1 }}")
    letter.versions.update(
        ps="Yours, {{ first_name|default:settings.SECRET_KEY }} {{ supporter.delete }}"
    )
    email, pdf_text, _images = email_and_pdf(letter, first_name="")
    assert "Dear friend, gift" not in email.html  # '' for the dotted parts, no exception
    assert "Dear , gift" in email.html and "Yours," in email.text and "Yours," in pdf_text


@pytest.mark.parametrize(
    ("name", "shown"),
    [
        (
            'Org {{ first_name|default:"<script>x</script>" }}',
            "Org &#123;{ first_name|default:&quot;&lt;script&gt;x&lt;/script&gt;&quot; }}",
        ),
        ("Org {% load static %} #2", "Org &#123;% load static %} #2"),
    ],
)
def test_staff_text_in_the_email_layout_is_text_not_merge_code(name, shown):
    organisation = Organisation.current()
    organisation.name = name
    organisation.save()
    email, _pdf_text, _images = email_and_pdf(letter_with_versions(), first_name="")
    assert shown in email.html and "<script" not in email.html  # reads as typed
    assert name in email.text


# The placeholders the three old copies of the tag set-aside used (Markdown, email layout, CSS
# inlining): typed by a writer, each was swapped for another tag or failed the letter.
LOOKALIKES = "zzmerge0zz zzmerge7zz zzkepttag0zz zzmergetag0zz"


def test_text_that_looks_like_a_set_aside_tag_is_printed_as_typed():
    letter = letter_with_versions(
        en={
            "body": f"Ref {LOOKALIKES} for {{{{ first_name }}}}.",
            "headline": "Code zzkepttag1zz",
        }
    )
    email, pdf_text, _images = email_and_pdf(letter, first_name="Maria")
    for word in [*LOOKALIKES.split(), "zzkepttag1zz"]:
        assert word in email.html and word in email.text and word in pdf_text
    assert f"Ref {LOOKALIKES} for Maria." in pdf_text


def test_merge_tags_set_aside_twice_come_back_each_where_it_was():
    from mailings.letters.content import MergeTagsSetAside

    outer, inner = MergeTagsSetAside(), MergeTagsSetAside()
    hidden = inner(outer("{{ a }} and ") + "{% if b %}x{% endif %}")
    assert "{" not in hidden
    assert outer.restore(inner.restore(hidden)) == "{{ a }} and {% if b %}x{% endif %}"
    assert inner.restore(outer.restore("typed zzmerge0zz")) == "typed zzmerge0zz"
