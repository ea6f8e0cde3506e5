"""The events bench/webhooks.py posts: new checkouts, monthly invoices, refunds of answered
checkouts and replays of answered events, built from Stripe's real-shaped fixtures, with what
was sent remembered for the ledger check."""

import copy
import itertools
import json
import os
import random
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

FIXTURES = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "stripe"
PLANS = 5  # monthly plans whose instalments arrive as invoice.paid
REPLAYS = 0.30  # share of deliveries that re-send an already acknowledged event


@dataclass
class Drawn:
    body: bytes
    kind: str  # the event type, or 'replay'
    refundable: tuple[str, int] | None = None  # a new checkout's payment intent and cents


class Traffic:
    """Hands out the next event to post. An event that needs an earlier one (a refund needs its
    checkout's gift, a replay needs the first delivery) is only drawn once that earlier one
    was answered 200, so concurrent clients never race an event ahead of what it depends on."""

    def __init__(self, seed: int) -> None:
        self.fixtures = {
            path.stem: json.loads(path.read_text()) for path in FIXTURES.glob("*.json")
        }
        self.rng = random.Random(seed)
        self.lock = threading.Lock()
        self.serial = itertools.count(1)
        self.run = f"{int(time.time())}"
        self.acknowledged: list[bytes] = []  # may be replayed
        self.refundable: list[tuple[str, int]] = []  # (intent, cents) of answered checkouts
        self.queued: list[Drawn] = []  # sent before any drawn event
        # What was sent, for the ledger check.
        self.event_ids: set[str] = set()
        self.sessions: set[str] = set()
        self.invoices: set[str] = set()
        self.refunds: set[str] = set()
        self.kinds: Counter[str] = Counter()

    def start_plans(self) -> None:
        """Each plan's first invoice creates it; later instalments find it."""
        for plan in range(PLANS):
            self.queued.append(self._invoice(plan))

    def next(self) -> Drawn:
        with self.lock:
            drawn = self.queued.pop(0) if self.queued else self._draw()
            self.kinds[drawn.kind] += 1
            return drawn

    def answered(self, drawn: Drawn) -> None:
        with self.lock:
            if drawn.kind != "replay":
                self.acknowledged.append(drawn.body)
            if drawn.refundable:
                self.refundable.append(drawn.refundable)

    def sample_body(self) -> bytes:
        """An answered delivery's body, a new checkout's if there was one: bench/webhooks.py
        posts it to the ceiling view, so both carry the same bytes."""
        with self.lock:
            checkouts = [b for b in self.acknowledged if b'"checkout.session.completed"' in b]
            return (checkouts or self.acknowledged)[-1]

    def _draw(self) -> Drawn:
        roll = self.rng.random()
        if roll < REPLAYS and self.acknowledged:
            return Drawn(self.rng.choice(self.acknowledged), "replay")
        if roll < REPLAYS + 0.08 and self.refundable:
            return self._refund(*self.refundable.pop(self.rng.randrange(len(self.refundable))))
        if roll < REPLAYS + 0.20:
            return self._invoice(self.rng.randrange(PLANS))
        return self._checkout()

    def _object(self, name: str, **overrides: object) -> dict:
        obj = copy.deepcopy(self.fixtures[name])
        obj.update(overrides)
        return obj

    def _event(self, kind: str, obj: dict) -> bytes:
        """The envelope Stripe sends (as tests/donations/stripe_events.py builds it)."""
        event_id = f"evt_bench_{self.run}_{next(self.serial)}"
        self.event_ids.add(event_id)
        return json.dumps(
            {
                "id": event_id,
                "object": "event",
                "api_version": "2025-10-29.clover",
                "created": int(time.time()),
                "data": {"object": obj},
                "livemode": False,
                "pending_webhooks": 1,
                "request": {"id": None, "idempotency_key": None},
                "type": kind,
            }
        ).encode()

    def _checkout(self) -> Drawn:
        n = next(self.serial)
        session, intent = f"cs_bench_{self.run}_{n}", f"pi_bench_{self.run}_{n}"
        template = self.fixtures["checkout_session_payment"]
        obj = self._object(
            "checkout_session_payment",
            id=session,
            payment_intent=intent,
            amount_total=self.rng.choice([1000, 2500, 5000, 10000]),
            created=int(time.time()),
            customer_details={
                **template["customer_details"],
                "email": f"donor.{self.run}.{n}@example.org",
                "name": f"Bench Donor{n}",
            },
        )
        obj["amount_subtotal"] = obj["amount_total"]
        self.sessions.add(session)
        kind = "checkout.session.completed"
        return Drawn(self._event(kind, obj), kind, (intent, obj["amount_total"]))

    def _invoice(self, plan: int) -> Drawn:
        n = next(self.serial)
        invoice = f"in_bench_{self.run}_{n}"
        template = self.fixtures["invoice_paid"]
        parent = copy.deepcopy(template["parent"])
        parent["subscription_details"]["subscription"] = f"sub_bench_{self.run}_{plan}"
        now = int(time.time())
        obj = self._object(
            "invoice_paid",
            id=invoice,
            customer=f"cus_bench_{self.run}_{plan}",
            customer_email=f"monthly.{self.run}.{plan}@example.org",
            customer_name=f"Monthly Donor{plan}",
            parent=parent,
            created=now,
            status_transitions={"paid_at": now, "finalized_at": now},
        )
        self.invoices.add(invoice)
        return Drawn(self._event("invoice.paid", obj), "invoice.paid")

    def _refund(self, intent: str, cents: int) -> Drawn:
        obj = self._object(
            "charge_refunded",
            id=intent.replace("pi_", "ch_", 1),
            payment_intent=intent,
            amount=cents,
            amount_captured=cents,
            amount_refunded=cents,
        )
        self.refunds.add(intent)
        return Drawn(self._event("charge.refunded", obj), "charge.refunded")


def ledger_check(traffic: Traffic) -> None:
    """Gifts: one per checkout session and one per invoice sent; StripeEvent: one per event id;
    every event processed; every refunded payment marked refunded."""
    import psycopg

    with psycopg.connect(os.environ["DATABASE_URL"]) as conn:

        def count(sql: str) -> int:
            return conn.execute(sql).fetchone()[0]

        found = {
            "gifts": count("SELECT count(*) FROM donations_gift"),
            "stripe events": count("SELECT count(*) FROM donations_stripeevent"),
            "unprocessed events": count(
                "SELECT count(*) FROM donations_stripeevent WHERE processed_at IS NULL"
            ),
            "refunded gifts": count(
                "SELECT count(*) FROM donations_gift WHERE status = 'refunded'"
            ),
        }
    expected = {
        "gifts": len(traffic.sessions) + len(traffic.invoices),
        "stripe events": len(traffic.event_ids),
        "unprocessed events": 0,
        "refunded gifts": len(traffic.refunds),
    }
    mismatches = [
        f"{name}: {found[name]} in the database, {expected[name]} expected"
        for name in expected
        if found[name] != expected[name]
    ]
    summary = (
        f"{found['gifts']} gifts = {len(traffic.sessions)} sessions + "
        f"{len(traffic.invoices)} invoices; {found['stripe events']} StripeEvent rows = "
        f"distinct event ids; {found['refunded gifts']} refunded"
    )
    if mismatches:
        print("ledger check: MISMATCH: " + "; ".join(mismatches))
        sys.exit(1)
    print(f"ledger check: ok ({summary})")
