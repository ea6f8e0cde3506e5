"""Giving levels in the organisation's settings: staff type them in the admin as one line of
text, each mistake gets a plain message, and the board reads them but cannot change them."""

import pytest

from core.models import Organisation

pytestmark = pytest.mark.django_db

URL = "/admin/core/organisation/1/change/"


def _form(**changes) -> dict:
    """The settings form as the admin posts it, the current values unless changed."""
    organisation = Organisation.current()
    data = {
        "name": organisation.name,
        "address": organisation.address,
        "tax_id": organisation.tax_id,
        "website": organisation.website,
        "phone": organisation.phone,
        "hotline": organisation.hotline,
        "default_sender": organisation.default_sender,
        "fiscal_year_start_month": organisation.fiscal_year_start_month,
        "paper_size": organisation.paper_size,
        "envelope": organisation.envelope,
        "envelope_unit": organisation.envelope_unit,
        "giving_levels": "1, 250, 1,000, 5,000",
    }
    return data | changes


def test_new_settings_have_the_default_levels():
    assert Organisation.current().giving_levels == [1, 250, 1000, 5000]


def test_staff_see_the_levels_as_they_type_them(staff_client):
    Organisation.current()
    html = staff_client.get(URL).content.decode()
    assert 'name="giving_levels" value="1, 250, 1,000, 5,000"' in html
    assert "smallest year total of each level" in html  # the help text


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("100, 500, 2,500, 10,000, 25,000", [100, 500, 2500, 10000, 25000]),
        ("$50; $1,000", [50, 1000]),
        ("  10 100\n1000  ", [10, 100, 1000]),
        ("25.00, 250", [25, 250]),
    ],
)
def test_staff_set_the_levels(staff_client, typed, stored):
    Organisation.current()
    response = staff_client.post(URL, _form(giving_levels=typed))
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Organisation.current().giving_levels == stored


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("", "This field is required."),
        ("500", "Give between 2 and 8 levels (you gave 1), e.g. 1, 250, 1,000, 5,000."),
        ("1, 2, 3, 4, 5, 6, 7, 8, 9", "Give between 2 and 8 levels (you gave 9)"),
        ("0, 250", "Each level must be more than $0."),
        ("-5, 250", "“-5” is not an amount in dollars."),
        ("1, 250, 250, 1,000", "Each level must be different: $250 appears more than once."),
        ("1, 1,000, 250", "List the levels from smallest to largest, e.g. 1, 250, 1,000, 5,000."),
        ("1, 250, lots", "“lots” is not an amount in dollars. Separate the levels with a comma"),
        ("1,250,1000", "“1,250,1000” is not an amount in dollars."),
        ("1, 99.50", "Use whole dollars: “99.50” has cents."),
    ],
)
def test_staff_are_told_what_is_wrong(staff_client, typed, message):
    Organisation.current()
    response = staff_client.post(URL, _form(giving_levels=typed))
    assert response.status_code == 200  # the form again, with the error
    errors = " ".join(response.context["adminform"].form.errors["giving_levels"])
    assert message in errors
    assert Organisation.current().giving_levels == [1, 250, 1000, 5000]


def test_the_board_reads_the_levels_but_cannot_change_them(board_client):
    Organisation.current()
    response = board_client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert "1, 250, 1,000, 5,000" in html
    assert 'name="giving_levels"' not in html  # shown as text, no field to type in
    response = board_client.post(URL, _form(giving_levels="10, 20"))
    assert response.status_code == 403
    assert Organisation.current().giving_levels == [1, 250, 1000, 5000]
