import pytest

from crm.greetings import (
    Names,
    addressee,
    display_name,
    formal_salutation,
    greeting_line,
    informal_salutation,
)

MARIA = Names(first_name="Maria", last_name="Lopez", title="Ms.")
COUPLE_TWO_SURNAMES = Names(
    first_name="Maria", last_name="Lopez", partner_first_name="Ana", partner_last_name="Ruiz"
)
COUPLE_ONE_SURNAME = Names(
    title="Mr.",
    first_name="John",
    last_name="Smith",
    partner_title="Mrs.",
    partner_first_name="Jane",
)
ORG = Names(is_organisation=True, organisation_name="Casa Esperanza")


def test_it_greets_a_person_by_first_name_informally_and_by_title_formally():
    assert informal_salutation(MARIA) == "Maria"
    assert formal_salutation(MARIA) == "Ms. Lopez"
    assert addressee(MARIA) == "Ms. Maria Lopez"


def test_a_preferred_name_wins_in_informal_greetings_only():
    bob = Names(first_name="Robert", last_name="Smith", preferred_name="Bob")
    assert informal_salutation(bob) == "Bob"
    assert addressee(bob) == "Robert Smith"


def test_it_greets_a_couple_with_different_surnames():
    assert display_name(COUPLE_TWO_SURNAMES) == "Maria Lopez and Ana Ruiz"
    assert addressee(COUPLE_TWO_SURNAMES) == "Maria Lopez and Ana Ruiz"
    assert informal_salutation(COUPLE_TWO_SURNAMES) == "Maria and Ana"
    assert formal_salutation(COUPLE_TWO_SURNAMES) == "Maria Lopez and Ana Ruiz"


def test_it_greets_a_couple_sharing_a_surname():
    assert addressee(COUPLE_ONE_SURNAME) == "John and Jane Smith"
    assert formal_salutation(COUPLE_ONE_SURNAME) == "Mr. and Mrs. Smith"
    assert informal_salutation(COUPLE_ONE_SURNAME) == "John and Jane"


def test_organisations_are_addressed_by_name():
    assert addressee(ORG) == display_name(ORG) == "Casa Esperanza"
    assert informal_salutation(ORG) == formal_salutation(ORG) == "Friends"


@pytest.mark.parametrize(
    ("names", "informal", "formal", "envelope"),
    [
        (Names(), "Friend", "Friend", "Friend"),
        (Names(last_name="Lopez", title="Dr."), "Dr. Lopez", "Dr. Lopez", "Dr. Lopez"),
        (
            Names(first_name="  María ", last_name=" García  Márquez"),
            "María",
            "María García Márquez",
            "María García Márquez",
        ),
    ],
)
def test_partial_names_never_give_blank_or_doubled_spaces(names, informal, formal, envelope):
    assert informal_salutation(names) == informal
    assert formal_salutation(names) == formal
    assert addressee(names) == envelope


@pytest.mark.parametrize(
    ("names", "language", "line"),
    [
        (MARIA, "en", "Dear Maria,"),
        (MARIA, "es", "Estimada Maria:"),
        (COUPLE_TWO_SURNAMES, "en", "Dear Maria and Ana,"),
        (COUPLE_TWO_SURNAMES, "es", "Estimados Maria y Ana:"),
        (ORG, "es", "Estimados amigos:"),
        (Names(), "es", "Estimado/a amigo/a:"),
        (Names(), "en", "Dear Friend,"),
    ],
)
def test_the_opening_line_speaks_the_readers_language(names, language, line):
    assert greeting_line(names, informal_salutation(names), language) == line
