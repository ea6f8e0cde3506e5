import datetime
from decimal import Decimal

import pytest

from donations.models import Campaign, Fund
from donations.services import GiftEntry, gift_record
from tests.factories import SupporterFactory


@pytest.fixture
def general(db) -> Fund:
    return Fund.objects.create(name="General", code="general", is_default=True)


@pytest.fixture
def legal(db) -> Fund:
    return Fund.objects.create(name="Legal defense", code="legal")


@pytest.fixture
def spring(db) -> Campaign:
    return Campaign.objects.create(name="Spring appeal", code="spring26")


@pytest.fixture
def marias(db, general):
    """Two donors of one name: Maria Garcia of Austin (gave $50 in March) and María García of
    El Paso (no gifts yet)."""
    austin = SupporterFactory(
        first_name="Maria", last_name="Garcia", email="maria.garcia@gmail.com",
        city="Austin", region="TX", postal_code="78701",
    )  # fmt: skip
    el_paso = SupporterFactory(
        first_name="María", last_name="García", email="mgarcia@elpaso.example.org",
        city="El Paso", region="TX", postal_code="79901",
    )  # fmt: skip
    march = datetime.date(2026, 3, 2)
    gift_record(entry=GiftEntry(supporter=austin, amount=Decimal("50"), received_on=march))
    return austin, el_paso
