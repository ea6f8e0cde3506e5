"""The batch's donor search (JSON): what it shows to tell namesakes apart, and who may ask."""

import pytest

from donations.deposits.batch.selectors import email_hint

pytestmark = pytest.mark.django_db
URL = "/admin/donations/gift/batch/donors/"


def test_two_donors_of_one_name_come_with_town_email_and_last_gift(staff_client, marias):
    austin, el_paso = marias
    found = staff_client.get(URL, {"q": "maria garcia"}).json()["results"]
    assert {donor["id"]: donor["details"] for donor in found} == {
        austin.pk: "Austin, TX · mar…@gmail.com · last gift $50.00 on March 2, 2026",
        el_paso.pk: "El Paso, TX · mga…@elpaso.example.org · no gifts yet",
    }


@pytest.mark.parametrize(
    ("typed", "expected"),
    [("garcía", {"austin", "el_paso"}), ("MGARCIA@", {"el_paso"}), ("austin-id", {"austin"})],
)
def test_it_finds_by_folded_name_email_or_id(staff_client, marias, typed, expected):
    people = dict(zip(("austin", "el_paso"), marias, strict=True))
    typed = str(people["austin"].pk) if typed == "austin-id" else typed
    found = staff_client.get(URL, {"q": typed}).json()["results"]
    assert {donor["id"] for donor in found} == {people[name].pk for name in expected}


def test_blank_search_finds_nobody(staff_client, marias):
    assert staff_client.get(URL, {"q": "  "}).json() == {"results": []}


def test_board_member_may_not_search(board_client, marias):
    assert board_client.get(URL, {"q": "garcia"}).status_code == 403


def test_a_visitor_is_sent_to_sign_in(client, marias):
    response = client.get(URL, {"q": "garcia"})
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_an_account_without_a_role_gets_nothing(client, outsider, marias):
    client.force_login(outsider)
    response = client.get(URL, {"q": "garcia"})
    assert response.status_code == 302 and b"Garcia" not in response.content


def test_search_answers_only_get(staff_client):
    assert staff_client.post(URL, {"q": "garcia"}).status_code == 405


@pytest.mark.parametrize(
    ("email", "hint"),
    [("maria.garcia@gmail.com", "mar…@gmail.com"), ("al@x.org", "al@x.org"), ("", "")],
)
def test_an_email_is_partly_hidden(email, hint):
    assert email_hint(email) == hint
