"""A letter's saved versions: every admin save that changes something is kept (none for an
unchanged save), two versions compare word by word, an old one restores in full, a letter or
saved version starts a new letter, and board members read but never restore or copy."""

import pytest
from django.core.exceptions import ValidationError

from donations.models import Campaign, Fund
from mailings.models import Letter, LetterSignatory, LetterVersion, Signatory
from mailings.revisions.models import LetterRevision
from mailings.revisions.services import (
    compare,
    record_revision,
    restore_revision,
    start_new_letter_from,
)
from mailings.revisions.snapshot import VERSION_FIELDS
from tests.mailings.letters import letter_with_versions

pytestmark = pytest.mark.django_db


def change_form(letter: Letter, **changes: str) -> dict:
    """The letter's admin change form as the browser posts it, with some fields changed."""
    data = {
        "name": letter.name, "purpose": letter.purpose, "campaign": letter.campaign_id or "",
        "appeal_code": letter.appeal_code, "ask_base": letter.ask_base,
        "ask_multipliers": letter.ask_multipliers, "ask_floor": str(letter.ask_floor),
        "default_asks": letter.default_asks,
    }  # fmt: skip
    if letter.reply_slip:
        data["reply_slip"] = "on"
    versions = list(letter.versions.order_by("language"))
    data |= {
        "versions-TOTAL_FORMS": str(len(versions)), "versions-INITIAL_FORMS": str(len(versions)),
        "versions-MIN_NUM_FORMS": "1", "versions-MAX_NUM_FORMS": "2",
    }  # fmt: skip
    for i, version in enumerate(versions):
        data[f"versions-{i}-id"] = version.pk
        data[f"versions-{i}-letter"] = letter.pk
        for field in ("language", "subject", "preheader", "banner", "headline",
                      "salutation_line", "body", "closing", "on_behalf_of", "ps"):  # fmt: skip
            data[f"versions-{i}-{field}"] = getattr(version, field)
    signers = list(letter.lettersignatory_set.order_by("position"))
    data |= {
        "lettersignatory_set-TOTAL_FORMS": str(len(signers)),
        "lettersignatory_set-INITIAL_FORMS": str(len(signers)),
    }
    for i, signs in enumerate(signers):
        data |= {
            f"lettersignatory_set-{i}-id": signs.pk, f"lettersignatory_set-{i}-letter": letter.pk,
            f"lettersignatory_set-{i}-signatory": signs.signatory_id,
            f"lettersignatory_set-{i}-position": signs.position,
        }  # fmt: skip
    return data | changes


def save_in_admin(client, letter: Letter, **changes: str) -> None:
    response = client.post(
        f"/admin/mailings/letter/{letter.pk}/change/", change_form(letter, **changes)
    )
    assert response.status_code == 302, response.context["errors"] if response.context else ""


@pytest.fixture
def letter(staff) -> Letter:
    letter = letter_with_versions()
    LetterSignatory.objects.create(
        letter=letter, signatory=Signatory.objects.create(name="Ana Ruiz", title="Director")
    )
    record_revision(letter, staff)
    return letter


def test_each_admin_save_that_changes_the_letter_is_kept_with_who_and_what(staff_client, letter):
    save_in_admin(staff_client, letter, **{"versions-0-body": "A new first paragraph."})
    save_in_admin(staff_client, letter, appeal_code="spring27", ask_floor="30")
    revisions = list(letter.revisions.order_by("number"))
    assert [r.number for r in revisions] == [1, 2, 3]
    assert revisions[1].saved_by.username == "dana"
    assert revisions[1].changes == "Changed Body (English)."
    assert revisions[1].snapshot["versions"]["en"]["body"] == "A new first paragraph."
    assert revisions[2].changes == "Changed Appeal code, Ask floor."
    assert revisions[2].snapshot["letter"]["ask_floor"] == "30.00"
    assert revisions[2].snapshot["signatories"][0]["name"] == "Ana Ruiz, Director"


def test_an_unchanged_save_keeps_no_new_version(staff_client, letter):
    save_in_admin(staff_client, letter)
    save_in_admin(staff_client, letter, ask_floor="25.0")  # the same amount, written otherwise
    assert letter.revisions.count() == 1


def test_a_letter_added_in_the_admin_starts_with_its_first_version(staff_client):
    from tests.mailings.test_composer import version_form

    assert staff_client.post("/admin/mailings/letter/add/", version_form()).status_code == 302
    [revision] = Letter.objects.get(name="Autumn appeal").revisions.all()
    assert revision.number == 1 and revision.changes == "First saved version."


def test_compare_marks_the_words_taken_out_and_put_in(staff, letter):
    version = letter.versions.get()
    version.body = "We write to you with news.\n\nThe court said no."
    version.save()
    newer = record_revision(letter, staff)
    fields = {f.label: f for f in compare(letter.revisions.get(number=1), newer)}
    body = fields["Body (English)"]
    assert body.changed and not fields["Subject (English)"].changed
    assert (
        "removed",
        "- Court support\n- A stronger **hotline**\n\n[Give {{ ask_1 }} today]({{ donate_url }})",
    ) in [(p.kind, p.text) for p in body.older]
    assert [(p.kind, p.text) for p in body.newer] == [
        ("same", "We write to you with news.\n\n"),
        ("added", "The court said no."),
    ]


def test_compare_marks_single_words_inside_a_sentence(staff, letter):
    version = letter.versions.get()
    version.headline = "Not without a long fight"
    version.save()
    newer = record_revision(letter, staff)
    headline = next(
        f for f in compare(letter.revisions.get(number=1), newer) if f.label == "Headline (English)"
    )
    assert [(p.kind, p.text) for p in headline.newer] == [
        ("same", "Not without a "),
        ("added", "long "),
        ("same", "fight"),
    ]


def test_restore_puts_settings_text_and_signatories_back_and_keeps_a_new_version(staff, letter):
    first = letter.revisions.get(number=1)
    version = letter.versions.get()
    version.body, version.subject = "Changed body.", "Changed subject"
    version.save()
    LetterVersion.objects.create(letter=letter, language="es", body="Hola.")
    letter.lettersignatory_set.all().delete()
    letter.appeal_code, letter.reply_slip = "other", False
    letter.save()
    record_revision(letter, staff)

    assert letter.revisions.get(number=2).changes == (
        "Changed Appeal code, Reply slip, Subject (English), Body (English), Signatories, in "
        "order. Added the Spanish version."
    )

    outcome = restore_revision(first, staff)
    letter.refresh_from_db()
    assert outcome.notes == []
    assert letter.appeal_code == "spring26" and letter.reply_slip is True
    assert [v.language for v in letter.versions.all()] == ["en"]
    assert letter.versions.get().body.startswith("We write to you with news.")
    assert letter.versions.get().subject == "A spring letter for {{ first_name }}"
    assert [str(s) for s in letter.signatories.all()] == ["Ana Ruiz, Director"]
    assert outcome.revision.number == 3
    assert outcome.revision.changes.startswith("Restored version 1: Changed ")
    assert outcome.revision.snapshot == {**first.snapshot}


def test_restore_says_in_words_what_was_deleted_since(staff, letter):
    fund = Fund.objects.create(name="General")
    campaign = Campaign.objects.create(name="Spring", code="spring", fund=fund)
    letter.campaign = campaign
    letter.save()
    with_campaign = record_revision(letter, staff)
    letter.campaign = None
    letter.save()
    signer = letter.signatories.get()
    letter.lettersignatory_set.all().delete()
    record_revision(letter, staff)
    campaign.delete()
    signer.delete()

    outcome = restore_revision(with_campaign, staff)
    letter.refresh_from_db()
    assert letter.campaign is None and not letter.signatories.exists()
    assert outcome.notes == [
        "The campaign “Spring (spring)” no longer exists, so the letter has no campaign now: "
        "choose one on the letter.",
        "The signatory “Ana Ruiz, Director” no longer exists, so the letter is signed without "
        "them: add a signatory on the letter if needed.",
    ]


def test_restore_refuses_text_the_checks_now_refuse_and_changes_nothing(staff, letter):
    first = letter.revisions.get(number=1)
    first.snapshot["versions"]["en"]["body"] = "{{ supporter.delete }}"
    first.save()
    version = letter.versions.get()
    version.body = "Kept."
    version.save()
    with pytest.raises(ValidationError):
        restore_revision(first, staff)
    assert letter.versions.get().body == "Kept." and letter.revisions.count() == 1


def test_start_a_new_letter_from_a_saved_version_with_its_settings_and_signatories(staff, letter):
    second = Signatory.objects.create(name="Ben Okafor")
    LetterSignatory.objects.create(letter=letter, signatory=second, position=1)
    letter.ask_multipliers = "1, 2, 3"
    letter.save()
    LetterVersion.objects.create(letter=letter, language="es", body="Querida amiga.")
    saved = record_revision(letter, staff)
    letter.versions.get(language="en").delete()

    copy = start_new_letter_from(saved, staff).letter
    assert copy.name == "Spring appeal (copy)"
    assert (copy.appeal_code, copy.ask_multipliers) == ("spring26", "1, 2, 3")
    assert [v.language for v in copy.versions.all()] == ["en", "es"]
    assert copy.versions.get(language="es").body == "Querida amiga."
    assert [s.name for s in copy.signatories.order_by("lettersignatory__position")] == [
        "Ana Ruiz",
        "Ben Okafor",
    ]
    assert copy.revisions.get().changes == (
        "Started from “Spring appeal”, version 2: First saved version."
    )
    assert start_new_letter_from(letter, staff).letter.name == "Spring appeal (copy 2)"
    assert start_new_letter_from(letter, staff, name="Autumn 2027").letter.name == "Autumn 2027"
    with pytest.raises(ValidationError, match="exists already"):
        start_new_letter_from(letter, staff, name="autumn 2027")


def test_staff_use_the_pages_to_list_compare_restore_and_start_a_new_letter(staff_client, letter):
    save_in_admin(staff_client, letter, **{"versions-0-headline": "Together we stand"})
    base = f"/admin/mailings/letter/{letter.pk}"
    page = staff_client.get(f"{base}/change/").content.decode()
    assert f"{base}/saved-versions/" in page and "Use as the start of a new letter" in page
    listing = staff_client.get(f"{base}/saved-versions/").content.decode()
    assert "Changed Headline (English)." in listing and "dana" in listing
    compared = staff_client.get(f"{base}/saved-versions/compare/?older=1&newer=2").content.decode()
    assert '<del><span class="visually-hidden">[removed: </span>Not without a fight' in compared
    assert '<ins><span class="visually-hidden">[added: </span>Together we stand' in compared
    bad = staff_client.get(f"{base}/saved-versions/compare/?older=1&newer=9")
    assert bad.status_code == 302
    confirm = staff_client.get(f"{base}/saved-versions/1/restore/").content.decode()
    assert "Yes, restore version 1" in confirm
    assert staff_client.post(f"{base}/saved-versions/1/restore/").status_code == 302
    assert letter.versions.get().headline == "Not without a fight"
    response = staff_client.post(f"{base}/new-letter-from/?version=2", {"name": "Fall appeal"})
    assert response.status_code == 302
    assert Letter.objects.get(name="Fall appeal").versions.get().headline == "Together we stand"
    taken = staff_client.post(f"{base}/new-letter-from/", {"name": "Fall appeal"})
    assert "exists already" in taken.content.decode()


def test_a_board_member_reads_and_compares_but_cannot_restore_or_copy(board_client, staff, letter):
    version = letter.versions.get()
    version.body = "Changed."
    version.save()
    record_revision(letter, staff)
    base = f"/admin/mailings/letter/{letter.pk}"
    assert board_client.get(f"{base}/saved-versions/").status_code == 200
    listing = board_client.get(f"{base}/saved-versions/").content.decode()
    assert "/restore/" not in listing and "new-letter-from" not in listing
    assert "Use as the start" not in board_client.get(f"{base}/change/").content.decode()
    assert board_client.get(f"{base}/saved-versions/compare/?older=1&newer=2").status_code == 200
    assert board_client.post(f"{base}/saved-versions/1/restore/").status_code == 403
    assert board_client.post(f"{base}/new-letter-from/", {"name": "Mine"}).status_code == 403
    assert letter.versions.get().body == "Changed."
    assert Letter.objects.count() == 1 and LetterRevision.objects.count() == 2


def test_an_outsider_sees_nothing(client, outsider, letter):
    client.force_login(outsider)
    response = client.get(f"/admin/mailings/letter/{letter.pk}/saved-versions/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_the_composer_save_keeps_a_version_and_an_unchanged_one_none(staff_client, letter):
    version = letter.versions.get()
    posted = {f"en-{name}": getattr(version, name) for name in VERSION_FIELDS}
    url = f"/admin/mailings/letter/{letter.pk}/compose/"
    assert staff_client.post(url, posted).status_code == 302
    assert letter.revisions.count() == 1
    assert (
        staff_client.post(url, posted | {"en-ps": "P.S. Written in the composer."}).status_code
        == 302
    )
    latest = letter.revisions.order_by("-number").first()
    assert (latest.number, latest.changes) == (2, "Changed P.S. (English).")
    assert latest.saved_by.username == "dana"


def test_the_letter_page_names_its_two_histories_apart(staff_client, letter):
    """Saved versions hold the letter's text; Django's own history only the admin's saves."""
    page = staff_client.get(f"/admin/mailings/letter/{letter.pk}/change/").content.decode()
    assert f'href="/admin/mailings/letter/{letter.pk}/saved-versions/">Saved versions</a>' in page
    assert f'href="/admin/mailings/letter/{letter.pk}/history/"' in page
    assert ">Change log</a>" in page and ">History</a>" not in page
    assert staff_client.get(f"/admin/mailings/letter/{letter.pk}/history/").status_code == 200


def test_a_long_history_is_listed_a_page_at_a_time_and_every_version_can_be_compared(
    staff_client, staff, letter
):
    first = letter.revisions.get()
    LetterRevision.objects.bulk_create(
        LetterRevision(
            letter=letter, number=n, saved_by=staff, snapshot=first.snapshot,
            changes=f"Change number {n}.",
        )
        for n in range(2, 61)
    )  # fmt: skip
    base = f"/admin/mailings/letter/{letter.pk}/saved-versions/"
    newest = staff_client.get(base).content.decode()
    assert "Change number 60." in newest and "Change number 11." in newest
    assert "Change number 10." not in newest
    assert "1 to 50 of 60" in newest and "Older versions →" in newest
    assert newest.count("what the letter says now</span>") == 1
    # The compare lists hold every version, on every page.
    assert newest.count('<option value="1"') == 2 and newest.count('<option value="60"') == 2
    oldest = staff_client.get(f"{base}?page=2").content.decode()
    assert "Change number 10." in oldest and "Change number 11." not in oldest
    assert "← Newer versions" in oldest and "what the letter says now</span>" not in oldest
    assert "Restore version 10…" in oldest and "Compare with version 9" in oldest
    assert "Compare with version 0" not in oldest
    # A page past the end or not a number shows the nearest page, not an error.
    assert "Change number 10." in staff_client.get(f"{base}?page=9").content.decode()
    assert "Change number 60." in staff_client.get(f"{base}?page=x").content.decode()
