import pytest

from crm import matching


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Maria.Lopez+news@gmail.com", "marialopez@googlemail.com"),
        ("ANA@Example.org", "ana@example.org"),
        ("ana+x@example.org", "ana@example.org"),
    ],
)
def test_addresses_that_reach_one_inbox_share_a_key(a, b):
    assert matching.email_key(a) == matching.email_key(b)


def test_dots_matter_outside_gmail():
    assert matching.email_key("a.na@example.org") != matching.email_key("ana@example.org")


def test_names_fold_accents_case_and_punctuation():
    assert matching.fold("  José  O'Neil-García ") == "jose oneil garcia"


@pytest.mark.parametrize(("raw", "key"), [("10451-2201", "10451"), ("sw1a 1aa", "SW1A1AA")])
def test_postal_codes(raw, key):
    assert matching.postal_key(raw) == key


def test_phones_compare_on_the_last_ten_digits():
    assert matching.phone_key("+1 (212) 555-0100") == matching.phone_key("212.555.0100")
    assert matching.phone_key("12") == ""
