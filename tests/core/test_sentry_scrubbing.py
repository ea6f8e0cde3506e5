"""Errors reach Sentry (sentry-sdk, a local stand-in for its ingest API) with the request id,
and without the donor's name, email, address, cookies, form data or local variables."""

import gzip
import json
import threading
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import sentry_sdk
from django.test import Client

from core.telemetry.sentry import sentry_start
from tests.factories import SupporterFactory

pytestmark = pytest.mark.django_db


class SentryStandIn:
    """Takes envelopes at /api/<project>/envelope/ as Sentry's ingest does, and keeps them."""

    def __init__(self) -> None:
        self.bodies: list[bytes] = []

    def __enter__(self) -> "SentryStandIn":
        standin = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                body = self.rfile.read(int(self.headers["Content-Length"]))
                encoding = self.headers.get("Content-Encoding", "")
                if encoding == "gzip":
                    body = gzip.decompress(body)
                elif encoding == "deflate":
                    body = zlib.decompress(body)
                elif encoding == "br":
                    import brotli

                    body = brotli.decompress(body)
                standin.bodies.append(body)
                self.send_response(200)
                self.end_headers()
                self.wfile.write(b"{}")

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.dsn = f"http://publickey@127.0.0.1:{self.server.server_port}/1"
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()

    def events(self) -> list[dict]:
        found = []
        for body in self.bodies:
            lines = body.split(b"\n")
            for header, item in zip(lines[1::2], lines[2::2], strict=False):
                if json.loads(header).get("type") == "event":
                    found.append(json.loads(item))
        return found


@pytest.fixture
def sentry(settings):
    settings.ROOT_URLCONF = "tests.core.sentry_urls"
    with SentryStandIn() as standin:
        sentry_start(dsn=standin.dsn, environment="test")
        try:
            yield standin
        finally:
            sentry_sdk.get_client().close()
            sentry_sdk.init(dsn=None)


def test_an_error_reaches_sentry_without_the_donors_data(sentry):
    donor = SupporterFactory(
        first_name="Guadalupe", last_name="Ixtlahuac", email="lupe.ixtlahuac@example.org"
    )
    client = Client(raise_request_exception=False)
    client.cookies["sessionid"] = "s3ss10n-value-that-must-not-leave"
    response = client.get(
        f"/fail/{donor.pk}/?email=lupe.ixtlahuac@example.org", HTTP_X_REQUEST_ID="req-12345678"
    )
    assert response.status_code == 500
    sentry_sdk.flush(timeout=10)

    events = sentry.events()
    assert len(events) == 1, "the error was reported"
    event = events[0]
    assert event["exception"]["values"][-1]["type"] == "ValueError"
    assert event["tags"]["request_id"] == "req-12345678"
    sent = json.dumps(event)
    for secret in ("lupe.ixtlahuac", "Guadalupe", "Ixtlahuac", "s3ss10n-value"):
        assert secret not in sent, f"{secret} left the process"
    assert "[scrubbed]" in event["exception"]["values"][-1]["value"]
    frames = event["exception"]["values"][-1]["stacktrace"]["frames"]
    assert frames and not any("vars" in frame for frame in frames)


def test_personal_keys_are_scrubbed_wherever_they_sit(sentry):
    sentry_sdk.set_context("import row", {"row": 7, "email": "ana@example.org", "city": "Bronx"})
    sentry_sdk.capture_message("Import row 7 could not be read")
    sentry_sdk.flush(timeout=10)
    (event,) = sentry.events()
    row = event["contexts"]["import row"]
    assert row["row"] == 7
    assert "ana@example.org" not in json.dumps(event) and "Bronx" not in json.dumps(event)
