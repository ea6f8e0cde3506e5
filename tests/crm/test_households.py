"""Households: names, greeting and envelope worked out from the members (overrides win),
starting, joining and leaving one from a supporter's profile, the panel with members and
household giving, and board members who can look but not change."""

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse

from crm import greetings
from crm.households.selectors import same_address
from crm.households.services import (
    household_add_members,
    household_remove_member,
    household_update,
)
from crm.models import Household, Supporter
from crm.services import supporters_merge
from donations.models import Fund
from donations.services import GiftEntry, gift_record
from tests.factories import SupporterFactory

pytestmark = pytest.mark.django_db
HOME = {"address_line1": "12 Oak St", "city": "Oakland", "region": "CA", "postal_code": "94607"}


@pytest.fixture(autouse=True)
def today():
    with time_machine.travel(datetime.datetime(2026, 5, 10, 15, 0, tzinfo=datetime.UTC)):
        yield


def okafors() -> tuple[Supporter, Supporter]:
    ben = SupporterFactory(first_name="Ben", last_name="Okafor", email="ben@example.org", **HOME)
    ada = SupporterFactory(first_name="Ada", last_name="Okafor", email="ada@example.org", **HOME)
    return ben, ada


def profile(client, supporter: Supporter) -> str:
    response = client.get(reverse("admin:crm_supporter_change", args=[supporter.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_names_are_worked_out_from_the_members_and_overrides_win():
    ben, ada = okafors()
    household = household_add_members(supporter=ben, others=[ada])
    assert household.effective_name == "The Okafor Family"
    assert household.effective_greeting == "Ben and Ada"
    assert household.effective_envelope_name == "Ben and Ada Okafor"
    household_update(household=household, name="  The Okafors ", greeting="", envelope_name="")
    household.refresh_from_db()
    assert household.effective_name == "The Okafors"
    assert household.effective_greeting == "Ben and Ada"  # blank: still suggested


def test_members_with_other_surnames_or_partners_are_named_each_in_full():
    people = [
        greetings.Names(first_name="Ben", last_name="Okafor"),
        greetings.Names(first_name="Luz", last_name="Diaz", partner_first_name="Ana"),
    ]
    assert greetings.household_name(people) == "The Okafor and Diaz Family"
    envelope = greetings.household_envelope(people, ["Ben Okafor", "Luz and Ana Diaz"])
    assert envelope == "Ben Okafor and Luz and Ana Diaz"
    assert greetings.household_greeting(["Ben", "Ada", "Chi"]) == "Ben, Ada and Chi"
    assert greetings.in_language("Ben, Ada and Chi", "es") == "Ben, Ada y Chi"
    women = [greetings.Names(title="Sra.", first_name="Ada"), greetings.Names(title="Ms.")]
    assert greetings.household_dear(women, "es") == "Estimadas"
    assert greetings.household_dear([*women, people[0]], "es") == "Estimados"


def test_each_member_keeps_their_own_email_phone_and_couple_fields():
    ben, ada = okafors()
    ben.partner_first_name = "Chi"
    ben.save()
    household_add_members(supporter=ben, others=[ada])
    ben.refresh_from_db(), ada.refresh_from_db()
    assert (ben.email, ada.email) == ("ben@example.org", "ada@example.org")
    assert ben.effective_salutation == "Ben and Chi"  # the couple on one record still greets
    assert ben.household.effective_greeting == "Ben and Chi and Ada"


def test_refusals_change_nothing():
    ben, ada = okafors()
    org = SupporterFactory(kind="organisation", organisation_name="Acme", **HOME)
    with pytest.raises(ValidationError, match="organization"):
        household_add_members(supporter=ben, others=[ada, org])
    with pytest.raises(ValidationError, match="at least one other"):
        household_add_members(supporter=ben, others=[])
    assert Household.objects.count() == 0
    assert not Supporter.objects.exclude(household=None).exists()
    household_add_members(supporter=ben, others=[ada])
    cy = SupporterFactory(first_name="Cy", **HOME)
    dee = SupporterFactory(first_name="Dee", **HOME)
    household_add_members(supporter=cy, others=[dee])
    with pytest.raises(ValidationError, match="already in"):
        household_add_members(supporter=ben, others=[cy])
    cy.refresh_from_db()
    assert cy.household.members.count() == 2


def test_taking_out_the_second_to_last_member_dissolves_the_household():
    ben, ada = okafors()
    chi = SupporterFactory(first_name="Chi", last_name="Okafor", **HOME)
    household = household_add_members(supporter=ben, others=[ada, chi])
    assert household_remove_member(supporter=chi) == household
    assert household_remove_member(supporter=ada) is None
    assert not Household.objects.exists()
    ben.refresh_from_db()
    assert ben.household is None


def test_others_at_this_address_are_found_however_it_is_typed():
    ben, ada = okafors()
    same = SupporterFactory(first_name="Ike", address_line1="12 oak st.", postal_code="94607-1234")
    SupporterFactory(first_name="Next door", address_line1="14 Oak St", postal_code="94607")
    assert {p.first_name for p in same_address(ben)} == {"Ada", "Ike"}
    household_add_members(supporter=ben, others=[ada])
    assert [p.pk for p in same_address(ben)] == [same.pk]


def test_a_merge_keeps_the_merged_records_household():
    ben, ada = okafors()
    household = household_add_members(supporter=ben, others=[ada])
    copy = SupporterFactory(first_name="Ada", last_name="Okafor", email="", **HOME)
    supporters_merge(survivor=copy, other=ada)
    copy.refresh_from_db()
    assert copy.household == household


def test_profile_shows_members_and_household_giving(staff_client):
    fund = Fund.objects.create(name="General", code="general", is_default=True)
    ben, ada = okafors()
    household_add_members(supporter=ben, others=[ada])
    for who, amount, day in ((ben, "100", datetime.date(2026, 3, 1)),
                             (ada, "50", datetime.date(2026, 4, 1)),
                             (ada, "25", datetime.date(2025, 6, 1))):  # fmt: skip
        gift_record(entry=GiftEntry(supporter=who, amount=Decimal(amount), received_on=day,
                                    fund=fund))  # fmt: skip
    page = profile(staff_client, ada)
    assert '<strong id="household-name">The Okafor Family</strong>' in page
    assert '<dd id="household-greeting">Dear Ben and Ada,</dd>' in page
    assert '<dd id="household-envelope">Ben and Ada Okafor</dd>' in page
    assert '<dd data-figure="household-lifetime">$175.00</dd>' in page
    assert '<dd data-figure="household-this-year">$150.00</dd>' in page
    assert "ben@example.org" in page and "ada@example.org" in page
    assert "Take out" in page and "Add members" in page


def test_staff_start_a_household_from_the_profile_with_someone_found_at_the_address(staff_client):
    ben, ada = okafors()
    page = profile(staff_client, ben)
    assert 'id="household-none"' in page and f'value="{ada.pk}"' in page
    add = reverse("admin:crm_supporter_household_add", args=[ben.pk])
    response = staff_client.post(add, {"member": [str(ada.pk)], "ids": ""}, follow=True)
    assert "The Okafor Family: Ben Okafor, Ada Okafor." in response.content.decode()
    ada.refresh_from_db()
    assert ada.household is not None and ada.household.members.count() == 2


def test_staff_get_a_clear_message_for_a_bad_id_and_nothing_changes(staff_client):
    ben, _ = okafors()
    add = reverse("admin:crm_supporter_household_add", args=[ben.pk])
    page = staff_client.post(add, {"ids": "12ab"}, follow=True).content.decode()
    assert "is not a supporter ID" in page
    page = staff_client.post(add, {"ids": "999999"}, follow=True).content.decode()
    assert "There is no supporter #999999." in page
    assert not Household.objects.exists()


def test_staff_take_a_member_out(staff_client):
    ben, ada = okafors()
    household_add_members(supporter=ben, others=[ada])
    remove = reverse("admin:crm_supporter_household_remove", args=[ben.pk])
    page = staff_client.post(remove, {"member": ada.pk}, follow=True).content.decode()
    assert "Ada Okafor is no longer in the household." in page and "dissolved" in page
    assert not Household.objects.exists()


def test_board_members_see_the_household_but_cannot_change_it(board_client):
    ben, ada = okafors()
    cy = SupporterFactory(first_name="Cy", **HOME)
    household = household_add_members(supporter=ben, others=[ada])
    page = profile(board_client, ben)
    assert "The Okafor Family" in page
    assert "Take out" not in page and "Add members" not in page and "Edit names" not in page
    add = reverse("admin:crm_supporter_household_add", args=[ben.pk])
    remove = reverse("admin:crm_supporter_household_remove", args=[ben.pk])
    assert board_client.post(add, {"member": [cy.pk]}).status_code == 403
    assert board_client.post(remove, {"member": ada.pk}).status_code == 403
    change = reverse("admin:crm_household_change", args=[household.pk])
    board_client.post(change, {"name": "Renamed", "greeting": "", "envelope_name": ""})
    household.refresh_from_db()
    assert household.name == "" and household.members.count() == 2
    cy.refresh_from_db()
    assert cy.household is None


def test_staff_rename_the_household_in_the_admin(staff_client):
    ben, ada = okafors()
    household = household_add_members(supporter=ben, others=[ada])
    change = reverse("admin:crm_household_change", args=[household.pk])
    page = staff_client.get(change).content.decode()
    assert "Suggested: Dear" not in page and "Suggested: Ben and Ada." in page
    staff_client.post(change, {"name": "", "greeting": "Friends", "envelope_name": ""})
    household.refresh_from_db()
    assert household.effective_greeting == "Friends"


def test_the_household_list_shows_names_greeting_and_envelope(staff_client):
    okafors_pair = okafors()
    household_add_members(supporter=okafors_pair[0], others=[okafors_pair[1]])
    page = staff_client.get(reverse("admin:crm_household_changelist")).content.decode()
    assert "The Okafor Family" in page and "Dear Ben and Ada," in page
    assert "Ben and Ada Okafor" in page and "Ben Okafor, Ada Okafor" in page
    assert staff_client.get(reverse("admin:crm_household_add")).status_code == 403
