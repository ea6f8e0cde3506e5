import io
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

import pytest
from django.core.management import CommandError, call_command

from donations.models import Fund, Gift, StripeEvent
from tests.donations.stripe_events import event, post, stripe_object

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fund(db):
    Fund.objects.create(name="General", code="general", is_default=True)


@pytest.fixture
def stripe_events_api(settings):
    """A local stand-in for Stripe's GET /v1/events, paging two at a time, newest first."""
    served: list[dict] = []
    requests: list[dict] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802
            if urlparse(self.path).path != "/v1/events":
                # Another read (a gift's fee, donations.deposits.payouts): not this stand-in's part.
                self.send_error(404)
                return
            query = parse_qs(urlparse(self.path).query)
            requests.append(query)
            start = 0
            if "starting_after" in query:
                ids = [e["id"] for e in served]
                start = ids.index(query["starting_after"][0]) + 1
            page = served[start : start + 2]
            body = json.dumps(
                {
                    "object": "list",
                    "url": "/v1/events",
                    "data": page,
                    "has_more": start + 2 < len(served),
                }
            ).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    settings.STRIPE_API_BASE = f"http://127.0.0.1:{server.server_address[1]}"
    settings.STRIPE_SECRET_KEY = "sk_test_standin"
    yield served, requests
    server.shutdown()


def test_reprocess_retries_failed_events(client):
    refund = event("charge.refunded", stripe_object("charge_refunded"))
    assert post(client, refund).status_code == 200  # stored; its processing failed
    post(client, event("checkout.session.completed", stripe_object("checkout_session_payment")))
    call_command("stripe_reprocess")
    assert StripeEvent.objects.filter(processed_at__isnull=True).count() == 0
    assert Gift.objects.get().status == "refunded"


def test_sync_fetches_missed_events_oldest_first_and_skips_known_ones(client, stripe_events_api):
    served, requests = stripe_events_api
    checkout = json.loads(
        event("checkout.session.completed", stripe_object("checkout_session_payment"))
    )
    refund = json.loads(event("charge.refunded", stripe_object("charge_refunded")))
    unrelated = json.loads(event("customer.created", {"id": "cus_x", "object": "customer"}))
    served += [refund, unrelated, checkout]  # newest first, as Stripe lists them
    call_command("stripe_sync", "--since", "2026-01-01")
    assert Gift.objects.get().status == "refunded"
    assert StripeEvent.objects.count() == 2
    assert requests[0]["created[gte]"] == ["1767225600"]
    assert len(requests) == 2, "followed has_more to the second page"
    call_command("stripe_sync", "--since", "2026-01-01")
    assert StripeEvent.objects.count() == 2 and Gift.objects.count() == 1


def test_sync_reports_an_impossible_event_as_needing_attention_not_failed(stripe_events_api):
    served, _ = stripe_events_api
    session = stripe_object("checkout_session_payment")
    session["amount_total"] = -500
    served.append(json.loads(event("checkout.session.completed", session)))
    out, err = io.StringIO(), io.StringIO()
    call_command("stripe_sync", "--since", "2026-01-01", stdout=out, stderr=err)
    assert "0 failed, 1 need(s) attention" in out.getvalue()
    assert "needs attention" in err.getvalue()
    assert Gift.objects.count() == 0
    assert StripeEvent.objects.get().attention


def test_sync_refuses_a_bad_date():
    with pytest.raises(CommandError, match="must be a date"):
        call_command("stripe_sync", "--since", "yesterday")
