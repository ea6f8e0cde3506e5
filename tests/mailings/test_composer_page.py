"""The composer page and its live preview: unsaved text checked with the line of each problem,
rendered as the email and the printed pages for a supporter or sample values, and saved for
every language at once or not at all. Board members read and preview, never save."""

import base64

import pytest

from mailings.models import Letter, LetterVersion
from tests.factories import SupporterFactory
from tests.mailings.letters import letter_with_versions

pytestmark = pytest.mark.django_db


def composer_url(letter: Letter, part: str = "") -> str:
    return f"/admin/mailings/letter/{letter.pk}/compose/{part}"


def posted(letter: Letter, **changes: str) -> dict[str, str]:
    """The composer's form as the browser sends it: every field of both languages."""
    data = {}
    versions = {v.language: v for v in letter.versions.all()}
    for language in ("en", "es"):
        version = versions.get(language)
        for name in ("subject", "preheader", "banner", "headline", "salutation_line", "body",
                     "closing", "on_behalf_of", "ps"):  # fmt: skip
            data[f"{language}-{name}"] = getattr(version, name) if version else ""
    return {**data, **changes}


def test_the_page_shows_each_language_the_fields_panel_and_the_preview(staff_client):
    letter = letter_with_versions(en={}, es={"body": "Le escribimos con noticias."})
    page = staff_client.get(composer_url(letter)).content.decode()
    assert "We write to you with news." in page and "Le escribimos con noticias." in page
    assert 'name="en-body"' in page and 'name="es-body"' in page
    assert "{{ first_name }}" in page and "Their personal donate link" in page
    assert 'id="email-frame"' in page and "Side by side" in page


def test_typed_text_is_previewed_as_the_email_before_it_is_saved(staff_client):
    letter = letter_with_versions()
    data = posted(letter, **{"en-body": "A **brand new** paragraph for {{ first_name }}."})
    answer = staff_client.post(composer_url(letter, "render/"), {**data, "language": "en"}).json()
    assert answer["problems"] == []
    assert "A <strong>brand new</strong> paragraph for Maria." in answer["email"]["html"]
    assert answer["email"]["subject"] == "A spring letter for Maria"
    assert LetterVersion.objects.get().body.startswith("We write to you")  # nothing saved


def problems_for(client, letter: Letter, body: str) -> list[dict]:
    answer = client.post(
        composer_url(letter, "render/"), {**posted(letter, **{"en-body": body}), "language": "en"}
    ).json()
    assert "email" not in answer  # nothing is rendered while the text has a problem
    return answer["problems"]


def test_a_problem_is_given_with_its_field_and_line_and_nothing_is_rendered(staff_client):
    letter = letter_with_versions()
    [unknown] = problems_for(staff_client, letter, "First line.\n\nHello {{ frist_name }}")
    assert (unknown["field"], unknown["label"], unknown["line"]) == ("body", "Body", 3)
    assert unknown["message"].startswith("'frist_name' is not a merge field. Did you mean")
    [unclosed] = problems_for(staff_client, letter, "One.\n{% if last_gift_amount %}\nThanks.")
    assert unclosed["field"] == "body" and unclosed["line"] == 2
    assert "endif" in unclosed["message"]


def test_the_preview_uses_the_chosen_supporters_values(staff_client):
    letter = letter_with_versions()
    supporter = SupporterFactory(first_name="Tomasa", last_name="Quispe", email="tq@example.org")
    data = {**posted(letter, **{"en-body": "Hi {{ first_name }}."}), "language": "en"}
    answer = staff_client.post(
        composer_url(letter, "render/"), {**data, "supporter": supporter.pk}
    ).json()
    assert "Hi Tomasa." in answer["email"]["html"]
    assert {"name": "first_name", "description": "First name.", "value": "Tomasa"} in answer[
        "fields"
    ]
    found = staff_client.get(composer_url(letter, "supporters/"), {"q": "Quispe"}).json()
    [match] = found["results"]
    assert match == {"id": supporter.pk, "name": str(supporter), "detail": "tq@example.org"}


def test_the_printed_preview_gives_each_page_as_an_image(staff_client):
    letter = letter_with_versions()
    long_body = "\n\n".join(f"Paragraph {n} of a long letter, " + "word " * 60 for n in range(14))
    data = {**posted(letter, **{"en-body": long_body}), "language": "en", "want": "print"}
    answer = staff_client.post(composer_url(letter, "render/"), data).json()
    assert answer["page_count"] == len(answer["pages"]) >= 2
    first = base64.b64decode(answer["pages"][0].removeprefix("data:image/png;base64,"))
    assert first.startswith(b"\x89PNG")
    # Under the pages: the envelope's verdict for the sample address (mailings.printing).
    [envelope] = [note for note in answer["print_notes"] if note["text"].startswith("#10")]
    assert envelope["level"] in ("ok", "warning") and "line" in envelope["text"]


def test_a_letter_one_line_onto_a_new_sheet_is_flagged_with_what_to_cut(staff_client):
    letter = letter_with_versions(en={"ps": "", "banner": "", "headline": ""})
    letter.reply_slip = False
    letter.save()

    def rendered(lines: int) -> dict:
        body = "\n\n".join(f"Line {n} of what we did together." for n in range(lines))
        data = {**posted(letter, **{"en-body": body, "en-closing": ""}), "language": "en"}
        return staff_client.post(composer_url(letter, "render/"), {**data, "want": "print"}).json()

    low, high = 1, 80  # the fewest one-line paragraphs that take two pages: one line over
    assert rendered(high)["page_count"] >= 2
    while low < high:
        middle = (low + high) // 2
        low, high = (low, middle) if rendered(middle)["page_count"] >= 2 else (middle + 1, high)
    answer = rendered(low)
    assert answer["page_count"] == 2
    texts = [note["text"] for note in answer["print_notes"] if note["level"] == "warning"]
    assert any(t.startswith("Runs one line onto page 2; shorten by") for t in texts), texts


def test_saving_writes_both_languages_and_creates_one_not_written_before(staff_client):
    letter = letter_with_versions()
    data = posted(
        letter,
        **{"en-body": "New English text.", "es-subject": "Hola {{ first_name }}",
           "es-salutation_line": "Estimado/a {{ salutation }}:", "es-body": "Texto nuevo."},
    )  # fmt: skip
    response = staff_client.post(composer_url(letter), data)
    assert response.status_code == 302
    versions = {v.language: v for v in letter.versions.all()}
    assert versions["en"].body == "New English text."
    [revision] = letter.revisions.all()  # the save is kept as a saved version, by whom
    assert revision.saved_by.username == "dana"
    assert versions["es"].body == "Texto nuevo."
    assert versions["es"].subject == "Hola {{ first_name }}"


def test_an_untouched_language_is_not_created(staff_client):
    letter = letter_with_versions()
    staff_client.post(composer_url(letter), posted(letter, **{"en-body": "Changed."}))
    assert list(letter.versions.values_list("language", flat=True)) == ["en"]


def test_a_save_with_a_problem_in_either_language_changes_nothing(staff_client):
    letter = letter_with_versions(en={}, es={})
    data = posted(
        letter, **{"en-body": "Fine English.", "es-body": "Línea uno\n{{ supporter.delete }}"}
    )
    response = staff_client.post(composer_url(letter), data)
    page = response.content.decode()
    assert response.status_code == 200 and "Nothing was saved" in page
    assert "Line 2: &#x27;supporter.delete&#x27; is not a merge field" in page
    assert "Fine English." in page  # what was typed is still there to fix
    assert not LetterVersion.objects.filter(body="Fine English.").exists()


def test_a_field_longer_than_it_may_be_is_refused_in_plain_words(staff_client):
    letter = letter_with_versions()
    data = {**posted(letter, **{"en-subject": "x" * 201}), "language": "en"}
    answer = staff_client.post(composer_url(letter, "render/"), data).json()
    assert answer["problems"] == [
        {"field": "subject", "label": "Subject", "line": 1,
         "message": "This is 201 characters; it can be at most 200."}
    ]  # fmt: skip


def test_board_members_read_and_preview_but_cannot_save(board_client):
    letter = letter_with_versions()
    page = board_client.get(composer_url(letter)).content.decode()
    assert "Read only" in page and 'id="save"' not in page and "readonly" in page
    data = {**posted(letter), "language": "en"}
    answer = board_client.post(composer_url(letter, "render/"), data)
    assert answer.status_code == 200
    assert "We write to you with news." in answer.json()["email"]["html"]
    refused = board_client.post(composer_url(letter), posted(letter, **{"en-body": "Board edit"}))
    assert refused.status_code == 403
    assert LetterVersion.objects.get().body.startswith("We write to you")


def test_an_unknown_language_is_refused(staff_client):
    letter = letter_with_versions()
    answer = staff_client.post(composer_url(letter, "render/"), {"language": "fr"})
    assert answer.status_code == 400 and answer.json() == {"error": "Unknown language."}


def test_the_letters_page_opens_the_composer(staff_client):
    letter = letter_with_versions()
    page = staff_client.get(f"/admin/mailings/letter/{letter.pk}/change/").content.decode()
    assert f'href="{composer_url(letter)}"' in page and "Open in the composer" in page
