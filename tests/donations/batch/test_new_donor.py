"""A new donor added from the batch's dialog: created through the crm's service, with the
duplicate finder's rules asked first, and only by staff who may add supporters."""

import pytest

from crm.models import Supporter

pytestmark = pytest.mark.django_db
URL = "/admin/donations/gift/batch/new-donor/"


def _typed(**values: str) -> dict[str, str]:
    return {f"new-{name}": value for name, value in values.items()}


def test_staff_add_a_donor_and_get_them_back_to_pick(staff_client, staff, general):
    response = staff_client.post(
        URL,
        _typed(first_name="Ana", last_name="Ruiz", email="Ana.Ruiz@example.org", city="Waco",
               region="tx", postal_code="76701"),
    )  # fmt: skip
    assert response.status_code == 201
    ana = Supporter.objects.get()
    assert (ana.email, ana.region, ana.source) == ("ana.ruiz@example.org", "TX", "check batch")
    assert response.json()["donor"] == {
        "id": ana.pk,
        "name": "Ana Ruiz",
        "place": "Waco, TX",
        "email": "ana…@example.org",
        "last_gift": "no gifts yet",
        "details": "Waco, TX · ana…@example.org · no gifts yet",
    }
    assert ana.history.get().history_user == staff


def test_a_namesake_at_the_same_zip_is_offered_first_then_added_when_confirmed(
    staff_client, marias
):
    austin, _ = marias
    typed = _typed(first_name="Maria", last_name="Garcia", postal_code="78701", city="Austin")
    warned = staff_client.post(URL, typed)
    assert warned.status_code == 409
    body = warned.json()
    assert body["may_add"] is True
    assert [(m["id"], m["reasons"]) for m in body["matches"]] == [
        (austin.pk, ["Same name and postal code"])
    ]
    assert Supporter.objects.count() == 2
    added = staff_client.post(URL, {**typed, "new-confirmed": "True"})
    assert added.status_code == 201 and Supporter.objects.count() == 3


def test_a_used_email_is_never_added_twice_even_when_confirmed(staff_client, marias):
    austin, _ = marias
    typed = _typed(first_name="M", last_name="G", email="MARIA.GARCIA@gmail.com", confirmed="True")
    response = staff_client.post(URL, typed)
    assert response.status_code == 409
    assert response.json()["may_add"] is False
    assert [m["id"] for m in response.json()["matches"]] == [austin.pk]
    assert Supporter.objects.count() == 2


@pytest.mark.parametrize(
    ("typed", "field"),
    [
        ({"city": "Waco"}, "last_name"),  # no name at all
        ({"last_name": "Ruiz", "email": "not-an-email"}, "email"),
        ({"last_name": "Ruiz", "postal_code": "7670"}, "postal_code"),
    ],
)
def test_bad_input_is_refused_by_field_and_adds_nobody(staff_client, typed, field):
    response = staff_client.post(URL, _typed(**typed))
    assert response.status_code == 400
    assert field in response.json()["errors"]
    assert not Supporter.objects.exists()


def test_board_member_cannot_add_a_donor(board_client):
    response = board_client.post(URL, _typed(first_name="Ana", last_name="Ruiz"))
    assert response.status_code == 403
    assert not Supporter.objects.exists()


def test_adding_needs_a_post(staff_client):
    assert staff_client.get(URL).status_code == 405
