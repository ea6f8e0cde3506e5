"""Import headers as other systems export them (issue 14): every column of the four file shapes
is read, in any case, with prefixes and numbering, and nothing is left unread."""

import pytest

from crm.importing.headers import header_key
from crm.importing.supporter_columns import SUPPORTER_HEADERS
from donations.imports.columns import HEADERS as GIFT_HEADERS

ONE_ROW_PER_GIFT_PEOPLE = [
    ("Title", "title"),
    ("First Name", "first_name"),
    ("Middle Name", "middle_name"),
    ("Last Name", "last_name"),
    ("Suffix", "suffix"),
    ("Organization", "organisation_name"),
    ("Home Address", "address_line1"),
    ("Home City", "city"),
    ("Home State", "region"),
    ("Home Zip Code", "postal_code"),
    ("Phone1", "phone"),
    ("Phone2", "phone_2"),
    ("Email", "email"),
]
CONTACT_LIST = [
    ("Donor_ID", "source_id"),
    ("First Name", "first_name"),
    ("Last Name", "last_name"),
    ("Email", "email"),
    ("Primary Phone", "phone"),
    ("Phone 2", "phone_2"),
    ("Mailing Address", "address_line1"),
    ("Mailing City", "city"),
    ("Mailing State", "region"),
    ("Mailing Zip", "postal_code"),
    ("Billing Address", "address_line1"),
    ("Zip Code", "postal_code"),
    ("Postal/Zip Code", "postal_code"),
    ("Province/State", "region"),
    ("Constituent ID", "source_id"),
]
CANADAHELPS_PEOPLE = [
    ("DONOR FIRST NAME", "first_name"),
    ("DONOR LAST NAME", "last_name"),
    ("DONOR EMAIL ADDRESS", "email"),
    ("DONOR ADDRESS 1", "address_line1"),
    ("DONOR ADDRESS 2", "address_line2"),
    ("DONOR CITY", "city"),
    ("DONOR PROVINCE/STATE", "region"),
    ("DONOR POSTAL/ZIP CODE", "postal_code"),
    ("DONOR COUNTRY", "country"),
    ("DONOR PHONE NUMBER", "phone"),
]
EVERYACTION_PEOPLE = [
    ("VANID", "source_id"),
    ("First Name", "first_name"),
    ("Last Name", "last_name"),
    ("Address", "address_line1"),
    ("City", "city"),
    ("State", "region"),
    ("Zip", "postal_code"),
]
# (header, field) for the gift columns, read by the gift map.
ONE_ROW_PER_GIFT_GIFTS = [
    ("Date", "received_on"),
    ("Amount", "amount"),
    ("Fund", "fund"),
    ("Campaign", "campaign"),
    ("Appeal", "appeal_code"),
    ("Method", "method"),
    ("Acknowledged?", "acknowledged"),
    ("Note", "notes"),
]
CANADAHELPS_GIFTS = [
    ("AMOUNT", "amount"),
    ("DONATION DATE", "received_on"),
    ("TRANSACTION NUMBER", "source_gift_id"),
    ("MESSAGE TO CHARITY", "notes"),
    ("DONOR EMAIL ADDRESS", "email"),
]
EVERYACTION_GIFTS = [
    ("VANID", "source_id"),
    ("Date Received", "received_on"),
    ("Transaction ID", "source_gift_id"),
    ("Amount", "amount"),
    ("Payment Method", "method"),
    ("Designation", "fund"),
    ("Source Code", "appeal_code"),
]


@pytest.mark.parametrize(
    ("header", "field"),
    ONE_ROW_PER_GIFT_PEOPLE + CONTACT_LIST + CANADAHELPS_PEOPLE + EVERYACTION_PEOPLE,
)
def test_people_columns_are_recognised_as_exported(header, field):
    assert SUPPORTER_HEADERS.field_for(header) == field
    assert SUPPORTER_HEADERS.field_for(header.upper()) == field
    assert SUPPORTER_HEADERS.field_for(header.lower().replace(" ", "_")) == field


@pytest.mark.parametrize(
    ("header", "field"), ONE_ROW_PER_GIFT_GIFTS + CANADAHELPS_GIFTS + EVERYACTION_GIFTS
)
def test_gift_columns_are_recognised_as_exported(header, field):
    assert GIFT_HEADERS.field_for(header) == field


@pytest.mark.parametrize(
    ("shape", "gift_columns"),
    [
        (ONE_ROW_PER_GIFT_PEOPLE + ONE_ROW_PER_GIFT_GIFTS, True),
        (CONTACT_LIST[:10], False),
        (CANADAHELPS_PEOPLE + CANADAHELPS_GIFTS[:4], True),
        (EVERYACTION_PEOPLE + EVERYACTION_GIFTS[1:], True),
    ],
)
def test_each_file_shape_leaves_no_column_unread(shape, gift_columns):
    """A whole header row: every column is the people map's or the gift map's, none twice."""
    headers = [h for h, _ in shape]
    people, _unknown, repeated = SUPPORTER_HEADERS.map(headers)
    gifts = GIFT_HEADERS.map(headers)[0] if gift_columns else {}
    assert repeated == []
    read = set(people) | set(gifts)
    assert [h for i, h in enumerate(headers) if i not in read] == []


@pytest.mark.parametrize(
    ("header", "key"),
    [
        ("Acknowledged?", "acknowledged"),
        ("  First_Name ", "first name"),
        ("Postal / Zip Code", "postal/zip code"),
        ('"Email:"', "email"),
        ("Check No.", "check no"),
    ],
)
def test_header_keys_drop_what_says_nothing_about_the_field(header, key):
    assert header_key(header) == key


@pytest.mark.parametrize(
    ("header", "field"),
    [
        ("Address 1", "address_line1"),  # a line of the address, not a first address
        ("Address 2", "address_line2"),
        ("Address 3", None),
        ("Email 2", None),  # no second email field: left for the mapping step
        ("Phone #2", "phone_2"),
        ("Home Phone", "phone"),
        ("Donor Name", None),
        ("ID", None),  # could be anyone's: not guessed
        ("Supporter ID", None),  # this CRM's own export, not another system's id
    ],
)
def test_numbers_and_prefixes_are_read_only_where_they_mean_something(header, field):
    assert SUPPORTER_HEADERS.field_for(header) == field
