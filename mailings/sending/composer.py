"""Composing an appeal email when a worker sends it (core.outbox calls this for a chunk of
messages): each delivery's supporter as they are now, their merge values, the letter in their
language. Someone who said no, died or was removed since the send began is not emailed."""

from collections.abc import Sequence

from django.conf import settings
from django.template import Context, Template
from django.utils import translation

from core.models import Organisation, OutboxMessage
from crm.models import Supporter
from mailings.emails.rendering import render_email
from mailings.letters import merge_template
from mailings.letters.merge_fields import CHANNEL_EMAIL
from mailings.letters.merge_values import recipients, unsubscribe_url
from mailings.letters.rendering import CompiledVersion, compile_letter
from mailings.models import Letter, Mailing
from mailings.sending.models import Delivery

COMPOSER = "mailings.appeal"
CHANNEL = {"channel": CHANNEL_EMAIL}
_compiled: dict[tuple[int, object], dict[str, CompiledVersion]] = {}


def appeal_messages_compose(messages: Sequence[OutboxMessage]) -> None:
    deliveries = Delivery.objects.select_related("mailing__letter", "supporter").in_bulk(
        [m.ref for m in messages if m.ref]
    )
    organisation = Organisation.current()
    by_mailing: dict[int, list[tuple[OutboxMessage, Delivery]]] = {}
    for message in messages:
        delivery = deliveries.get(message.ref)
        reason = _not_to_be_emailed(delivery)
        if reason:
            message.status, message.last_error = OutboxMessage.Status.CANCELLED, reason
            message.subject = message.subject or "(not sent)"
            continue
        by_mailing.setdefault(delivery.mailing_id, []).append((message, delivery))
    for pairs in by_mailing.values():
        mailing = pairs[0][1].mailing
        versions = _versions(mailing.letter)
        values = {
            r.supporter.pk: r
            for r in recipients(
                mailing.letter, [d.supporter for _, d in pairs], organisation=organisation
            )
        }
        senders = {
            language: mailing_sender(mailing, organisation, language) for language in ("en", "es")
        }
        subjects_b = _subjects_b(mailing)
        for message, delivery in pairs:
            recipient = values[delivery.supporter_id]
            version = versions.get(recipient.language) or versions["en"]
            # The unsubscribe link names this message, so the results count who used it.
            link = unsubscribe_url(delivery.supporter_id, message.pk)
            merge = recipient.values | {"unsubscribe_url": link, "preferences_url": link}
            email = render_email(version, merge, organisation=organisation)
            message.from_email = senders.get(version.language) or senders["en"]
            message.to_email = delivery.supporter.email or message.to_email
            message.subject = email.subject
            if delivery.subject_variant in ("b", "B"):
                subject_b = subjects_b.get(version.language) or subjects_b["en"]
                with translation.override(version.language):
                    text = subject_b.render(Context(merge | CHANNEL, autoescape=False))
                message.subject = " ".join(text.split()) or email.subject
            message.text_body, message.html_body = email.text, email.html
            message.headers = email.headers


def mailing_sender(
    mailing: Mailing, organisation: Organisation | None = None, language: str = "en"
) -> str:
    """The From line a mailing's emails carry: its own, else the organisation's default (in
    Spanish for a Spanish version, when staff gave one)."""
    organisation = organisation or Organisation.current()
    return mailing.sender or organisation.sender_for(language) or settings.DEFAULT_FROM_EMAIL


def _subjects_b(mailing: Mailing) -> dict[str, Template]:
    """A subject test's second subject (mailings.sending.subject_test) by language, parsed
    once per chunk; merged as the letter's own subject is."""
    if not mailing.tests_subjects:
        return {}
    return {
        language: merge_template.ENGINE.from_string(mailing.subject_b_for(language))
        for language in ("en", "es")
        if mailing.subject_b_for(language)
    }


def _not_to_be_emailed(delivery: Delivery | None) -> str:
    if delivery is None or delivery.supporter is None:
        return "The supporter was removed before the email was sent."
    person: Supporter = delivery.supporter
    if person.deceased:
        return "Marked deceased since the mailing was sent: not emailed."
    if person.do_not_contact or person.do_not_email:
        return "Asked not to be emailed since the mailing was sent: not emailed."
    if person.email_opt_in == Supporter.EmailOptIn.OPTED_OUT:
        return "Opted out since the mailing was sent: not emailed."
    if not person.email:
        return "The email address was removed since the mailing was sent."
    return ""


def _versions(letter: Letter) -> dict[str, CompiledVersion]:
    """Compiled once per worker process for each saved state of the letter."""
    key = (letter.pk, letter.updated_at)
    if key not in _compiled:
        _compiled.clear()
        _compiled[key] = compile_letter(letter)
    return _compiled[key]
