"""Two people editing the same record: a save from a page loaded before someone else's save is
refused, says what the other person changed, and loses nobody's work."""

import datetime
import threading
import time
from decimal import Decimal
from html.parser import HTMLParser
from unittest import mock

import pytest
from django.contrib.auth.models import Group, User
from django.db import connection
from django.test import Client

from core import stale_edit
from core.roles import STAFF_GROUP
from crm.models import Supporter
from donations.models import Fund, Gift
from tests.factories import SupporterFactory

pytestmark = pytest.mark.django_db


class _FormScraper(HTMLParser):
    """What a browser would post from the page's main form: every named input, checked box,
    selected option and textarea, plus the Save button."""

    def __init__(self, form_id: str) -> None:
        super().__init__()
        self.form_id, self.inside, self.data = form_id, False, {}
        self._select = self._textarea = None
        self._options: list = []

    def _add(self, name: str, value: str) -> None:
        self.data.setdefault(name, []).append(value)

    def handle_starttag(self, tag: str, attrs: list) -> None:
        a = dict(attrs)
        if tag == "form":
            self.inside = a.get("id") == self.form_id
        if not self.inside:
            return
        if tag == "input" and a.get("name"):
            kind = a.get("type", "text")
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    self._add(a["name"], a.get("value", "on"))
            elif kind not in ("submit", "button", "file", "image", "reset"):
                self._add(a["name"], a.get("value") or "")
        elif tag == "select" and a.get("name"):
            self._select, self._options = a, []
        elif tag == "option" and self._select is not None:
            self._options.append((a.get("value", ""), "selected" in a))
        elif tag == "textarea" and a.get("name"):
            self._textarea = a["name"]
            self._add(self._textarea, "")

    def handle_data(self, data: str) -> None:
        if self._textarea:
            self.data[self._textarea][-1] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.inside = False
        elif tag == "textarea":
            self._textarea = None
        elif tag == "select" and self._select is not None:
            chosen = [value for value, selected in self._options if selected]
            if not chosen and self._options and "multiple" not in self._select:
                chosen = [self._options[0][0]]
            for value in chosen:
                self._add(self._select["name"], value)
            self._select = None


def page_form(client: Client, url: str, form_id: str) -> dict:
    response = client.get(url)
    assert response.status_code == 200
    return form_from(response.content.decode(), form_id)


def form_from(html: str, form_id: str) -> dict:
    scraper = _FormScraper(form_id)
    scraper.feed(html)
    assert scraper.data, f"no #{form_id} on the page"
    return {**scraper.data, "_save": "Save"}


def staff_member(username: str) -> Client:
    user = User.objects.create_user(username, is_staff=True)
    user.groups.add(Group.objects.get(name=STAFF_GROUP))
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def ana(db):
    return SupporterFactory(
        first_name="Ana", last_name="Ruiz", phone="212-555-0101", city="New York"
    )


def supporter_url(supporter: Supporter) -> str:
    return f"/admin/crm/supporter/{supporter.pk}/change/?edit=1"


def test_a_save_from_a_stale_supporter_page_is_refused_and_names_the_other_change(ana):
    a, b = staff_member("alma"), staff_member("beto")
    form_a = page_form(a, supporter_url(ana), "supporter_form")
    form_b = page_form(b, supporter_url(ana), "supporter_form")

    response = a.post(supporter_url(ana), {**form_a, "phone": "718-555-0199"})
    assert response.status_code == 302
    response = b.post(supporter_url(ana), {**form_b, "city": "Yonkers"})

    assert response.status_code == 200, "B is refused"
    page = response.content.decode()
    assert "Someone else saved changes to this record" in page
    assert "Phone: now “718-555-0199” (you started from “212-555-0101”)" in page
    ana.refresh_from_db()
    assert (ana.phone, ana.city) == ("718-555-0199", "New York"), "A's phone is kept"
    again = form_from(page, "supporter_form")
    assert again["city"] == ["Yonkers"], "B's typing is still in the form"
    assert again["phone"] == ["718-555-0199"], "the field B left alone shows A's value"


def test_saving_the_refused_supporter_form_again_keeps_both_changes(ana):
    a, b = staff_member("alma"), staff_member("beto")
    form_a = page_form(a, supporter_url(ana), "supporter_form")
    form_b = page_form(b, supporter_url(ana), "supporter_form")
    a.post(supporter_url(ana), {**form_a, "phone": "718-555-0199"})
    refused = b.post(supporter_url(ana), {**form_b, "city": "Yonkers"})

    response = b.post(supporter_url(ana), form_from(refused.content.decode(), "supporter_form"))

    assert response.status_code == 302
    ana.refresh_from_db()
    assert (ana.phone, ana.city) == ("718-555-0199", "Yonkers")


def test_when_both_change_the_same_field_the_second_keeps_their_entry_and_decides(ana):
    a, b = staff_member("alma"), staff_member("beto")
    form_a = page_form(a, supporter_url(ana), "supporter_form")
    form_b = page_form(b, supporter_url(ana), "supporter_form")
    a.post(supporter_url(ana), {**form_a, "phone": "718-555-0199"})

    refused = b.post(supporter_url(ana), {**form_b, "phone": "646-555-0123"})
    page = refused.content.decode()
    assert "the form keeps your entry “646-555-0123”" in page
    assert Supporter.objects.get(pk=ana.pk).phone == "718-555-0199"

    b.post(supporter_url(ana), form_from(page, "supporter_form"))
    assert Supporter.objects.get(pk=ana.pk).phone == "646-555-0123", "saved knowingly"


def test_a_save_with_no_change_in_between_goes_through(ana):
    a = staff_member("alma")
    form = page_form(a, supporter_url(ana), "supporter_form")
    response = a.post(supporter_url(ana), {**form, "city": "Yonkers"})
    assert response.status_code == 302
    assert Supporter.objects.get(pk=ana.pk).city == "Yonkers"


def test_an_altered_snapshot_is_refused(ana):
    a = staff_member("alma")
    form = page_form(a, supporter_url(ana), "supporter_form")
    form["edit_snapshot"] = [form["edit_snapshot"][0][:-3] + "xyz"]
    response = a.post(supporter_url(ana), {**form, "city": "Yonkers"})
    assert response.status_code == 200
    assert "could not be checked against the record" in response.content.decode()
    assert Supporter.objects.get(pk=ana.pk).city == "New York"


def test_a_board_member_gets_no_snapshot_on_the_read_only_page(board_client, ana):
    page = board_client.get(supporter_url(ana)).content.decode()
    assert "edit_snapshot" not in page and "Edit snapshot" not in page


@pytest.fixture
def gift(ana):
    fund = Fund.objects.create(name="General", code="general", is_default=True)
    return Gift.objects.create(
        supporter=ana,
        amount=Decimal("40"),
        method="cheque",
        received_on=datetime.date(2026, 2, 1),
        fund=fund,
    )


def test_a_save_from_a_stale_gift_page_is_refused_and_keeps_the_first_change(gift):
    url = f"/admin/donations/gift/{gift.pk}/change/"
    a, b = staff_member("alma"), staff_member("beto")
    form_a = page_form(a, url, "gift_form")
    form_b = page_form(b, url, "gift_form")

    assert a.post(url, {**form_a, "amount": "60.00"}).status_code == 302
    response = b.post(url, {**form_b, "notes": "Cheque in the March batch"})

    assert response.status_code == 200
    page = response.content.decode()
    assert "Amount: now “60.00” (you started from “40.00”)" in page
    gift.refresh_from_db()
    assert (gift.amount, gift.notes) == (Decimal("60.00"), "")

    response = b.post(url, form_from(page, "gift_form"))
    assert response.status_code == 302
    gift.refresh_from_db()
    assert (gift.amount, gift.notes) == (Decimal("60.00"), "Cheque in the March batch")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_saves_racing_on_postgresql_one_wins_the_other_is_refused(ana):
    """Both saves read the row at the same moment. Without a row lock held from the check to
    the write, both pass the check and the later write puts back the earlier one's field."""
    a, b = staff_member("alma"), staff_member("beto")
    forms = {
        a: {**page_form(a, supporter_url(ana), "supporter_form"), "phone": "718-555-0199"},
        b: {**page_form(b, supporter_url(ana), "supporter_form"), "city": "Yonkers"},
    }
    read = stale_edit.current_values

    def slow_read(*args, **kwargs):
        values = read(*args, **kwargs)
        time.sleep(0.5)  # hold the check open so the other save gets there too
        return values

    start, statuses = threading.Barrier(2), {}

    def save(client: Client) -> None:
        try:
            start.wait()
            statuses[client] = client.post(supporter_url(ana), forms[client]).status_code
        finally:
            connection.close()

    with mock.patch.object(stale_edit, "current_values", slow_read):
        threads = [threading.Thread(target=save, args=(c,)) for c in (a, b)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)

    assert sorted(statuses.values()) == [200, 302], "one saved, one was refused"
    ana.refresh_from_db()
    winner = next(c for c, status in statuses.items() if status == 302)
    if winner is a:
        assert (ana.phone, ana.city) == ("718-555-0199", "New York")
    else:
        assert (ana.phone, ana.city) == ("212-555-0101", "Yonkers")


def test_reverting_to_an_older_version_from_history_still_saves(ana):
    ana.city = "Yonkers"
    ana.save()
    older = ana.history.order_by("history_date").first()
    a = staff_member("alma")
    url = f"/admin/crm/supporter/{ana.pk}/history/{older.history_id}/"
    response = a.post(url, page_form(a, url, "historicalsupporter_form"))
    assert response.status_code == 302
    assert Supporter.objects.get(pk=ana.pk).city == "New York"
