"""A local stand-in for Postmark's email API, served over real HTTP on 127.0.0.1 so that
django-anymail's real Postmark backend talks to it (ANYMAIL POSTMARK_API_URL = .url):

POST /email                           accepts one message as Postmark does, or answers as told
GET  /messages/outbound?metadata_K=V  Postmark's outbound search by metadata

How it answers is set on the object and may change while it runs:
- `answer`: "ok", 429, 500, 422 (ErrorCode 406, an inactive recipient) or "hang" (no answer
  before the client's timeout; the message still counts as taken, like an ESP that accepted it)
- `fail_every`: answer 500 to every n-th request (10 = 10% of them), before taking it
- `latency`: seconds to wait before answering, like a real ESP's API (0.03)

Every message taken is kept in `.accepted` (its JSON body), every request in `.requests`.
Run standalone for the benchmarks: `python tests/postmark_standin.py --port 8025 --latency 0.03`.
"""

import argparse
import itertools
import json
import threading
import time
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlparse

TOKEN = "standin-server-token"


@dataclass
class PostmarkStandIn:
    answer: Any = "ok"
    fail_every: int = 0
    latency: float = 0.0
    hang_seconds: float = 3.0
    port: int = 0
    accepted: list[dict[str, Any]] = field(default_factory=list)
    requests: list[tuple[str, str]] = field(default_factory=list)  # (method, path)
    _server: ThreadingHTTPServer | None = None
    _count: itertools.count = field(default_factory=itertools.count)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def url(self) -> str:
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.server_address[1]}/"

    def recipients(self) -> list[str]:
        with self._lock:
            return [message["To"] for message in self.accepted]

    def __enter__(self) -> "PostmarkStandIn":
        standin = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive: anymail reuses one session

            def do_POST(self) -> None:  # noqa: N802
                length = int(self.headers.get("Content-Length", 0))
                body = self.rfile.read(length)
                if len(body) < length or not body:
                    self.close_connection = True  # the client went away mid-request
                    return
                standin._post(self, json.loads(body))

            def do_GET(self) -> None:  # noqa: N802
                standin._search(self)

            def log_message(self, *args: object) -> None:
                pass

        self._server = _QuietServer(("127.0.0.1", self.port), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        assert self._server is not None
        self._server.shutdown()
        self._server.server_close()

    def _post(self, http: BaseHTTPRequestHandler, message: dict[str, Any]) -> None:
        with self._lock:
            self.requests.append(("POST", http.path))
            number = next(self._count) + 1
        if http.headers.get("X-Postmark-Server-Token") != TOKEN:
            _reply(http, 401, {"ErrorCode": 10, "Message": "No Account or Server API tokens."})
            return
        if self.latency:
            time.sleep(self.latency)
        answer = self.answer
        if self.fail_every and number % self.fail_every == 0:
            answer = 500
        if answer in (429, 500):
            _reply(http, answer, {"ErrorCode": 100, "Message": "Try again later."})
            return
        if answer == 422:
            to = message.get("To", "")
            _reply(
                http,
                422,
                {
                    "ErrorCode": 406,
                    "Message": "You tried to send to a recipient that has been marked as "
                    f"inactive.\nFound inactive addresses: {to}.\nInactive recipients are ones "
                    "that have generated a hard bounce or a spam complaint. ",
                },
            )
            return
        message_id = str(uuid.uuid4())
        with self._lock:
            self.accepted.append({**message, "MessageID": message_id})
        if answer == "hang":
            time.sleep(self.hang_seconds)  # the client gives up first; the message was taken
        _reply(
            http,
            200,
            {
                "To": message.get("To", ""),
                "SubmittedAt": "2026-11-29T10:00:00.0000000-05:00",
                "MessageID": message_id,
                "ErrorCode": 0,
                "Message": "OK",
            },
        )

    def _search(self, http: BaseHTTPRequestHandler) -> None:
        url = urlparse(http.path)
        with self._lock:
            self.requests.append(("GET", http.path))
            accepted = list(self.accepted)
        if url.path.rstrip("/") != "/messages/outbound":
            _reply(http, 404, {"ErrorCode": 404, "Message": "Not found."})
            return
        wanted = {
            key.removeprefix("metadata_"): values[0]
            for key, values in parse_qs(url.query).items()
            if key.startswith("metadata_")
        }
        found = [
            {"MessageID": m["MessageID"], "To": [{"Email": m["To"]}], "Metadata": m["Metadata"]}
            for m in accepted
            if all(m.get("Metadata", {}).get(k) == v for k, v in wanted.items())
        ]
        _reply(http, 200, {"TotalCount": len(found), "Messages": found[:50]})


class _QuietServer(ThreadingHTTPServer):
    def handle_error(self, request: object, client_address: object) -> None:
        pass  # a client that hung up (a killed worker, a timeout) is part of the test


def _reply(http: BaseHTTPRequestHandler, status: int, body: dict[str, Any]) -> None:
    data = json.dumps(body).encode()
    try:
        http.send_response(status)
        http.send_header("Content-Type", "application/json")
        http.send_header("Content-Length", str(len(data)))
        http.end_headers()
        http.wfile.write(data)
    except (BrokenPipeError, ConnectionResetError):
        pass  # the client gave up waiting (a 'hang')


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--port", type=int, default=8025)
    parser.add_argument("--latency", type=float, default=0.03)
    options = parser.parse_args()
    with PostmarkStandIn(port=options.port, latency=options.latency) as standin:
        print(f"Postmark stand-in on {standin.url} (token {TOKEN})", flush=True)
        threading.Event().wait()
