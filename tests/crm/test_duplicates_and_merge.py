import pytest

from crm.models import ConsentEvent, NotDuplicate, Note, Supporter, SupporterMerge
from crm.selectors import duplicate_pairs
from crm.services import supporters_mark_not_duplicate, supporters_merge
from tests.factories import SupporterFactory, TagFactory

pytestmark = pytest.mark.django_db


def test_it_pairs_records_with_the_same_inbox():
    a = SupporterFactory(email="maria.lopez+news@gmail.com", first_name="Maria")
    b = SupporterFactory(email="marialopez@gmail.com", first_name="Mary", postal_code="90210")
    [pair] = duplicate_pairs()
    assert {pair.first, pair.second} == {a, b}
    assert pair.reasons == ("Same email",)


def test_it_pairs_same_name_and_postal_code_ignoring_accents_and_case():
    a = SupporterFactory(first_name="José", last_name="García", postal_code="10451")
    b = SupporterFactory(first_name="jose", last_name="GARCIA", postal_code="10451-2201")
    SupporterFactory(first_name="Jose", last_name="Garcia", postal_code="10001")
    [pair] = duplicate_pairs()
    assert {pair.first, pair.second} == {a, b}
    assert pair.reasons == ("Same name and postal code",)


def test_it_pairs_same_name_and_phone():
    a = SupporterFactory(
        first_name="Ana", last_name="Ruiz", phone="+1 (212) 555-0100", postal_code="10001"
    )
    b = SupporterFactory(
        first_name="Ana", last_name="Ruiz", phone="212.555.0100", postal_code="11368"
    )
    [pair] = duplicate_pairs()
    assert {pair.first, pair.second} == {a, b}
    assert pair.reasons == ("Same name and phone",)


def test_pairs_marked_as_different_people_are_left_out(staff):
    a = SupporterFactory(first_name="Ana", last_name="Ruiz", postal_code="10001")
    b = SupporterFactory(first_name="Ana", last_name="Ruiz", postal_code="10001")
    supporters_mark_not_duplicate(first=b, second=a, actor=staff)
    assert duplicate_pairs() == []
    assert NotDuplicate.objects.get().low == a


def test_a_merge_keeps_every_note_tag_consent_event_and_value_of_both(staff):
    volunteer, gala, monthly = (
        TagFactory(name="Volunteer"),
        TagFactory(name="Gala"),
        TagFactory(name="Monthly"),
    )
    keep = SupporterFactory(
        first_name="Maria", last_name="Lopez", email="maria@example.org", phone="", address_line2=""
    )
    other = SupporterFactory(
        first_name="Maria",
        last_name="Lopez",
        email="m.lopez@work.example",
        phone="212-555-0100",
        address_line2="Apt 4",
        do_not_mail=True,
        email_opt_in="opted_in",
    )
    keep.tags.add(volunteer, gala)
    other.tags.add(gala, monthly)
    Note.objects.create(supporter=keep, text="Keeps note")
    Note.objects.create(supporter=other, text="Other note")
    ConsentEvent.objects.create(
        supporter=other,
        field="email_opt_in",
        new_value="opted_in",
        method="web_form",
        source="website",
    )
    other_id = other.pk

    merge = supporters_merge(survivor=keep, other=other, actor=staff)

    keep.refresh_from_db()
    assert not Supporter.objects.filter(pk=other_id).exists()
    assert set(keep.tags.values_list("name", flat=True)) == {"Volunteer", "Gala", "Monthly"}
    texts = set(keep.notes.values_list("text", flat=True))
    assert {"Keeps note", "Other note"} <= texts
    assert any("m.lopez@work.example" in t for t in texts), "the other email is kept in a note"
    assert keep.consent_events.filter(method="web_form", source="website").exists()
    assert keep.phone == "212-555-0100" and keep.address_line2 == "Apt 4", "blanks filled"
    assert keep.email == "maria@example.org"
    assert keep.do_not_mail is True, "a 'no' from either record stands"
    assert keep.email_opt_in == "opted_in"
    assert merge.merged_snapshot["email"] == "m.lopez@work.example"
    assert merge.merged_snapshot["tags"] == ["Gala", "Monthly"]
    assert merge.moved == {"crm.Note": 1, "crm.ConsentEvent": 1}
    assert merge.merged_by == staff
    assert keep.history.first().history_change_reason == f"Merged with supporter #{other_id}"
    assert Supporter.history.filter(id=other_id, history_type="-").exists()


def test_a_merge_can_take_the_other_records_email_when_the_survivor_has_none(staff):
    keep = SupporterFactory(email="")
    other = SupporterFactory(email="only@example.org")
    supporters_merge(survivor=keep, other=other, actor=staff)
    keep.refresh_from_db()
    assert keep.email == "only@example.org"


def test_an_opt_out_on_either_record_wins():
    keep = SupporterFactory(email_opt_in="opted_in")
    other = SupporterFactory(email_opt_in="opted_out")
    supporters_merge(survivor=keep, other=other)
    keep.refresh_from_db()
    assert keep.email_opt_in == "opted_out"
    assert keep.consent_events.get(field="email_opt_in").method == "merge"


def test_a_record_cannot_be_merged_into_itself():
    supporter = SupporterFactory()
    with pytest.raises(ValueError, match="itself"):
        supporters_merge(survivor=supporter, other=supporter)
    assert SupporterMerge.objects.count() == 0


def test_a_failed_merge_changes_nothing(monkeypatch):
    from crm import services

    keep, other = SupporterFactory(phone=""), SupporterFactory(phone="212-555-0100")
    Note.objects.create(supporter=other, text="precious")
    monkeypatch.setattr(
        services.SupporterMerge.objects,
        "create",
        lambda **kw: (_ for _ in ()).throw(RuntimeError("crash")),
    )
    with pytest.raises(RuntimeError):
        supporters_merge(survivor=keep, other=other)
    other.refresh_from_db()
    keep.refresh_from_db()
    assert other.notes.get().text == "precious"
    assert keep.phone == ""


def test_staff_merge_through_the_admin_page(staff_client):
    a = SupporterFactory(first_name="Ana", last_name="Ruiz", postal_code="10001")
    b = SupporterFactory(first_name="Ana", last_name="Ruiz", postal_code="10001")
    listing = staff_client.get("/admin/crm/supporter/duplicates/")
    assert b"Same name and postal code" in listing.content
    url = f"/admin/crm/supporter/merge/{a.pk}/{b.pk}/"
    assert staff_client.get(url).status_code == 200
    response = staff_client.post(url, {"keep": b.pk})
    assert response.status_code == 302
    assert list(Supporter.objects.values_list("pk", flat=True)) == [b.pk]


def test_board_member_can_compare_but_not_merge(board_client):
    a = SupporterFactory(first_name="Ana", last_name="Ruiz", postal_code="10001")
    b = SupporterFactory(first_name="Ana", last_name="Ruiz", postal_code="10001")
    url = f"/admin/crm/supporter/merge/{a.pk}/{b.pk}/"
    page = board_client.get(url)
    assert page.status_code == 200 and b"Merge these records" not in page.content
    assert board_client.post(url, {"keep": a.pk}).status_code == 403
    assert board_client.post(url, {"not_duplicate": "1"}).status_code == 403
    assert Supporter.objects.count() == 2 and NotDuplicate.objects.count() == 0


def test_a_merge_moves_gifts_and_plans_and_recomputes_giving(staff):
    import datetime
    from decimal import Decimal

    from donations.models import DonorSummary, Gift
    from donations.summary import donor_summaries_refresh

    keep, other = SupporterFactory(), SupporterFactory()
    for supporter, amount in ((keep, "25.00"), (other, "100.00")):
        Gift.objects.create(
            supporter=supporter,
            amount=Decimal(amount),
            method="cheque",
            received_on=datetime.date(2026, 3, 1),
        )
    donor_summaries_refresh(supporter_ids=[keep.pk, other.pk])

    merge = supporters_merge(survivor=keep, other=other, actor=staff)

    assert Gift.objects.filter(supporter=keep).count() == 2
    assert merge.moved["donations.Gift"] == 1
    summary = DonorSummary.objects.get(supporter=keep)
    assert summary.lifetime_total == Decimal("125.00") and summary.highest_gift == Decimal("100")
    assert DonorSummary.objects.count() == 1
