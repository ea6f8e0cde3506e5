"""A local stand-in for the part of Stripe's API the site calls, served over real HTTP on
127.0.0.1 so that the real stripe SDK talks to it (point settings.STRIPE_API_BASE at .url).

POST /v1/checkout/sessions     form-encoded, as the SDK sends it; replays the first response for a
                               repeated Idempotency-Key, and refuses one reused with other params
GET  /v1/checkout/sessions/ID  a session created here
GET  /v1/subscriptions/ID      a subscription added by the test (subscription_add)
POST /v1/subscriptions/ID      items[].price_data (a new price of the product), pause_collection
                               (set, or '' to unset), proration_behavior, as Stripe applies them
DELETE /v1/subscriptions/ID    cancel now; cancellation_details[comment] read from the query
POST /v1/billing_portal/sessions  a customer portal session for a known customer

Every request is recorded with its headers and its body decoded into nested dicts and lists.
"""

import itertools
import json
import re
import secrets
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl


@dataclass
class Recorded:
    method: str
    path: str
    headers: dict[str, str]
    form: dict[str, Any]
    body: str


def parse_form(body: str) -> dict[str, Any]:
    """'metadata[a]=1&line_items[0][quantity]=1' -> {'metadata': {'a': '1'},
    'line_items': [{'quantity': '1'}]}."""
    root: dict[str, Any] = {}
    for key, value in parse_qsl(body, keep_blank_values=True):
        parts = re.findall(r"[^\[\]]+", key)
        node = root
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        node[parts[-1]] = value
    return _lists(root)


def _lists(node: Any) -> Any:
    if not isinstance(node, dict):
        return node
    if node and all(key.isdigit() for key in node):
        return [_lists(node[key]) for key in sorted(node, key=int)]
    return {key: _lists(value) for key, value in node.items()}


@dataclass
class StripeStandIn:
    requests: list[Recorded] = field(default_factory=list)
    sessions: dict[str, dict[str, Any]] = field(default_factory=dict)
    subscriptions: dict[str, dict[str, Any]] = field(default_factory=dict)
    portal_sessions: list[dict[str, Any]] = field(default_factory=list)
    # Set to (status, error type, message) to make the next request that creates or changes
    # something fail (a session, a subscription change, a portal session).
    fail_next: tuple[int, str, str] | None = None
    # Set to (status, error type, message) to make every such request fail, retries included
    # (the SDK retries a 5xx), until it is set back to None.
    outage: tuple[int, str, str] | None = None
    # Called with a subscription just changed, before the answer is sent: where a test sends
    # the webhook event Stripe would, while the caller is still waiting for the answer.
    after_change: Any = None
    _by_key: dict[str, tuple[str, dict[str, Any]]] = field(default_factory=dict)
    _ids: Any = field(default_factory=lambda: itertools.count(1))
    _server: ThreadingHTTPServer | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def url(self) -> str:
        assert self._server is not None, "start() the stand-in first"
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    @property
    def session_requests(self) -> list[Recorded]:
        return [
            r for r in self.requests if r.method == "POST" and r.path == "/v1/checkout/sessions"
        ]

    def start(self) -> "StripeStandIn":
        standin = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                standin._handle(self, "POST")

            def do_GET(self) -> None:  # noqa: N802
                standin._handle(self, "GET")

            def do_DELETE(self) -> None:  # noqa: N802
                standin._handle(self, "DELETE")

            def log_message(self, *args: object) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    def __enter__(self) -> "StripeStandIn":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # --- the API -------------------------------------------------------------------------

    def _handle(self, http: BaseHTTPRequestHandler, method: str) -> None:
        length = int(http.headers.get("Content-Length") or 0)
        body = http.rfile.read(length).decode() if length else ""
        path, _, query = http.path.partition("?")
        # GET and DELETE carry their parameters in the query string, as the SDK sends them.
        form = parse_form(body if method == "POST" else query)
        recorded = Recorded(method, path, dict(http.headers.items()), form, body or query)
        with self._lock:
            self.requests.append(recorded)
            status, payload, replayed = self._answer(recorded)
        data = json.dumps(payload).encode()
        http.send_response(status)
        http.send_header("Content-Type", "application/json")
        http.send_header("Content-Length", str(len(data)))
        http.send_header("Request-Id", f"req_standin_{secrets.token_hex(6)}")
        if replayed:
            http.send_header("Idempotent-Replayed", "true")
        http.end_headers()
        http.wfile.write(data)

    def _answer(self, request: Recorded) -> tuple[int, dict[str, Any], bool]:
        if not (request.headers.get("Authorization") or "").startswith("Bearer sk_"):
            return 401, _error("invalid_request_error", "You did not provide an API key."), False
        if request.method == "POST" and request.path == "/v1/checkout/sessions":
            return self._create_session(request)
        match = re.fullmatch(r"/v1/checkout/sessions/([\w]+)", request.path)
        if request.method == "GET" and match:
            session = self.sessions.get(match.group(1))
            if session is None:
                return 404, _error("invalid_request_error", "No such checkout.session"), False
            return 200, session, False
        match = re.fullmatch(r"/v1/subscriptions/([\w]+)", request.path)
        if match:
            return self._subscription(request, match.group(1))
        if request.method == "POST" and request.path == "/v1/billing_portal/sessions":
            return self._portal_session(request)
        return (
            404,
            _error("invalid_request_error", f"Unrecognized request URL {request.path}"),
            False,
        )

    def _create_session(self, request: Recorded) -> tuple[int, dict[str, Any], bool]:
        key = request.headers.get("Idempotency-Key") or ""
        if key and key in self._by_key:
            body, session = self._by_key[key]
            if body != request.body:
                return (
                    400,
                    _error(
                        "idempotency_error",
                        "Keys for idempotent requests can only be used with the same "
                        "parameters they were first used with.",
                    ),
                    False,
                )
            return 200, session, True
        if self.fail_next is not None:
            status, kind, message = self.fail_next
            self.fail_next = None
            return status, _error(kind, message), False
        form = request.form
        items = form.get("line_items") or []
        session_id = f"cs_test_{next(self._ids)}{secrets.token_hex(8)}"
        session = {
            "id": session_id,
            "object": "checkout.session",
            "mode": form.get("mode", "payment"),
            "url": f"https://checkout.stripe.test/c/pay/{session_id}",
            "amount_subtotal": sum(_line_amount(item) for item in items),
            "amount_total": sum(_line_amount(item) for item in items),
            "currency": (items[0].get("price_data") or {}).get("currency") if items else "usd",
            "customer_email": form.get("customer_email"),
            "locale": form.get("locale"),
            "metadata": form.get("metadata") or {},
            "submit_type": form.get("submit_type"),
            "success_url": form.get("success_url"),
            "cancel_url": form.get("cancel_url"),
            "status": "open",
            "payment_status": "unpaid",
            "livemode": False,
            "created": int(time.time()),
        }
        self.sessions[session_id] = session
        if key:
            self._by_key[key] = (request.body, session)
        return 200, session, False

    # --- subscriptions (monthly plans) -------------------------------------------------------

    @property
    def subscription_requests(self) -> list[Recorded]:
        return [r for r in self.requests if r.path.startswith("/v1/subscriptions/")]

    def subscription_add(
        self,
        subscription_id: str,
        *,
        customer: str,
        unit_amount: int,
        period_end: int,
        product: str = "prod_standin_monthly",
    ) -> dict[str, Any]:
        """A live monthly subscription as Stripe returns it (shaped as its sample object)."""
        now = int(time.time())
        subscription = {
            "id": subscription_id,
            "object": "subscription",
            "customer": customer,
            "status": "active",
            "cancel_at": None,
            "cancel_at_period_end": False,
            "canceled_at": None,
            "cancellation_details": {"comment": None, "feedback": None, "reason": None},
            "collection_method": "charge_automatically",
            "created": now,
            "currency": "usd",
            "ended_at": None,
            "items": {
                "object": "list",
                "data": [
                    {
                        "id": f"si_{subscription_id.removeprefix('sub_')}",
                        "object": "subscription_item",
                        "created": now,
                        "current_period_start": now,
                        "current_period_end": period_end,
                        "metadata": {},
                        "price": _price(product, unit_amount, "month"),
                        "quantity": 1,
                        "subscription": subscription_id,
                    }
                ],
                "has_more": False,
                "url": f"/v1/subscription_items?subscription={subscription_id}",
            },
            "livemode": False,
            "metadata": {},
            "pause_collection": None,
            "start_date": now,
        }
        self.subscriptions[subscription_id] = subscription
        return subscription

    def _subscription(self, request: Recorded, subscription_id: str) -> tuple[int, dict, bool]:
        subscription = self.subscriptions.get(subscription_id)
        if subscription is None:
            return (
                404,
                _error("invalid_request_error", f"No such subscription: '{subscription_id}'"),
                False,
            )
        if request.method == "GET":
            return 200, subscription, False
        if (failure := self._failure()) is not None:
            return failure
        if subscription["status"] == "canceled":
            message = (
                "A canceled subscription can only update its cancellation_details and metadata."
            )
            return 400, _error("invalid_request_error", message), False
        form = request.form
        if request.method == "DELETE":
            subscription["status"] = "canceled"
            subscription["canceled_at"] = subscription["ended_at"] = int(time.time())
            details = form.get("cancellation_details") or {}
            subscription["cancellation_details"] = {
                "comment": details.get("comment") or None,
                "feedback": details.get("feedback") or None,
                "reason": "cancellation_requested",
            }
            return 200, subscription, False
        items = subscription["items"]["data"]
        for change in form.get("items") or []:
            item = next((i for i in items if i["id"] == change.get("id")), None)
            if item is None:
                return 400, _error("invalid_request_error", "No such subscription item"), False
            data = change.get("price_data")
            if data:
                interval = (data.get("recurring") or {}).get("interval", "month")
                item["price"] = _price(data["product"], int(data["unit_amount"]), interval)
        if "pause_collection" in form:
            pause = form["pause_collection"]
            subscription["pause_collection"] = (
                {
                    "behavior": pause["behavior"],
                    "resumes_at": int(pause["resumes_at"]) if pause.get("resumes_at") else None,
                }
                if pause
                else None
            )
        if self.after_change is not None:
            self.after_change(subscription)
        return 200, subscription, False

    def _failure(self) -> tuple[int, dict[str, Any], bool] | None:
        failure, self.fail_next = self.fail_next or self.outage, None
        if failure is None:
            return None
        status, kind, message = failure
        return status, _error(kind, message), False

    def _portal_session(self, request: Recorded) -> tuple[int, dict[str, Any], bool]:
        if (failure := self._failure()) is not None:
            return failure
        form = request.form
        customers = {s["customer"] for s in self.subscriptions.values()}
        if form.get("customer") not in customers:
            message = f"No such customer: '{form.get('customer')}'"
            return 400, _error("invalid_request_error", message), False
        session_id = f"bps_test_{secrets.token_hex(8)}"
        session = {
            "id": session_id,
            "object": "billing_portal.session",
            "configuration": "bpc_standin",
            "created": int(time.time()),
            "customer": form["customer"],
            "flow": {
                "type": (form.get("flow_data") or {}).get("type"),
                "after_completion": {"type": "portal_homepage", "redirect": None},
            },
            "livemode": False,
            "locale": form.get("locale"),
            "on_behalf_of": None,
            "return_url": form.get("return_url"),
            "url": f"https://billing.stripe.test/p/session/{session_id}",
        }
        self.portal_sessions.append(session)
        return 200, session, False


def _price(product: str, unit_amount: int, interval: str) -> dict[str, Any]:
    return {
        "id": f"price_{secrets.token_hex(8)}",
        "object": "price",
        "active": True,
        "billing_scheme": "per_unit",
        "currency": "usd",
        "livemode": False,
        "product": product,
        "recurring": {"interval": interval, "interval_count": 1, "usage_type": "licensed"},
        "type": "recurring",
        "unit_amount": unit_amount,
        "unit_amount_decimal": str(unit_amount),
    }


def _line_amount(item: dict[str, Any]) -> int:
    price = item.get("price_data") or {}
    return int(price.get("unit_amount") or 0) * int(item.get("quantity") or 1)


def _error(kind: str, message: str) -> dict[str, Any]:
    return {"error": {"type": kind, "message": message}}
