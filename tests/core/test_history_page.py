"""The history page speaks plainly: who made each change ('Changed by Ana Ruiz'), or what
did when no person did ('Created by an import (spring.csv)', 'Created by Stripe (online
giving)'), never 'None'; and what changed in words ('Opted in', not 'opted_in')."""

import datetime
from decimal import Decimal

import pytest
from django.contrib.auth.models import User

from crm import history
from crm.importing.supporters import supporters_import
from crm.models import Supporter
from donations.models import Gift
from donations.services import STRIPE, GiftEntry, gift_record
from tests.factories import SupporterFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def ana_staff(staff: User) -> User:
    staff.first_name, staff.last_name = "Ana", "Ruiz"
    staff.save()
    return staff


def page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_a_staff_change_names_the_person_and_the_words(staff_client, ana_staff):
    ben = SupporterFactory(first_name="Ben", last_name="Okafor")
    ben.email_opt_in = Supporter.EmailOptIn.OPTED_IN
    ben._history_user = ana_staff  # what simple-history's middleware sets on a staff save
    ben.save()
    text = page(staff_client, f"/admin/crm/supporter/{ben.pk}/history/")
    assert "Changed by Ana Ruiz" in text
    assert "Not asked → Opted in" in text
    assert "opted_in" not in text
    assert ">None<" not in text and "Created by the system" in text  # the factory's save


def test_an_import_says_so_with_its_file(staff_client):
    headers = ["First Name", "Last Name", "Email"]
    report = supporters_import(
        headers=headers, rows=[["Cruz", "Díaz", "cruz@example.org"]], dry_run=False,
        file_name="spring.csv",
    )  # fmt: skip
    assert report.written
    cruz = Supporter.objects.get(email="cruz@example.org")
    text = page(staff_client, f"/admin/crm/supporter/{cruz.pk}/history/")
    assert "Created by an import (spring.csv)" in text
    (change,) = history.recent_changes(cruz)
    assert change.who == "An import (spring.csv)"


def test_a_stripe_gift_says_stripe(staff_client):
    dee = SupporterFactory(first_name="Dee")
    entry = GiftEntry(
        supporter=dee, amount=Decimal("25"), received_on=datetime.date(2026, 11, 23),
        method=Gift.Method.CARD,
    )  # fmt: skip
    gift = gift_record(entry=entry, reason=STRIPE)
    text = page(staff_client, f"/admin/donations/gift/{gift.pk}/history/")
    assert "Created by Stripe (online giving)" in text
    assert ">None<" not in text
