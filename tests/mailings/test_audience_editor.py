"""The audience editor in the admin and the JSON behind its live count."""

import pytest
from django.urls import reverse

from mailings.audiences.models import Audience
from tests.factories import SupporterFactory, TagFactory

pytestmark = pytest.mark.django_db
ADD = reverse("admin:mailings_audience_add")
PREVIEW = reverse("admin:mailings_audience_preview")


def change_url(audience: Audience) -> str:
    return reverse("admin:mailings_audience_change", args=[audience.pk])


def test_staff_create_an_audience_from_the_editor(staff_client):
    friend = TagFactory(name="Friend")
    response = staff_client.get(ADD)
    assert response.status_code == 200
    assert "Has any of these tags" in response.text and "Who this reaches today" in response.text
    response = staff_client.post(
        ADD,
        {
            "name": "Spanish friends",
            "tags_any": [friend.pk],
            "language": "es",
            "regions": "ca, ny",
            "lybunt": "on",
            "highest_min": "25",
            "_save": "Save",
        },
    )
    assert response.status_code == 302
    audience = Audience.objects.get()
    assert audience.criteria == {
        "tags_any": [friend.pk],
        "language": "es",
        "regions": ["CA", "NY"],
        "lybunt": True,
        "highest_min": "25",
    }
    page = staff_client.get(change_url(audience))
    assert 'value="CA, NY"' in page.text and 'name="lybunt" id="id_lybunt" checked>' in page.text


def test_a_bad_criterion_is_shown_beside_its_field_and_nothing_is_saved(staff_client):
    response = staff_client.post(
        ADD, {"name": "Bad", "gave_from": "2026-05-01", "gave_to": "2026-01-01"}
    )
    assert response.status_code == 200
    assert not Audience.objects.exists()
    field = response.text.split('data-field="gave_to"', 1)[1].split('data-field="lybunt"')[0]
    assert "This date is before ‘Gave on or after’." in field


def test_staff_save_and_keep_editing_stays_on_the_page(staff_client):
    audience = Audience.objects.create(name="Old", criteria={"language": "es"})
    response = staff_client.post(
        change_url(audience), {"name": "New", "language": "en", "_continue": "1"}
    )
    assert response["Location"] == change_url(audience)
    audience.refresh_from_db()
    assert (audience.name, audience.criteria) == ("New", {"language": "en"})


def test_board_member_sees_the_audience_read_only(board_client):
    audience = Audience.objects.create(name="Spanish", criteria={"language": "es"})
    response = board_client.get(change_url(audience))
    assert response.status_code == 200
    assert "You can view this audience, not change it." in response.text
    assert 'name="name" value="Spanish" maxlength="120" required disabled' in response.text
    assert 'value="Save"' not in response.text


def test_board_member_cannot_edit_or_add(board_client):
    audience = Audience.objects.create(name="Spanish", criteria={"language": "es"})
    response = board_client.post(change_url(audience), {"name": "Mine", "language": "en"})
    assert response.status_code == 403
    assert board_client.get(ADD).status_code == 403
    audience.refresh_from_db()
    assert audience.name == "Spanish"


def test_outsider_is_sent_to_sign_in(client, outsider):
    client.force_login(outsider)
    assert client.get(ADD).status_code == 302
    assert client.post(PREVIEW, {}).status_code == 302


def test_the_json_gives_the_count_exclusions_and_preview_of_unsaved_criteria(staff_client):
    SupporterFactory(first_name="Ana", last_name="Alvarez", preferred_language="es")
    SupporterFactory(first_name="Ben", last_name="Zamora", preferred_language="es", deceased=True)
    SupporterFactory(first_name="Cy", preferred_language="en")
    response = staff_client.post(PREVIEW, {"language": "es"})
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2
    assert body["channels"]["email"]["recipients"] == 1
    assert body["channels"]["print"]["excluded"][0] == {
        "reason": "deceased",
        "label": "Deceased",
        "count": 1,
    }
    assert body["preview"][0]["name"] == "Ana Alvarez"
    assert body["preview"][0]["place"] == "New York, NY"
    assert body["preview"][0]["last_gift"] == ""
    assert not Audience.objects.exists()


def test_the_json_answers_bad_criteria_with_messages_by_field(staff_client):
    response = staff_client.post(PREVIEW, {"country": "USA", "lapsed_months": "soon"})
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert errors["country"][0]["message"] == "Use the two-letter country code, e.g. US or MX."
    assert errors["lapsed_months"][0]["message"] == "Enter a whole number."


def test_the_json_refuses_a_loop_through_the_audience_being_edited(staff_client):
    first = Audience.objects.create(name="First", criteria={})
    second = Audience.objects.create(name="Second", criteria={"include_audiences": [first.pk]})
    response = staff_client.post(
        PREVIEW, {"audience_id": first.pk, "include_audiences": [second.pk]}
    )
    assert response.status_code == 400
    message = response.json()["errors"]["include_audiences"][0]["message"]
    assert message.startswith("That would make a loop: this audience → Second → this audience.")


def test_board_member_sees_the_live_count_too(board_client):
    SupporterFactory()
    response = board_client.post(PREVIEW, {})
    assert response.status_code == 200 and response.json()["count"] == 1


def test_the_json_needs_a_post(staff_client):
    assert staff_client.get(PREVIEW).status_code == 405


def test_an_audience_others_use_cannot_be_deleted(staff_client):
    used = Audience.objects.create(name="Donors", criteria={"has_plan": True})
    Audience.objects.create(name="Monthly Spanish", criteria={"include_audiences": [used.pk]})
    url = reverse("admin:mailings_audience_delete", args=[used.pk])
    response = staff_client.post(url, {"post": "yes"})
    assert "Monthly Spanish" in response.text
    assert Audience.objects.filter(pk=used.pk).exists()


def test_the_list_links_to_the_editor(staff_client):
    audience = Audience.objects.create(name="Spanish", criteria={"language": "es"})
    response = staff_client.get(reverse("admin:mailings_audience_changelist"))
    assert change_url(audience) in response.text
