"""Errors to Sentry when SENTRY_DSN is set, with donors' personal data scrubbed before an event
leaves the process: no request body, cookies, query string or local variables; no user but
the staff id; fields named like personal data removed wherever they appear; email addresses
and quoted values in messages (a database error quoting a row, say) replaced."""

import re
from typing import Any

import sentry_sdk
from sentry_sdk.integrations.django import DjangoIntegration
from sentry_sdk.scrubber import DEFAULT_DENYLIST, DEFAULT_PII_DENYLIST, EventScrubber

# Keys whose values are a donor's personal data, wherever they appear in an event.
PERSONAL_KEYS = [
    "email", "to_email", "new_email", "first_name", "last_name", "middle_name", "full_name",
    "greeting", "envelope_name", "partner_first_name", "partner_last_name",
    "address", "address_line1", "address_line2", "street", "city", "postal_code", "zip",
    "phone", "phone_number", "mobile", "birth_date", "notes", "note", "body", "text_body",
    "html_body", "stripe_customer_id", "card", "iban",
]  # fmt: skip
REPLACEMENT = "[scrubbed]"
# In messages: email addresses, quoted values (Python's and Django's reprs: 'Ana', "Ruiz") and
# PostgreSQL's "Key (email)=(ana@example.org)" details. Unquoted free text cannot be told from
# words, so code that raises errors names records by id, never by name.
MESSAGE_DATA = (
    (re.compile(r"[A-Za-z0-9._%+'-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}"), REPLACEMENT),
    (re.compile(r"'[^'\n]*'|\"[^\"\n]*\""), f"'{REPLACEMENT}'"),
    (re.compile(r"\)=\([^)]*\)"), f")=({REPLACEMENT})"),
)


def _scrub_text(value: Any) -> Any:
    if not isinstance(value, str):
        return value
    for pattern, replacement in MESSAGE_DATA:
        value = pattern.sub(replacement, value)
    return value


# Sentry's own scrubber, given the personal keys too. The SDK ignores an event_scrubber once
# data_collection is set, so before_send runs it.
KEY_SCRUBBER = EventScrubber(
    denylist=DEFAULT_DENYLIST + PERSONAL_KEYS, pii_denylist=DEFAULT_PII_DENYLIST, recursive=True
)


# Contexts the SDK fills itself (runtime, os, trace...) hold no donor data.
SDK_CONTEXTS = {"runtime", "os", "trace", "device", "app", "browser", "culture", "response"}


def _drop_personal(value: Any) -> Any:
    if isinstance(value, dict):
        return {
            key: REPLACEMENT if str(key).lower() in PERSONAL_KEYS else _drop_personal(item)
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [_drop_personal(item) for item in value]
    return _scrub_text(value)


def scrub_event(event: dict[str, Any], hint: dict[str, Any] | None = None) -> dict[str, Any]:
    """before_send: personal keys removed anywhere, then what a key list cannot catch."""
    KEY_SCRUBBER.scrub_event(event)  # request, extra, user, breadcrumbs, frames
    contexts = event.get("contexts") or {}
    for name, context in contexts.items():
        if name not in SDK_CONTEXTS:
            contexts[name] = _drop_personal(context)
    if "extra" in event:
        event["extra"] = _drop_personal(event["extra"])
    request = event.get("request")
    if isinstance(request, dict):
        for part in ("data", "cookies", "query_string", "env"):
            request.pop(part, None)
        request["url"] = _scrub_text(str(request.get("url", "")).split("?", 1)[0])
    user = event.get("user")
    if isinstance(user, dict):
        event["user"] = {"id": user["id"]} if "id" in user else {}
    if "message" in event:
        event["message"] = _scrub_text(event["message"])
    logentry = event.get("logentry")
    if isinstance(logentry, dict):
        logentry["message"] = _scrub_text(logentry.get("message"))
        logentry.pop("params", None)
    for exception in (event.get("exception") or {}).get("values", []):
        exception["value"] = _scrub_text(exception.get("value"))
        for frame in (exception.get("stacktrace") or {}).get("frames", []):
            frame.pop("vars", None)
    crumbs = event.get("breadcrumbs") or {}
    for crumb in crumbs.get("values", []) if isinstance(crumbs, dict) else []:
        crumb["message"] = _scrub_text(crumb.get("message"))
        crumb.pop("data", None)  # SQL parameters, HTTP bodies
    return event


def sentry_start(*, dsn: str, environment: str, release: str = "") -> None:
    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        release=release or None,
        integrations=[DjangoIntegration()],
        # What integrations collect at all: no user but the id, no cookies, bodies, query
        # strings, SQL parameters or local variables.
        data_collection={
            "user_info": False,
            "cookies": {"mode": "off"},
            "http_bodies": [],
            "url_query_params": {"mode": "off"},
            "database_query_data": False,
            "stack_frame_variables": False,
        },
        max_request_body_size="never",
        before_send=scrub_event,
        traces_sample_rate=0.0,
    )
