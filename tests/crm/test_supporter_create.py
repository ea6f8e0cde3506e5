"""crm.services.supporter_create: a supporter typed by staff, checked by the record's rules
and by the duplicate finder's before it is saved."""

import pytest
from django.core.exceptions import ValidationError

from crm.models import Supporter
from crm.selectors import supporter_lookalikes
from crm.services import LooksLikeExisting, supporter_create
from tests.factories import SupporterFactory

pytestmark = pytest.mark.django_db


def test_it_creates_the_supporter_with_a_history_row_naming_staff(staff):
    ana = supporter_create(
        values={"first_name": "Ana", "last_name": "Ruiz", "email": " Ana@Example.org "},
        created_by=staff,
        source="check batch",
    )
    assert (ana.email, ana.match_name, ana.source) == ("ana@example.org", "ana ruiz", "check batch")
    record = ana.history.get()
    assert (record.history_user, record.history_change_reason) == (staff, "Created in check batch")


@pytest.mark.parametrize(
    ("values", "reasons"),
    [
        ({"email": "JO@example.org"}, ("Same email",)),
        ({"first_name": "Jo", "last_name": "Smith", "postal_code": "10001-1234"},
         ("Same name and postal code",)),
        ({"first_name": "JO", "last_name": "smith", "phone": "(212) 555-0100"},
         ("Same name and phone",)),
    ],
)  # fmt: skip
def test_a_lookalike_is_named_and_nothing_is_saved(values, reasons):
    jo = SupporterFactory(
        first_name="Jo", last_name="Smith", email="jo@example.org", postal_code="10001",
        phone="212-555-0100",
    )  # fmt: skip
    with pytest.raises(LooksLikeExisting) as found:
        supporter_create(values={"last_name": "X", **values})
    assert [(m.first, m.reasons) for m in found.value.matches] == [(jo, reasons)]
    assert Supporter.objects.count() == 1


def test_staff_may_add_a_namesake_they_confirmed_but_never_a_used_email():
    namesake = {"first_name": "Jo", "last_name": "Smith", "postal_code": "10001"}
    SupporterFactory(**namesake, email="jo@example.org")
    assert supporter_create(values=namesake, allow_lookalikes=True).pk
    with pytest.raises(LooksLikeExisting) as found:
        supporter_create(
            values={"last_name": "Other", "email": "jo@example.org"}, allow_lookalikes=True
        )
    assert found.value.same_email
    assert Supporter.objects.count() == 2


def test_a_record_without_a_name_is_refused_by_field():
    with pytest.raises(ValidationError) as refused:
        supporter_create(values={"city": "Waco"})
    assert "last_name" in refused.value.message_dict
    assert not Supporter.objects.exists()


def test_blank_keys_match_nobody():
    SupporterFactory(first_name="", last_name="Lee", email="", postal_code="", phone="")
    assert supporter_lookalikes(Supporter(last_name="Kim")) == []
