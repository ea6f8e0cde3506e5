"""One log line per request, each carrying a request id that every other log line written
while the request runs carries too (RequestIdFilter), and that the response returns in
X-Request-ID so a person reporting a problem can quote it.

The line holds the method, the path, the status, the time taken and the staff user's id: no
query string (a letter's ?t= link), and a path's sign-in or unsubscribe token replaced by '…'."""

import contextvars
import logging
import re
import time
import uuid
from collections.abc import Callable

import sentry_sdk
from django.http import HttpRequest, HttpResponse

logger = logging.getLogger("donorcrm.requests")
request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")
# A request id a proxy or load balancer already gave the request is kept when it looks like one.
INCOMING_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
SECRET_PARTS = ("token", "secret", "signature")


class RequestIdFilter(logging.Filter):
    """Gives every record the id of the request it was written in ('-' outside one)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id_var.get()
        return True


def _request_id(request: HttpRequest) -> str:
    incoming = request.headers.get("X-Request-ID", "")
    return incoming if INCOMING_ID.match(incoming) else uuid.uuid4().hex


def loggable_path(request: HttpRequest) -> str:
    path = request.path
    match = getattr(request, "resolver_match", None)
    if match is not None:
        for name, value in match.kwargs.items():
            if any(part in name for part in SECRET_PARTS) and isinstance(value, str) and value:
                path = path.replace(value, "…")
    return path


class RequestLogMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = _request_id(request)
        request.request_id = request_id
        reset = request_id_var.set(request_id)
        sentry_sdk.set_tag("request_id", request_id)  # nothing happens unless Sentry is on
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            response["X-Request-ID"] = request_id
            duration_ms = round((time.perf_counter() - started) * 1000, 1)
            user = getattr(request, "user", None)
            user_id = user.pk if user is not None and user.is_authenticated else None
            path = loggable_path(request)
            logger.info(
                "%s %s %s %.1fms",
                request.method,
                path,
                response.status_code,
                duration_ms,
                extra={
                    "method": request.method,
                    "path": path,
                    "status": response.status_code,
                    "duration_ms": duration_ms,
                    "user_id": user_id,
                },
            )
            return response
        finally:
            request_id_var.reset(reset)
