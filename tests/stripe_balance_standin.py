"""A local stand-in for Stripe's balance API, served over real HTTP on 127.0.0.1 so that the
real stripe SDK talks to it (point settings.STRIPE_API_BASE at .url):

GET /v1/balance_transactions/ID                 one balance transaction
GET /v1/balance_transactions?payout=po_...      a payout's transactions, `page_size` a page,
                                                paged by starting_after as Stripe pages
GET /v1/payment_intents/ID                      a payment intent (latest_charge as given)

Every request is recorded as (path, query) with the query decoded.
"""

import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlparse


@dataclass
class BalanceStandIn:
    transactions: dict[str, dict[str, Any]] = field(default_factory=dict)
    payouts: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    payment_intents: dict[str, dict[str, Any]] = field(default_factory=dict)
    page_size: int = 2
    requests: list[tuple[str, dict[str, list[str]]]] = field(default_factory=list)
    _server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def __enter__(self) -> "BalanceStandIn":
        standin = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802
                status, body = standin._answer(self)
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: object) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        assert self._server is not None
        self._server.shutdown()
        self._server.server_close()

    def _answer(self, http: BaseHTTPRequestHandler) -> tuple[int, dict[str, Any]]:
        url = urlparse(http.path)
        query = parse_qs(url.query)
        self.requests.append((url.path, query))
        if not (http.headers.get("Authorization") or "").startswith("Bearer sk_"):
            return 401, _error("You did not provide an API key.")
        parts = url.path.strip("/").split("/")
        if parts[:2] == ["v1", "balance_transactions"] and len(parts) == 3:
            found = self.transactions.get(parts[2])
            return (200, found) if found else (404, _error("No such balance transaction"))
        if parts == ["v1", "balance_transactions"]:
            return 200, self._page(query)
        if parts[:2] == ["v1", "payment_intents"] and len(parts) == 3:
            found = self.payment_intents.get(parts[2])
            return (200, found) if found else (404, _error("No such payment_intent"))
        return 404, _error(f"Unrecognized request URL {url.path}")

    def _page(self, query: dict[str, list[str]]) -> dict[str, Any]:
        items = self.payouts.get(query.get("payout", [""])[0], [])
        start = 0
        if "starting_after" in query:
            ids = [item["id"] for item in items]
            start = ids.index(query["starting_after"][0]) + 1
        page = items[start : start + self.page_size]
        return {
            "object": "list",
            "url": "/v1/balance_transactions",
            "data": page,
            "has_more": start + self.page_size < len(items),
        }


def _error(message: str) -> dict[str, Any]:
    return {"error": {"type": "invalid_request_error", "message": message}}


def balance_transaction(
    txn_id: str,
    *,
    amount: int,
    fee: int,
    type: str = "charge",  # noqa: A002 - Stripe's field name
    source: Any = None,
    reporting_category: str | None = None,
    description: str | None = None,
    created: int = 1767268800,
) -> dict[str, Any]:
    """A balance transaction in Stripe's shape (see shared/stripe/object-samples.json)."""
    return {
        "id": txn_id,
        "object": "balance_transaction",
        "amount": amount,
        "available_on": created + 2 * 86400,
        "balance_type": "payments",
        "created": created,
        "currency": "usd",
        "description": description,
        "exchange_rate": None,
        "fee": fee,
        "fee_details": [
            {
                "amount": fee,
                "application": None,
                "currency": "usd",
                "description": "Stripe processing fees",
                "type": "stripe_fee",
            }
        ]
        if fee
        else [],
        "net": amount - fee,
        "reporting_category": reporting_category or type,
        "source": source,
        "status": "available",
        "type": type,
    }
