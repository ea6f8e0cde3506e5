"""The paper gift method reads 'Check' (US English) wherever staff or donors see it, 'Cheque'
in Spanish, and is still stored as 'cheque'."""

import datetime
from decimal import Decimal

import pytest
from django.utils import translation

from donations.models import Fund, Gift
from donations.services import GiftEntry, gift_record
from tests.factories import SupporterFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def cheque(db) -> Gift:
    Fund.objects.create(name="General", code="general", is_default=True)
    return gift_record(
        entry=GiftEntry(
            supporter=SupporterFactory(),
            amount=Decimal("80.00"),
            received_on=datetime.date(2026, 3, 2),
            cheque_number="1042",
        )
    )


def test_the_method_is_stored_as_cheque_and_labelled_check_in_english_cheque_in_spanish(cheque):
    assert Gift.objects.filter(method="cheque").get() == cheque
    assert cheque.get_method_display() == "Check"
    with translation.override("es"):
        assert cheque.get_method_display() == "Cheque"


def test_the_admin_shows_check_on_the_gift_list_form_and_batch_screen(staff_client, cheque):
    listing = staff_client.get("/admin/donations/gift/").content.decode()
    assert "Enter a batch of checks" in listing and "Cheque" not in listing
    form = staff_client.get(f"/admin/donations/gift/{cheque.pk}/change/").content.decode()
    assert '<option value="cheque" selected>Check</option>' in form
    assert "Check number" in form and "Cheque" not in form
    batch = staff_client.get("/admin/donations/gift/batch/").content.decode()
    assert "Check no." in batch and "Record all checks" in batch
    assert "cheque" not in batch.replace("cheque_number", "").lower()
