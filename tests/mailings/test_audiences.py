"""Audiences: each criterion, their combinations, nested audiences, and whom a send by email
or by post would leave out, and why."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from crm.services import supporters_merge
from donations.models import RecurringGift
from donations.services import GiftEntry, gift_record
from donations.summary import donor_summaries_refresh
from mailings.audiences.criteria import criteria_errors
from mailings.audiences.models import Audience
from mailings.audiences.selectors import (
    AudienceError,
    audience_exclusions,
    audience_preview,
    audience_supporters,
)
from tests.factories import SupporterFactory, TagFactory

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 6, 15)  # fiscal year 2026 (calendar year)


def give(supporter, amount: str, on: datetime.date) -> None:
    gift_record(entry=GiftEntry(supporter=supporter, amount=Decimal(amount), received_on=on))


def members(criteria: dict, **kwargs) -> set[str]:
    audience = Audience(name="Trying", criteria=criteria, **kwargs)
    return {s.first_name for s in audience_supporters(audience, today=TODAY)}


def person(name: str, **fields):
    return SupporterFactory(first_name=name, **fields)


def test_no_criteria_means_everyone():
    person("Ana"), person("Ben")
    assert members({}) == {"Ana", "Ben"}


def test_tags_any_all_and_none():
    friend, board = TagFactory(name="Friend"), TagFactory(name="Board")
    person("Ana").tags.add(friend, board)
    person("Ben").tags.add(friend)
    person("Cy")
    assert members({"tags_any": [friend.pk, board.pk]}) == {"Ana", "Ben"}
    assert members({"tags_all": [friend.pk, board.pk]}) == {"Ana"}
    assert members({"tags_none": [board.pk]}) == {"Ben", "Cy"}
    assert members({"tags_any": [friend.pk], "tags_none": [board.pk]}) == {"Ben"}


def test_language_and_email_consent():
    person("Ana", preferred_language="es", email_opt_in="opted_in")
    person("Ben", email_opt_in="opted_out")
    person("Cy")
    assert members({"language": "es"}) == {"Ana"}
    assert members({"email_consent": "opted_in"}) == {"Ana"}
    assert members({"email_consent": "not_opted_out"}) == {"Ana", "Cy"}


def test_place_country_region_zip_prefix_and_city():
    person("Ana", city="San Francisco", region="CA", postal_code="94110")
    person("Ben", city="Oakland", region="CA", postal_code="94607")
    person("Cy", city="New York", region="NY", postal_code="10001")
    person("Di", country="MX", region="JAL", city="Guadalajara", postal_code="44100")
    assert members({"country": "US"}) == {"Ana", "Ben", "Cy"}
    assert members({"regions": ["CA", "NY"]}) == {"Ana", "Ben", "Cy"}
    assert members({"regions": ["ca"]}) == {"Ana", "Ben"}
    assert members({"zip_prefix": "941"}) == {"Ana"}
    assert members({"city": "oakland"}) == {"Ben"}
    assert members({"country": "MX", "regions": ["JAL"]}) == {"Di"}


def test_gave_between_two_dates():
    ana, ben = person("Ana"), person("Ben")
    person("Cy")
    give(ana, "50", datetime.date(2026, 3, 1))
    give(ben, "50", datetime.date(2025, 3, 1))
    assert members({"gave_from": "2026-01-01", "gave_to": "2026-03-31"}) == {"Ana"}
    assert members({"gave_to": "2025-12-31"}) == {"Ben"}
    assert members({"gave_from": "2025-03-01"}) == {"Ana", "Ben"}


def test_lybunt_and_sybunt():
    last_year, years_ago, this_year, both = person("Ana"), person("Ben"), person("Cy"), person("Di")
    person("Ed")
    give(last_year, "50", datetime.date(2025, 5, 1))
    give(years_ago, "50", datetime.date(2022, 5, 1))
    give(this_year, "50", datetime.date(2026, 2, 1))
    give(both, "50", datetime.date(2025, 5, 1))
    give(both, "50", datetime.date(2026, 5, 1))
    assert members({"lybunt": True}) == {"Ana"}
    assert members({"sybunt": True}) == {"Ana", "Ben"}


def test_lybunt_follows_the_fiscal_year():
    from core.models import Organisation
    from donations import reference

    Organisation.objects.update_or_create(pk=1, defaults={"fiscal_year_start_month": 7})
    reference.forget()
    ana, ben = person("Ana"), person("Ben")
    give(ana, "50", datetime.date(2025, 3, 1))  # FY2025 (Jul 2024 - Jun 2025)
    give(ben, "50", datetime.date(2025, 8, 1))  # FY2026, this one on June 15, 2026
    assert members({"lybunt": True}) == {"Ana"}


def test_first_time_recurring_and_never_gave():
    once, twice, monthly = person("Ana"), person("Ben"), person("Cy")
    person("Di")
    give(once, "50", datetime.date(2026, 1, 5))
    give(twice, "50", datetime.date(2026, 1, 5))
    give(twice, "20", datetime.date(2026, 2, 5))
    RecurringGift.objects.create(supporter=monthly, amount=Decimal("10"), status="active")
    donor_summaries_refresh(supporter_ids=[monthly.pk])
    assert members({"first_time": True}) == {"Ana"}
    assert members({"has_plan": True}) == {"Cy"}
    assert members({"never_gave": True}) == {"Cy", "Di"}


def test_highest_and_lifetime_amounts():
    big, small = person("Ana"), person("Ben")
    person("Cy")  # never gave: amount filters are about donors
    give(big, "500", datetime.date(2026, 1, 5))
    give(small, "40", datetime.date(2026, 1, 5))
    give(small, "40", datetime.date(2026, 2, 5))
    assert members({"highest_min": "100"}) == {"Ana"}
    assert members({"highest_max": "100"}) == {"Ben"}
    assert members({"lifetime_min": "80"}) == {"Ana", "Ben"}
    assert members({"lifetime_max": "80"}) == set()
    assert members({"lifetime_max": "80.01"}) == {"Ben"}


def test_lapsed_more_than_n_months():
    old, recent = person("Ana"), person("Ben")
    give(old, "50", datetime.date(2024, 11, 30))
    give(recent, "50", datetime.date(2025, 1, 10))
    assert members({"lapsed_months": 18}) == {"Ana"}  # before December 15, 2024


def test_criteria_combine_with_and():
    friend = TagFactory(name="Friend")
    ana = person("Ana", preferred_language="es")
    ana.tags.add(friend)
    person("Ben", preferred_language="es")
    person("Cy").tags.add(friend)
    give(ana, "75", datetime.date(2025, 6, 1))
    assert members({"tags_any": [friend.pk], "language": "es", "lybunt": True}) == {"Ana"}


def test_members_of_other_audiences_included_and_excluded():
    person("Ana", preferred_language="es", region="CA")
    person("Ben", preferred_language="es")
    person("Cy", region="CA")
    spanish = Audience.objects.create(name="Spanish", criteria={"language": "es"})
    california = Audience.objects.create(name="California", criteria={"regions": ["CA"]})
    everyone = Audience.objects.create(name="Everyone", criteria={})
    assert members({"include_audiences": [spanish.pk]}) == {"Ana", "Ben"}
    assert members({"include_audiences": [spanish.pk, california.pk]}) == {"Ana", "Ben", "Cy"}
    assert members({"exclude_audiences": [california.pk]}) == {"Ben"}
    assert members({"exclude_audiences": [everyone.pk]}) == set()
    nested = Audience.objects.create(name="Nested", criteria={"include_audiences": [spanish.pk]})
    assert members({"include_audiences": [nested.pk], "exclude_audiences": [california.pk]}) == {
        "Ben"
    }


def test_an_audience_is_worked_out_afresh_each_time():
    audience = Audience.objects.create(name="Spanish", criteria={"language": "es"})
    person("Ana", preferred_language="es")
    assert audience_supporters(audience).count() == 1
    person("Ben", preferred_language="es")
    assert audience_supporters(audience).count() == 2


def test_merged_away_supporters_never_appear(staff):
    kept = person("Ana", preferred_language="es")
    other = person("Anna", preferred_language="es")
    audience = Audience.objects.create(name="Spanish", criteria={"language": "es"})
    supporters_merge(survivor=kept, other=other, actor=staff)
    assert list(audience_supporters(audience)) == [kept]


def test_a_loop_between_audiences_is_refused():
    first = Audience.objects.create(name="First", criteria={})
    second = Audience.objects.create(name="Second", criteria={"include_audiences": [first.pk]})
    errors = criteria_errors({"exclude_audiences": [second.pk]}, audience_id=first.pk)
    assert errors == {
        "exclude_audiences": [
            "That would make a loop: this audience → Second → this audience. "
            "An audience cannot contain itself."
        ]
    }
    # A loop that got into the data anyway (two edits at once) stops the evaluation.
    Audience.objects.filter(pk=first.pk).update(criteria={"include_audiences": [second.pk]})
    first.refresh_from_db()
    with pytest.raises(AudienceError, match="loop: First → Second → First"):
        audience_supporters(first)


def test_an_audience_cannot_include_itself_or_both_include_and_exclude_one():
    audience = Audience.objects.create(name="Me", criteria={})
    other = Audience.objects.create(name="Other", criteria={})
    assert "include_audiences" in criteria_errors(
        {"include_audiences": [audience.pk]}, audience_id=audience.pk
    )
    errors = criteria_errors({"include_audiences": [other.pk], "exclude_audiences": [other.pk]})
    assert errors == {"exclude_audiences": ["Checked both to include and to exclude: Other."]}


def test_a_deleted_nested_audience_stops_the_evaluation_with_its_number():
    audience = Audience(name="Orphan", criteria={"exclude_audiences": [999]})
    with pytest.raises(AudienceError, match="audience #999, which was deleted"):
        audience_supporters(audience).count()


@pytest.mark.parametrize(
    ("criteria", "field", "message"),
    [
        ({"country": "USA"}, "country", "Use the two-letter country code"),
        ({"country": "US", "regions": ["CA", "XX"]}, "regions", "Not a US state code: XX"),
        ({"zip_prefix": "94;1"}, "zip_prefix", "Use only letters, digits"),
        ({"gave_from": "2026-05-01", "gave_to": "2026-01-01"}, "gave_to", "is before"),
        ({"gave_from": "May 1"}, "gave_from", "Enter a valid date"),
        ({"highest_min": "100", "highest_max": "50"}, "highest_max", "Must be more than"),
        ({"lifetime_min": "-5"}, "lifetime_min", "greater than or equal to 0"),
        ({"lapsed_months": 0}, "lapsed_months", "greater than or equal to 1"),
        ({"never_gave": True, "lybunt": True}, "never_gave", "cannot be combined"),
        ({"tags_any": [98765]}, "tags_any", "A tag you chose no longer exists"),
        ({"language": "fr"}, "language", "Select a valid choice"),
        ({"favourite_colour": "red"}, "criteria", "Unknown criterion: favourite_colour"),
    ],
)
def test_each_criterion_is_checked_with_a_clear_message(criteria, field, message):
    errors = criteria_errors(criteria)
    assert field in errors, errors
    assert message in " ".join(errors[field])


def test_the_model_refuses_bad_criteria_on_full_clean():
    with pytest.raises(ValidationError, match="two-letter country code"):
        Audience(name="Bad", criteria={"country": "USA"}).full_clean()


# --- Exclusions before a send -------------------------------------------------------------


def test_email_exclusions_count_each_person_under_the_first_reason():
    person("Ok1", email="ok1@example.org")
    person("Ok2", email="ok2@example.org")
    person("Dead", email="dead@example.org", deceased=True, do_not_email=True)
    person("Dnc", email="dnc@example.org", do_not_contact=True)
    person("Dne", email="dne@example.org", do_not_email=True)
    person("Out", email="out@example.org", email_opt_in="opted_out")
    person("None", email="")
    person("Twin", email="ok1+appeals@example.org")  # the same inbox as Ok1
    result = audience_exclusions(Audience(criteria={}), "email")
    assert result.excluded == {
        "deceased": 1,
        "do_not_contact": 1,
        "do_not_email": 2,
        "no_email": 1,
        "suppressed": 0,
        "same_email": 1,
    }
    assert result.audience_count == 8 and result.recipient_count == 2
    assert {s.first_name for s in result.recipients} == {"Ok1", "Ok2"}


def test_gmail_dots_are_one_inbox_and_the_earliest_record_is_kept():
    first = person("First", email="ana.lopez@gmail.com")
    person("Second", email="analopez@gmail.com")
    result = audience_exclusions(Audience(criteria={}), "email")
    assert result.excluded["same_email"] == 1
    assert list(result.recipients) == [first]


def test_a_duplicate_of_someone_left_out_is_not_a_duplicate():
    person("Refused", email="ana@example.org", do_not_email=True)
    kept = person("Kept", email="ana+news@example.org")
    result = audience_exclusions(Audience(criteria={}), "email")
    assert result.excluded["do_not_email"] == 1 and result.excluded["same_email"] == 0
    assert list(result.recipients) == [kept]


def test_print_exclusions_and_one_letter_per_household():
    home = {"address_line1": "12 Oak St., Apt 4", "postal_code": "94110"}
    person("Ana", **home)
    person("Ben", address_line1="12 oak st  apt 4", postal_code="94110-1234")  # same home
    person("Cy", address_line1="12 Oak St", postal_code="94110")  # another door
    person("Dead", deceased=True)
    person("Dnc", do_not_contact=True)
    person("Dnm", do_not_mail=True, email="")
    person("NoCity", city="")
    person("NoLine", address_line1="")
    person("Emailer", do_not_email=True)  # may still get a letter
    result = audience_exclusions(Audience(criteria={}), "print")
    assert result.excluded == {
        "deceased": 1,
        "do_not_contact": 1,
        "do_not_mail": 1,
        "no_address": 2,
        "same_household": 1,
    }
    assert {s.first_name for s in result.recipients} == {"Ana", "Cy", "Emailer"}
    assert [row["label"] for row in result.as_rows()][-1].startswith("Same household")


def test_exclusions_apply_to_the_audience_only():
    person("Ana", preferred_language="es", deceased=True)
    person("Ben", deceased=True)
    person("Cy", preferred_language="es")
    result = audience_exclusions(Audience(criteria={"language": "es"}), "print")
    assert result.audience_count == 2 and result.excluded["deceased"] == 1
    assert result.recipient_count == 1


def test_suppressed_emails_are_a_hook_that_suppresses_nobody_yet():
    from mailings.audiences.selectors import suppressed_emails

    person("Ana")
    assert list(suppressed_emails()) == []
    assert audience_exclusions(Audience(criteria={}), "email").excluded["suppressed"] == 0


def test_an_unknown_channel_is_refused():
    with pytest.raises(ValueError, match="Unknown channel 'fax'"):
        audience_exclusions(Audience(criteria={}), "fax")


def test_preview_lists_names_place_and_last_gift():
    ana = person("Ana", last_name="Alvarez", city="Oakland", region="CA")
    person("Ben", last_name="Brown")
    give(ana, "60", datetime.date(2026, 2, 1))
    rows = audience_preview(Audience(criteria={}))
    assert [r["name"] for r in rows] == ["Ana Alvarez", "Ben Brown"]
    assert rows[0]["place"] == "Oakland, CA"
    assert (rows[0]["last_gift_on"], rows[0]["last_gift_amount"]) == (
        datetime.date(2026, 2, 1),
        Decimal("60.00"),
    )
    assert rows[1]["last_gift_on"] is None


def _queries_for_a_full_check(audience: Audience) -> int:
    with CaptureQueriesContext(connection) as queries:
        audience_supporters(audience).count()
        audience_exclusions(audience, "email")
        audience_exclusions(audience, "print")
        audience_preview(audience)
    return len(queries)


def test_evaluation_is_a_bounded_number_of_queries_whatever_the_size():
    friend = TagFactory(name="Friend")
    spanish = Audience.objects.create(name="Spanish", criteria={"language": "es"})
    audience = Audience.objects.create(
        name="Typical",
        criteria={
            "tags_any": [friend.pk],
            "lybunt": True,
            "highest_min": "10",
            "exclude_audiences": [spanish.pk],
        },
    )
    audience_supporters(audience).count()  # the fiscal year is read once and remembered

    def add(n: int) -> None:
        for _ in range(n):
            supporter = SupporterFactory()
            supporter.tags.add(friend)
            give(supporter, "25", datetime.date(2025, 3, 1))

    add(3)
    small = _queries_for_a_full_check(audience)
    add(30)
    assert _queries_for_a_full_check(audience) == small
    # count + email + print + preview, and the nested audiences once per evaluation; print
    # also asks once whether any household is on file (its folding changes only then)
    assert small <= 9
    assert audience_supporters(audience).count() == 33
