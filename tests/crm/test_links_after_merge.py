"""Links sent before a merge keep working: the unsubscribe and donate links of a merged-away
supporter act on the record that survived, through merges of merges too (CAN-SPAM, RFC 8058)."""

import urllib.parse
import urllib.request

import pytest

from crm.models import Supporter, SupporterMerge
from crm.selectors import supporter_current
from crm.services import supporters_merge
from donations.models import Fund, Gift
from donations.online.tokens import make_donate_token
from mailings.letters.merge_values import unsubscribe_token
from tests.donations.donate_form import gift
from tests.factories import SupporterFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def chain():
    """Ana's old record was merged into a second one, which was later merged into a third."""
    first = SupporterFactory(first_name="Ana", last_name="Ruiz", email="ana.old@example.org")
    second = SupporterFactory(first_name="Ana", last_name="Ruiz", email="")
    third = SupporterFactory(
        first_name="Ana María", last_name="Ruiz", email="ana@example.org", email_opt_in="opted_in"
    )
    supporters_merge(survivor=second, other=first)
    supporters_merge(survivor=third, other=second)
    return first.pk, second.pk, third


def post(url: str, data: dict[str, str]) -> tuple[int, str]:
    body = urllib.parse.urlencode(data).encode()
    request = urllib.request.Request(url, data=body, method="POST")  # noqa: S310 - live_server
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
        return response.status, response.read().decode()


def test_the_merge_log_of_an_earlier_merge_moves_to_the_new_survivor(chain):
    first_id, second_id, third = chain
    assert set(SupporterMerge.objects.values_list("merged_supporter_id", "survivor_id")) == {
        (first_id, third.pk),
        (second_id, third.pk),
    }
    assert supporter_current(first_id) == third
    assert supporter_current(second_id) == third
    assert supporter_current(987654) is None


def test_a_merged_away_records_one_click_unsubscribe_reaches_the_survivor(live_server, chain):
    first_id, _, third = chain
    status, page = post(
        f"{live_server.url}/u/{unsubscribe_token(first_id)}/", {"List-Unsubscribe": "One-Click"}
    )
    assert status == 200 and "You are unsubscribed from appeals" in page
    third.refresh_from_db()
    assert third.email_opt_in == "opted_out" and not third.can_email


def test_a_merged_away_records_unsubscribe_page_asks_about_the_survivor(live_server, chain):
    _, second_id, third = chain
    url = f"{live_server.url}/u/{unsubscribe_token(second_id)}/"
    with urllib.request.urlopen(url, timeout=30) as response:  # noqa: S310 - live_server
        assert response.status == 200
        assert "ana@example.org" in response.read().decode()
    third.refresh_from_db()
    assert not third.do_not_email, "opening the page changes nothing"


def test_a_merged_away_records_donate_link_credits_the_survivor(client, settings, chain):
    settings.STRIPE_SECRET_KEY = ""
    Fund.objects.create(name="General", code="general", is_default=True)
    first_id, _, third = chain
    url = f"/donate/?t={make_donate_token(first_id, 'spring26', [40, 80, 120])}"
    page = client.get(url).content.decode()
    assert 'value="Ana María"' in page and 'value="ana@example.org"' in page
    assert "$80" in page

    started = gift(client, url=url, amount="80", email="ana@example.org", first_name="Ana María")
    assert started.status_code == 302
    client.post(started["Location"])
    donation = Gift.objects.get()
    assert donation.supporter == third
    assert Supporter.objects.count() == 1
