"""Real-shaped Stripe events for tests, signed the way Stripe signs them."""

import copy
import itertools
import json
import time
from pathlib import Path
from typing import Any

from django.conf import settings

from donations.stripe.client import sign_payload

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "stripe"
_ids = itertools.count(1)


def stripe_object(name: str, **overrides: Any) -> dict[str, Any]:
    obj = json.loads((FIXTURES / f"{name}.json").read_text())
    obj.update(copy.deepcopy(overrides))
    return obj


def event(event_type: str, obj: dict[str, Any], *, event_id: str | None = None) -> bytes:
    return json.dumps(
        {
            "id": event_id or f"evt_test_{next(_ids)}",
            "object": "event",
            "api_version": "2025-10-29.clover",
            "created": int(time.time()),
            "data": {"object": obj},
            "livemode": False,
            "pending_webhooks": 1,
            "request": {"id": None, "idempotency_key": None},
            "type": event_type,
        }
    ).encode()


def signed_headers(
    payload: bytes, *, timestamp: int | None = None, secret: str | None = None
) -> dict[str, str]:
    header = sign_payload(
        payload,
        secret=secret or settings.STRIPE_WEBHOOK_SECRET,
        timestamp=timestamp or int(time.time()),
    )
    return {"HTTP_STRIPE_SIGNATURE": header}


def post(client, payload: bytes, **kwargs: Any):
    return client.post(
        "/stripe/webhook/",
        payload,
        content_type="application/json",
        **signed_headers(payload, **kwargs),
    )
