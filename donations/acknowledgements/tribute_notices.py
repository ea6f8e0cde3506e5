"""Tribute notices: telling the person a donor named that a gift was made in honor or in
memory of someone. By email when the donor gave an email for them (sent with the thank-you,
donations.acknowledgements.emails.tribute_notice_send), otherwise a printed card from the
acknowledgement queue.

Rules every notice keeps:
- Sent once: Gift.tribute_notified_at is set when the email is handed to the mail path or the
  card is marked mailed, and a notice with it set is never sent again.
- No amount unless the donor chose to include it (Gift.tribute_show_amount, off by default).
- In the notice language staff chose, otherwise the donor's language.
- It names the donor, except for an anonymous gift: the donor asked to keep their name out of
  lists, so the notice says the gift came from "a friend" rather than risk naming someone who
  wanted privacy (the donate page says so beside the choice).
"""

from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import F, QuerySet
from django.template.loader import render_to_string
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from core.models import Organisation
from core.money import money_text
from core.pdf import render_pdf
from crm.greetings import in_language
from donations.models import Gift

EMAIL, CARD = "email", "card"


@dataclass(frozen=True)
class TributeRow:
    gift: Gift
    route: str  # EMAIL or CARD
    reason: str


@dataclass(frozen=True)
class TributeNotice:
    """What a notice says, in its language."""

    language: str
    subject: str
    greeting: str
    heading: str  # "In memory of Rosa Ruiz"
    message: str  # who gave, to whom, in whose honor or memory, and the amount if shown
    request: str  # why we are writing


def tribute_notice_language(gift: Gift) -> str:
    return gift.tribute_notify_language or gift.supporter.preferred_language or "en"


def tribute_notice_route(gift: Gift) -> str:
    """EMAIL or CARD for a notice still to send, "" when there is none (no dedication, nobody
    to tell, already told, or the gift is not money received)."""
    if not gift.tribute or gift.tribute_notified_at is not None:
        return ""
    if gift.status not in (Gift.Status.SUCCEEDED, Gift.Status.PARTIALLY_REFUNDED):
        return ""
    if gift.net_amount <= 0:
        return ""
    if gift.tribute_notify_email:
        return EMAIL
    if gift.tribute_notify_address.strip():
        return CARD
    return ""


def tribute_notice(gift: Gift) -> TributeNotice:
    language = tribute_notice_language(gift)
    with translation.override(language):
        honoree = gift.tribute_name
        memory = gift.tribute == Gift.Tribute.MEMORY
        donor = (
            _("A friend")
            if gift.anonymous
            else in_language(gift.supporter.display_name, language) or _("A friend")
        )
        names = {
            "donor": donor,
            "honoree": honoree,
            "org": Organisation.current().name,
            "amount": money_text(gift.net_amount),
        }
        if gift.tribute_show_amount and memory:
            message = _(
                "%(donor)s has made a gift of %(amount)s to %(org)s in memory of %(honoree)s."
            )
        elif gift.tribute_show_amount:
            message = _(
                "%(donor)s has made a gift of %(amount)s to %(org)s in honor of %(honoree)s."
            )
        else:
            message = (
                _("%(donor)s has made a gift to %(org)s in memory of %(honoree)s.")
                if memory
                else _("%(donor)s has made a gift to %(org)s in honor of %(honoree)s.")
            )
        heading = _("In memory of %(name)s") if memory else _("In honor of %(name)s")
        subject = _("A gift in memory of %(name)s") if memory else _("A gift in honor of %(name)s")
        recipient = gift.tribute_notify_name.strip()
        return TributeNotice(
            language=language,
            subject=subject % {"name": honoree},
            greeting=_("Dear %(name)s,") % {"name": recipient} if recipient else _("Dear friend,"),
            heading=heading % {"name": honoree},
            message=message % names,
            request=_("The donor asked us to let you know."),
        )


def _pending() -> QuerySet[Gift]:
    return (
        Gift.objects.exclude(tribute="")
        .filter(
            tribute_notified_at__isnull=True,
            status__in=(Gift.Status.SUCCEEDED, Gift.Status.PARTIALLY_REFUNDED),
            amount__gt=F("amount_refunded"),
        )
        .exclude(tribute_notify_email="", tribute_notify_address="")
        .select_related("supporter")
        .order_by("received_on", "pk")
    )


def tribute_notices_pending(*, route: str = "") -> list[TributeRow]:
    """Notices still to send, oldest first: emails not yet gone (a gift entered by hand, whose
    thank-you staff have not sent) and cards to print."""
    rows = []
    for gift in _pending():
        kind = tribute_notice_route(gift)
        if kind == EMAIL:
            rows.append(TributeRow(gift, EMAIL, f"Email to {gift.tribute_notify_email}"))
        elif kind == CARD:
            rows.append(TributeRow(gift, CARD, "No email: print a card and mail it."))
    return [row for row in rows if not route or row.route == route]


def tribute_cards_pdf(gift_ids: Iterable[int]) -> tuple[bytes, int]:
    """One PDF with a card per notice (each on its own page), addressed for a window envelope.
    The notices stay pending until staff mark the cards mailed, so a failed print loses none."""
    organisation = Organisation.current()
    cards = []
    for gift in _pending().filter(pk__in=list(gift_ids)):
        if tribute_notice_route(gift) != CARD:
            continue
        notice = tribute_notice(gift)
        with translation.override(notice.language):
            today = formats.date_format(timezone.localdate(), "DATE_FORMAT")
        address = [line.strip() for line in gift.tribute_notify_address.splitlines()]
        cards.append(
            {
                "notice": notice,
                "today": today,
                "to": [gift.tribute_notify_name.strip(), *[line for line in address if line]],
            }
        )
    html = render_to_string(
        "donations/tribute_cards.html",
        {
            "cards": cards,
            "organisation": organisation,
            "paper": "a4" if organisation.paper_size == "a4" else "letter",
        },
    )
    return render_pdf(html, time_limit=120), len(cards)


@transaction.atomic
def tribute_cards_mark_mailed(gift_ids: Iterable[int], *, by: AbstractBaseUser | None) -> int:
    """The printed cards were mailed: their notices are sent and never sent again."""
    gifts = list(_pending().filter(pk__in=list(gift_ids)).select_for_update(of=("self",)))
    done = 0
    for gift in gifts:
        if tribute_notice_route(gift) != CARD:
            continue
        gift.tribute_notified_at = timezone.now()
        gift.tribute_notice_channel = CARD
        gift._change_reason = "Tribute card mailed"
        gift._history_user = by
        gift.save(update_fields=["tribute_notified_at", "tribute_notice_channel"])
        done += 1
    return done
