"""The email a monthly donor gets when a renewal fails: the amount written as dollars are
everywhere else, in either language (it once read $1000,00 in Spanish)."""

from decimal import Decimal

import pytest

from donations.acknowledgements.emails import payment_failed_notice_queue
from donations.models import RecurringGift
from tests.factories import SupporterFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", "Your card was declined for your $1,000.00 monthly gift to"),
        ("es", "Su tarjeta fue rechazada para su donación mensual de $1,000.00 a"),
    ],
)
def test_it_writes_the_plan_amount_as_us_dollars(
    language, expected, mailoutbox, django_capture_on_commit_callbacks
):
    donor = SupporterFactory(preferred_language=language)
    plan = RecurringGift.objects.create(supporter=donor, amount=Decimal("1000"), status="active")

    with django_capture_on_commit_callbacks(execute=True):
        assert payment_failed_notice_queue(plan=plan, invoice_id="in_test_1")

    [message] = mailoutbox
    html = message.alternatives[0][0]
    for body in (message.body, html):
        assert expected in " ".join(body.split())
