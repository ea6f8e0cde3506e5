"""Dates are written one way per language everywhere: the helper, its template filters, the
admin's own columns and the staff pages all say 'November 23, 2026' (Spanish: '23 de
noviembre de 2026'), never 'Nov. 23, 2026', '23 Nov 2026' or '11/23/2026'."""

import datetime
import re
from zoneinfo import ZoneInfo

import pytest
from django.template import Context, Template
from django.utils import translation

from core.dates import day_text, day_time_text, month_day_text
from donations.models import Gift, Refund
from tests.factories import SupporterFactory

DAY = datetime.date(2026, 11, 23)
# 11:30 pm in New York is already the 24th in UTC: the page shows the site's day.
LATE = datetime.datetime(2026, 11, 24, 4, 30, tzinfo=datetime.UTC)


def render(text: str, **context) -> str:
    return Template("{% load dates %}" + text).render(Context(context))


def test_a_day_is_written_with_the_month_in_full():
    assert day_text(DAY) == "November 23, 2026"
    assert render("{{ d|day }}", d=DAY) == "November 23, 2026"


def test_a_moment_is_written_on_the_sites_day_and_hour():
    assert day_text(LATE) == "November 23, 2026"
    assert day_time_text(LATE) == "November 23, 2026, 11:30 PM"
    assert render("{{ d|day_time }}", d=LATE) == "November 23, 2026, 11:30 PM"
    assert render("{{ d|month_day }}", d=LATE) == "November 23"


def test_spanish_pages_write_the_spanish_form():
    with translation.override("es"):
        assert render("{{ d|day }}", d=DAY) == "23 de noviembre de 2026"
        assert day_time_text(LATE.astimezone(ZoneInfo("UTC"))) == (
            "23 de noviembre de 2026 a las 23:30"
        )
        assert month_day_text(DAY) == "23 de noviembre"


def test_nothing_and_non_dates_print_nothing():
    assert day_text(None) == ""
    assert render("[{{ a|day }}{{ b|day_time }}{{ c|month_day }}]", a=None, b="", c="soon") == "[]"


@pytest.mark.django_db
def test_the_admin_columns_and_the_staff_pages_write_the_same_day(staff_client):
    ana = SupporterFactory(first_name="Ana", last_name="Ruiz")
    gift = Gift.objects.create(supporter=ana, amount=50, method="cheque", received_on=DAY)
    Refund.objects.create(gift=gift, amount="12.50", refunded_on=DAY, reason="Asked by donor")
    page = staff_client.get("/admin/donations/refund/").content.decode()
    assert "November 23, 2026" in page
    assert "$12.50" in page  # money with its symbol, from core.money
    home = staff_client.get("/admin/").content.decode()
    # No other way of writing a day is left on the staff home (its figures' links use ISO days).
    assert not re.search(r"\b(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)\.? \d", home)
