"""The donor account's emails (sign-in link, new address confirmation), each three templates
in the donor's language, queued in the outbox in the caller's transaction."""

from dataclasses import dataclass

from django.template.loader import render_to_string

from core.models import Organisation
from core.outbox.queue import outbox_queue
from crm.models import Supporter


@dataclass(frozen=True)
class Message:
    subject: str
    text: str
    html: str
    from_email: str


def _render(name: str, context: dict) -> Message:
    return Message(
        subject=render_to_string(f"emails/{name}-subject.txt", context),
        text=render_to_string(f"emails/{name}-body.txt", context),
        html=render_to_string(f"emails/{name}-body.html", context),
        from_email=context["organisation"].default_sender,
    )


def _context(supporter: Supporter | None, **extra: object) -> dict:
    language = (supporter.preferred_language if supporter else "") or "en"
    return {
        "organisation": Organisation.current(),
        "language": language,
        "greeting": supporter.greeting_line() if supporter else "",
        **extra,
    }


def sign_in_message(*, supporter: Supporter | None, url: str, minutes: int) -> Message:
    """Rendered for an unknown address too (then never queued), so both answers cost alike."""
    return _render("account-sign-in", _context(supporter, url=url, minutes=minutes))


def email_change_message(
    *, supporter: Supporter, url: str, new_email: str, minutes: int
) -> Message:
    context = _context(supporter, url=url, new_email=new_email, minutes=minutes)
    return _render("account-email-change", context)


def email_changed_message(*, supporter: Supporter, new_email: str) -> Message:
    """To the old address: the change, in case the donor did not make it."""
    return _render("account-email-changed", _context(supporter, new_email=new_email))


def queue(message: Message, *, to: str, kind: str) -> None:
    # Transactional: the donor asked for it, so it goes even to those who opted out of appeals.
    outbox_queue(
        kind=kind,
        to=to,
        subject=message.subject,
        text=message.text,
        html=message.html,
        from_email=message.from_email,
    )
