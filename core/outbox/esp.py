"""The ESP seam: the connection the sender uses, what each answer means, and asking the ESP
whether it took a message whose outcome is unknown. Email goes through django-anymail (or any
Django email backend: files under var/mail/ on a laptop); only Postmark can be asked.
"""

import enum
from dataclasses import dataclass
from urllib.parse import urljoin

import requests
from anymail.exceptions import AnymailError, AnymailRecipientsRefused, AnymailRequestsAPIError
from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.core.mail.backends.base import BaseEmailBackend

POSTMARK = "anymail.backends.postmark.EmailBackend"


class Result(enum.Enum):
    SENT = "sent"
    RETRY = "retry"  # never reached the ESP, or it asked us to come back: send again later
    REJECTED = "rejected"  # the ESP refused the recipient (inactive, invalid): never again
    FAILED = "failed"  # the ESP refused the message itself: a person must look
    UNKNOWN = "unknown"  # the request went out and no answer came back: ask, never re-send
    SUPPRESSED = "suppressed"  # the address is on the suppression list: not sent


@dataclass(frozen=True)
class Outcome:
    result: Result
    esp_message_id: str = ""
    error: str = ""


def connection() -> BaseEmailBackend:
    """One connection (one HTTP session for anymail) for a worker's chunk of messages."""
    return get_connection(timeout=settings.OUTBOX_TIMEOUT_SECONDS)


def send(message: EmailMessage, conn: BaseEmailBackend) -> Outcome:
    """Send one message and say what happened; never raises for the ESP's answers."""
    try:
        conn.send_messages([message])
    except AnymailRecipientsRefused as exc:
        return Outcome(Result.REJECTED, error="The ESP refused the address: " + _esp_says(exc))
    except AnymailRequestsAPIError as exc:
        return _api_error(exc)
    except AnymailError as exc:  # a message anymail cannot send as built
        return Outcome(Result.FAILED, error=_short(exc))
    except OSError as exc:  # a file or SMTP backend that could not write or connect
        return Outcome(Result.RETRY, error=_short(exc))
    status = getattr(message, "anymail_status", None)
    if status is None:  # not an anymail backend: handed over is sent
        return Outcome(Result.SENT)
    if status.message_id and status.status and status.status <= {"sent", "queued"}:
        return Outcome(Result.SENT, esp_message_id=str(status.message_id))
    return Outcome(Result.UNKNOWN, error=f"The ESP answered without a message id ({status}).")


def _api_error(exc: AnymailRequestsAPIError) -> Outcome:
    if isinstance(exc, requests.ConnectionError) and _never_connected(exc):
        return Outcome(Result.RETRY, error="Could not reach the ESP.")
    if isinstance(exc, requests.Timeout | requests.ConnectionError):
        # The request went out; the ESP may have taken the message before the line dropped.
        return Outcome(Result.UNKNOWN, error="No answer from the ESP: " + _short(exc))
    if exc.status_code == 429 or (exc.status_code or 0) >= 500:
        return Outcome(Result.RETRY, error=f"The ESP answered {exc.status_code}; trying again.")
    return Outcome(Result.FAILED, error=_short(exc))


def _never_connected(exc: BaseException) -> bool:
    """A connection that was never made (refused, or timed out connecting) sent nothing."""
    if isinstance(exc, requests.ConnectTimeout):
        return True
    cause = exc.__cause__ if isinstance(exc.__cause__, requests.RequestException) else exc
    reason = getattr(cause.args[0], "reason", None) if cause.args else None
    return type(reason).__name__ in ("NewConnectionError", "ConnectTimeoutError")


def _esp_says(exc: AnymailError) -> str:
    """The ESP's own words, when its answer has them ('…marked as inactive…')."""
    try:
        said = exc.response.json().get("Message", "")
    except (AttributeError, ValueError):
        said = ""
    return " ".join(str(said).split())[:500] or _short(exc)


def _short(exc: BaseException) -> str:
    return str(exc).strip().splitlines()[0][:500] if str(exc).strip() else type(exc).__name__


def can_ask() -> bool:
    return settings.EMAIL_BACKEND == POSTMARK


def taken_by_esp(outbox_id: int) -> str | None:
    """The ESP's id for our message if it took it, None if it has no such message; raises
    requests.RequestException when it cannot be asked. Postmark finds messages by the
    metadata each was sent with (`outbox_id`)."""
    anymail = settings.ANYMAIL
    base = anymail.get("POSTMARK_API_URL", "https://api.postmarkapp.com/")
    response = requests.get(
        urljoin(base if base.endswith("/") else base + "/", "messages/outbound"),
        params={"count": 1, "offset": 0, "metadata_outbox_id": str(outbox_id)},
        headers={
            "Accept": "application/json",
            "X-Postmark-Server-Token": anymail.get("POSTMARK_SERVER_TOKEN", ""),
        },
        timeout=settings.OUTBOX_TIMEOUT_SECONDS,
    )
    response.raise_for_status()
    messages = response.json().get("Messages") or []
    return str(messages[0]["MessageID"]) if messages else None
