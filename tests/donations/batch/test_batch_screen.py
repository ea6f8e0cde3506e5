"""The batch screen through the Django test client: who may use it, errors shown on their
rows with everything typed kept, and the no-JavaScript way of choosing a donor."""

import datetime
from decimal import Decimal

import pytest
from django.contrib.staticfiles import finders

from donations.models import Gift
from tests.factories import SupporterFactory

pytestmark = pytest.mark.django_db
URL = "/admin/donations/gift/batch/"


def _post(client, rows: list[dict], **batch: str):
    data = {
        "deposit-deposit_date": "2026-03-06",
        "rows-TOTAL_FORMS": str(len(rows)),
        "rows-INITIAL_FORMS": "0",
        **{f"deposit-{name}": value for name, value in batch.items()},
    }
    for number, row in enumerate(rows):
        data.update({f"rows-{number}-{name}": value for name, value in row.items()})
    return client.post(URL, data)


def test_the_page_loads_its_script_as_a_same_origin_file(staff_client):
    page = staff_client.get(URL)
    assert page.status_code == 200
    assert b'<script src="/static/donations/batch.js" defer></script>' in page.content
    assert b"<script>" not in page.content  # nothing inline
    assert finders.find("donations/batch.js") and finders.find("donations/batch.css")


def test_board_member_cannot_open_or_save_a_batch(board_client, general):
    donor = SupporterFactory()
    assert board_client.get(URL).status_code == 403
    response = _post(board_client, [{"supporter": donor.pk, "amount": "10"}])
    assert response.status_code == 403
    assert not Gift.objects.exists()


def test_errors_show_on_their_rows_and_nothing_typed_is_lost(staff_client, general, marias):
    austin, el_paso = marias
    response = _post(
        staff_client,
        [
            {"supporter": austin.pk, "donor": "Maria Garcia", "amount": "250",
             "cheque_number": "5520"},
            {"supporter": el_paso.pk, "donor": "María García", "amount": "100",
             "received_on": "2026-03-09"},
            {"amount": "40"},
        ],
        reference="Slip 9",
    )  # fmt: skip
    assert response.status_code == 200
    assert Gift.objects.count() == 1  # only the fixture's earlier gift
    rows = response.content.decode().split('<tr class="batch-row')[1:4]
    assert "batch-row-errors" not in rows[0] and 'value="5520"' in rows[0]
    assert "Received after the deposit date." in rows[1] and 'value="2026-03-09"' in rows[1]
    assert f'value="{el_paso.pk}"' in rows[1] and "El Paso, TX" in rows[1]
    assert "Who is this check from?" in rows[2] and 'value="40"' in rows[2]
    assert 'value="Slip 9"' in response.content.decode()


def test_without_javascript_a_typed_name_asks_which_donor_then_saves_the_one_chosen(
    staff_client, general, marias
):
    austin, el_paso = marias
    asked = _post(staff_client, [{"donor": "garcia", "amount": "100"}])
    page = asked.content.decode()
    assert "Choose which donor this check is from." in page
    assert f'name="rows-0-supporter" value="{el_paso.pk}"' in page
    assert "El Paso, TX · mga…@elpaso.example.org · no gifts yet" in page
    assert "Austin, TX · mar…@gmail.com · last gift $50.00 on March 2, 2026" in page
    assert Gift.objects.count() == 1

    saved = _post(staff_client, [{"donor": "garcia", "supporter": el_paso.pk, "amount": "100"}])
    assert saved.status_code == 302
    assert el_paso.gifts.get().amount == Decimal("100.00")


def test_a_typed_id_picks_that_donor(staff_client, general, marias):
    _, el_paso = marias
    response = _post(staff_client, [{"donor": f"#{el_paso.pk}", "amount": "35"}])
    assert response.status_code == 302
    assert el_paso.gifts.get().deposit_date == datetime.date(2026, 3, 6)


def test_an_unknown_name_says_so(staff_client, general):
    response = _post(staff_client, [{"donor": "Nobody Atall", "amount": "5"}])
    assert "No donor matches “Nobody Atall”." in response.content.decode()


def test_add_a_row_without_javascript_keeps_the_rows_and_saves_nothing(staff_client, marias):
    austin, _ = marias
    response = staff_client.post(
        URL,
        {
            "deposit-deposit_date": "2026-03-06",
            "rows-TOTAL_FORMS": "1",
            "rows-INITIAL_FORMS": "0",
            "rows-0-supporter": austin.pk,
            "rows-0-amount": "20",
            "add_row": "1",
        },
    )
    page = response.content.decode()
    assert 'name="rows-TOTAL_FORMS" value="2"' in page and 'name="rows-1-amount"' in page
    assert 'name="rows-0-amount" value="20"' in page
    assert Gift.objects.count() == 1
