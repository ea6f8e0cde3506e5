"""The clients of bench/webhooks.py: keep-alive connections, one per client thread, posting
what a request maker hands out (signed webhook events, or the same bytes to the ceiling view)
and timing each answer."""

import http.client
import statistics
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from webhook_traffic import Traffic

WEBHOOK = "/stripe/webhook/"
CEILING = "/bench/ceiling/"  # as in bench/ceiling_urls.py
PHASE_SECONDS = 45  # a phase stops here even if not all its events were sent


@dataclass
class Request:
    path: str
    body: bytes
    headers: dict[str, str]
    kind: str
    on_200: Callable[[], None] | None = None


@dataclass
class Phase:
    latencies: list[float] = field(default_factory=list)
    by_kind: dict[str, list[float]] = field(default_factory=dict)
    statuses: Counter = field(default_factory=Counter)
    samples: list[str] = field(default_factory=list)  # first few non-200 answers
    sent: int = 0
    seconds: float = 0.0
    client_cpu: float = 0.0  # CPU seconds the load generator itself used (shares the cores)

    @property
    def rate(self) -> float:
        return self.sent / self.seconds

    @property
    def failed(self) -> int:
        return self.sent - self.statuses[200]

    def percentile(self, q: int, kind: str | None = None) -> float:
        latencies = self.by_kind[kind] if kind else self.latencies
        return statistics.quantiles(latencies, n=100, method="inclusive")[q - 1] * 1000


def webhook_requests(traffic: Traffic) -> Callable[[], Request]:
    from django.conf import settings

    from donations.stripe.client import sign_payload

    secret = settings.STRIPE_WEBHOOK_SECRET

    def make() -> Request:
        drawn = traffic.next()
        # Signed just before sending: the view refuses signatures older than 5 minutes.
        headers = {
            "Content-Type": "application/json",
            "Stripe-Signature": sign_payload(drawn.body, secret=secret, timestamp=int(time.time())),
        }
        return Request(WEBHOOK, drawn.body, headers, drawn.kind, lambda: traffic.answered(drawn))

    return make


def ceiling_requests(body: bytes) -> Callable[[], Request]:
    """The same bytes and headers a webhook delivery carries, to the view that does nothing;
    the signature is computed as the webhook's client does, so the client's work is the same."""
    from donations.stripe.client import sign_payload

    def make() -> Request:
        headers = {
            "Content-Type": "application/json",
            "Stripe-Signature": sign_payload(body, secret="whsec_x", timestamp=int(time.time())),
        }
        return Request(CEILING, body, headers, "no-op")

    return make


def run_phase(port: int, make: Callable[[], Request], *, clients: int, events: int) -> Phase:
    result = Phase()
    lock = threading.Lock()
    left = [events]
    deadline = time.monotonic() + PHASE_SECONDS

    def client() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        while time.monotonic() < deadline:
            with lock:
                if not left[0]:
                    break
                left[0] -= 1
            request = make()
            started = time.perf_counter()
            try:
                conn.request("POST", request.path, request.body, request.headers)
                response = conn.getresponse()
                answer = response.read()
                status = response.status
            except (OSError, http.client.HTTPException) as exc:
                conn.close()  # reconnects on the next request
                status, answer = 0, repr(exc).encode()
            elapsed = time.perf_counter() - started
            if status == 200 and request.on_200:
                request.on_200()
            with lock:
                result.latencies.append(elapsed)
                result.by_kind.setdefault(request.kind, []).append(elapsed)
                result.statuses[status] += 1
                result.sent += 1
                if status != 200 and len(result.samples) < 3:
                    text = answer[:200].decode(errors="replace")
                    result.samples.append(f"{status} {request.kind}: {text}")
        conn.close()

    threads = [threading.Thread(target=client, daemon=True) for _ in range(clients)]
    started, cpu = time.perf_counter(), time.process_time()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    result.seconds = time.perf_counter() - started
    result.client_cpu = time.process_time() - cpu
    return result
