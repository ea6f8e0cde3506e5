"""Two donors with gifts and receipts, and the steps a donor takes to sign in: ask for a link,
read it from the outbox row, open it and press the button."""

import datetime
import io
import re
from decimal import Decimal

import pytest
from django.test import Client
from pypdf import PdfReader

from core.models import Organisation, OutboxMessage
from donations.acknowledgements.receipts import receipt_issue
from donations.models import Fund, Gift, Receipt
from tests.factories import SupporterFactory

LINK = re.compile(r"https?://\S+/account/(?:sign-in|email/confirm)/[^/\s]+/\?lang=\w+")


@pytest.fixture(autouse=True)
def organisation(db):
    organisation = Organisation.current()
    organisation.name = "Immigrant Justice Project"
    organisation.tax_id = "12-3456789"
    organisation.save()
    return organisation


@pytest.fixture
def fund(db) -> Fund:
    return Fund.objects.create(name="Legal defense fund", code="legal", is_default=True)


def make_gift(supporter, fund, amount: str, day: datetime.date, **extra) -> Gift:
    return Gift.objects.create(
        supporter=supporter,
        amount=Decimal(amount),
        method="card",
        received_on=day,
        fund=fund,
        **extra,
    )


@pytest.fixture
def ana(fund):
    """A donor with two gifts last year, one receipted."""
    ana = SupporterFactory(first_name="Ana", last_name="Ruiz", email="ana@example.org")
    last_year = datetime.date.today().year - 1  # noqa: DTZ011 - a date well inside the year
    gift = make_gift(ana, fund, "120.00", datetime.date(last_year, 3, 5))
    make_gift(ana, fund, "35.00", datetime.date(last_year, 9, 1))
    receipt_issue(gift=gift)
    return ana


@pytest.fixture
def ben(fund):
    """Another donor, whose rows Ana must never reach."""
    ben = SupporterFactory(
        first_name="Ben", last_name="Okafor", email="ben@example.org", preferred_language="es"
    )
    last_year = datetime.date.today().year - 1  # noqa: DTZ011
    gift = make_gift(ben, fund, "987.00", datetime.date(last_year, 6, 7))
    receipt_issue(gift=gift)
    return ben


def receipt_of(supporter) -> Receipt:
    return Receipt.objects.get(gift__supporter=supporter)


def link_in_outbox(to: str) -> str:
    """The link in the newest message queued to `to`, as the donor would read it."""
    message = OutboxMessage.objects.filter(to_email=to).latest("pk")
    return LINK.search(message.text_body).group(0)


def path_of(url: str) -> str:
    return "/" + url.split("://", 1)[1].split("/", 1)[1]


def sign_in(client: Client, email: str) -> None:
    """Ask for a link, open it, press Sign in."""
    client.post("/account/", {"email": email})
    url = path_of(link_in_outbox(email))
    client.post(url)


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
