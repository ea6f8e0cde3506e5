"""An audience's email count leaves out suppressed addresses, found by the hash both sides
keep: a hard bounce recorded before the supporter was imported again still counts."""

import pytest

from core.models import Suppression
from core.outbox.suppression import suppression_add
from mailings.audiences.models import Audience
from mailings.audiences.selectors import audience_exclusions
from tests.factories import SupporterFactory

pytestmark = pytest.mark.django_db


def test_a_suppressed_address_is_left_out_of_email_but_not_print():
    suppression_add(
        email="Bounced@Example.org", scope=Suppression.Scope.ALL, reason=Suppression.Reason.BOUNCED
    )
    bounced = SupporterFactory(email="bounced@example.org", address_line1="1 Main St",
                               city="Queens", postal_code="11368", country="US")  # fmt: skip
    kept = SupporterFactory(email="ana@example.org")
    everyone = Audience.objects.create(name="Everyone", criteria={})

    email = audience_exclusions(everyone, "email")
    assert email.excluded["suppressed"] == 1
    assert list(email.recipients.values_list("pk", flat=True)) == [kept.pk]
    assert bounced.pk in audience_exclusions(everyone, "print").recipients.values_list(
        "pk", flat=True
    )
