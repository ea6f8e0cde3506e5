"""Stock and in-kind gifts entered by staff: the admin's gift form and the gift import keep the
same rules as the gifts service (stock: ticker and shares; in kind: a description)."""

import datetime
from decimal import Decimal

import pytest

from crm.models import Supporter
from donations.imports.gifts import gifts_import
from donations.models import Fund, Gift

pytestmark = pytest.mark.django_db

ADD_URL = "/admin/donations/gift/add/"
HEADERS = ["Email", "Amount", "Date", "Method", "Ticker", "Shares", "Date given", "Description"]


@pytest.fixture(autouse=True)
def general(db):
    return Fund.objects.create(name="General", code="general", is_default=True)


@pytest.fixture
def ana(db):
    return Supporter.objects.create(first_name="Ana", last_name="Ruiz", email="ana@example.org")


def test_a_stock_gift_is_imported_with_ticker_shares_and_date_given(ana):
    rows = [
        ["ana@example.org", "18,734.50", "2026-03-09", "stock", "brk.b", "1,250.5", "03/06/2026",
         "Berkshire Hathaway class B"],
        ["ana@example.org", "900", "2026-03-10", "in kind", "", "", "", "Twelve winter coats"],
    ]  # fmt: skip
    report = gifts_import(headers=HEADERS, rows=rows, dry_run=False)
    assert report.written, [r.errors for r in report.invalid_rows]
    stock, coats = Gift.objects.order_by("received_on")
    assert (stock.method, stock.stock_ticker, stock.stock_shares, stock.given_on) == (
        "stock", "BRK.B", Decimal("1250.5"), datetime.date(2026, 3, 6),
    )  # fmt: skip
    assert stock.in_kind_description == "Berkshire Hathaway class B"
    assert stock.amount == Decimal("18734.50"), "the recorded value is kept for reports"
    assert (coats.in_kind_description, coats.stock_ticker, coats.stock_shares) == (
        "Twelve winter coats", "", None,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({4: ""}, "A stock gift needs the ticker symbol"),
        ({5: ""}, "A stock gift needs the number of shares"),
        ({5: "0"}, "The number of shares must be more than zero."),
        ({5: "lots"}, "'lots' is not a number of shares"),
        ({4: "Apple Inc"}, "'Apple Inc' is not a ticker symbol"),
        ({6: "2026-03-10"}, "The date given is after the date received."),
    ],
)
def test_a_stock_row_without_ticker_or_shares_is_refused(ana, change, message):
    row = ["ana@example.org", "500", "2026-03-09", "stock", "AAPL", "3", "2026-03-06", ""]
    for index, value in change.items():
        row[index] = value
    report = gifts_import(headers=HEADERS, rows=[row], dry_run=False)
    assert not report.written and Gift.objects.count() == 0
    [bad] = report.invalid_rows
    assert any(message in text for texts in bad.errors.values() for text in texts), bad.errors


def _form_data(page, **values) -> dict:
    """The add form as a person leaves it: every initial value, then what they typed."""
    form = page.context["adminform"].form
    data = {}
    for name, field in form.fields.items():
        initial = form.get_initial_for_field(field, name)
        if initial not in (None, ""):
            data[name] = initial
    return {**data, **values}


def test_the_staff_form_shows_stock_fields_with_help_and_hides_them_for_other_methods(
    staff_client,
):
    page = staff_client.get(ADD_URL)
    html = page.content.decode()
    for expected in (
        "Ticker symbol",
        "Number of shares",
        "Date given",
        "the day the shares left the donor",
        "your estimate of the value, for reports only",
        '["stock_ticker", "stock_shares", "given_on"]',
    ):
        assert expected in html, expected


def test_the_staff_form_refuses_a_stock_gift_without_ticker_or_shares(staff_client, ana):
    page = staff_client.get(ADD_URL)
    data = _form_data(
        page,
        supporter=ana.pk,
        amount="5000",
        received_on="2026-03-09",
        method="stock",
        stock_ticker="",
        stock_shares="",
    )
    response = staff_client.post(ADD_URL, data)
    assert response.status_code == 200 and Gift.objects.count() == 0
    html = response.content.decode()
    assert "A stock gift needs the ticker symbol" in html
    assert "A stock gift needs the number of shares" in html

    data.update(stock_ticker="aapl", stock_shares="25", given_on="2026-03-06")
    response = staff_client.post(ADD_URL, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    gift = Gift.objects.get()
    assert (gift.stock_ticker, gift.stock_shares) == ("AAPL", Decimal("25"))


def test_the_staff_form_drops_stock_details_left_over_from_a_changed_method(staff_client, ana):
    page = staff_client.get(ADD_URL)
    data = _form_data(
        page,
        supporter=ana.pk,
        amount="50",
        received_on="2026-03-09",
        method="cash",
        stock_ticker="AAPL",
        stock_shares="3",
    )
    response = staff_client.post(ADD_URL, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    gift = Gift.objects.get()
    assert (gift.stock_ticker, gift.stock_shares, gift.given_on) == ("", None, None)


def test_staff_can_edit_a_stock_gift_and_it_keeps_its_stock_details(staff_client, ana):
    add = _form_data(
        staff_client.get(ADD_URL),
        supporter=ana.pk,
        amount="4210",
        received_on="2026-03-09",
        method="stock",
        stock_ticker="msft",
        stock_shares="10",
        given_on="2026-03-06",
    )
    assert staff_client.post(ADD_URL, add).status_code == 302
    gift = Gift.objects.get()
    change_url = f"/admin/donations/gift/{gift.pk}/change/"
    data = _form_data(staff_client.get(change_url), notes="Transferred by the broker")
    response = staff_client.post(change_url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    gift.refresh_from_db()
    assert gift.notes == "Transferred by the broker"
    assert (gift.stock_ticker, gift.stock_shares) == ("MSFT", Decimal("10"))
    assert gift.given_on == datetime.date(2026, 3, 6)
