"""The acknowledgement queue: every gift not yet thanked (online and manual alike), what will
happen to each, and the three ways out of it: a thank-you email with the receipt, a printed
letter (for donors without email), or 'no thanks needed'."""

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import F, QuerySet
from django.template.loader import render_to_string
from django.utils import formats, timezone, translation

from core.models import Organisation
from core.money import money_text
from core.pdf import render_pdf
from donations.acknowledgements.emails import thank_you_send, tribute_notice_send
from donations.acknowledgements.receipts import irs_statements, letterhead, receipt_issue
from donations.models import Gift
from donations.noncash import noncash_description

EMAIL, LETTER, CHECK = "email", "letter", "check"


@dataclass(frozen=True)
class QueueRow:
    gift: Gift
    route: str  # EMAIL, LETTER or CHECK (a person should decide)
    reason: str


def thanks_queue(*, route: str = "") -> list[QueueRow]:
    """Gifts to thank, oldest first, each with how it will be thanked."""
    rows = [_row(gift) for gift in gifts_to_thank().select_related("supporter", "campaign")]
    return [row for row in rows if not route or row.route == route]


def gifts_to_thank() -> QuerySet[Gift]:
    return (
        Gift.objects.filter(
            acknowledgement=Gift.Acknowledgement.PENDING,
            status__in=("succeeded", "partially_refunded"),
        )
        .filter(amount__gt=F("amount_refunded"))
        .order_by("received_on", "pk")
    )


def _row(gift: Gift) -> QueueRow:
    supporter = gift.supporter
    if supporter.deceased:
        return QueueRow(
            gift, CHECK, "Deceased: thank the family by hand, or mark no thanks needed."
        )
    if supporter.email:
        return QueueRow(gift, EMAIL, "Thank-you email with the receipt attached.")
    if supporter.do_not_mail or supporter.do_not_contact:
        return QueueRow(gift, CHECK, "No email, and marked do not mail.")
    if not supporter.has_postal_address:
        return QueueRow(gift, CHECK, "No email and no postal address.")
    return QueueRow(gift, LETTER, "No email: print a letter.")


def _chosen(gift_ids: Iterable[int]) -> QuerySet[Gift]:
    return gifts_to_thank().filter(pk__in=list(gift_ids))


def thank_by_email(gift_ids: Iterable[int]) -> tuple[int, int]:
    """(emailed, skipped): gifts whose donor has no email, or is deceased, stay in the queue."""
    sent = skipped = 0
    for gift in _chosen(gift_ids):
        if thank_you_send(gift_id=gift.pk):
            sent += 1
        else:
            skipped += 1
        # The tribute notice the donor asked for goes with the thank-you (once, if by email).
        tribute_notice_send(gift_id=gift.pk)
    return sent, skipped


def letters_pdf(gift_ids: Iterable[int]) -> tuple[bytes, int]:
    """One PDF with a thank-you letter per gift (each on its own page), in the donor's language,
    with the receipt number. The gifts stay in the queue until staff confirm the letters were
    mailed, so a failed print loses no one."""
    organisation = Organisation.current()
    letters = []
    for gift in _chosen(gift_ids).select_related("supporter"):
        receipt = receipt_issue(gift=gift)
        supporter = gift.supporter
        language = supporter.preferred_language or "en"
        with translation.override(language):
            letters.append(
                {
                    **letterhead(organisation, supporter),
                    "language": language,
                    "greeting": supporter.greeting_line(language),
                    # Stock and in kind: described, never valued (IRS Pub. 1771).
                    "amount": "" if gift.is_non_cash else money_text(gift.net_amount),
                    "property": noncash_description(gift) if gift.is_non_cash else "",
                    "date": formats.date_format(gift.received_on, "DATE_FORMAT"),
                    "today": formats.date_format(timezone.localdate(), "DATE_FORMAT"),
                    "receipt_number": receipt.number if receipt else "",
                    "statements": irs_statements(
                        amount=gift.net_amount or Decimal(0),
                        benefit_value=gift.benefit_value,
                        benefit_description=gift.benefit_description,
                        organisation_name=organisation.name,
                        non_cash=gift.is_non_cash,
                    ),
                    "method": gift.get_method_display(),
                }
            )
    html = render_to_string(
        "donations/thanks_letters.html",
        {"letters": letters, "organisation": organisation, "paper": organisation.paper_size},
    )
    return render_pdf(html, time_limit=120), len(letters)


@transaction.atomic
def mark_thanked(gift_ids: Iterable[int], *, how: str, by: AbstractBaseUser | None) -> int:
    """'letter': the printed letters were mailed. 'not_needed': no thanks will be sent."""
    status = {
        "letter": Gift.Acknowledgement.THANKED,
        "not_needed": Gift.Acknowledgement.NOT_NEEDED,
    }[how]
    gifts = list(_chosen(gift_ids).select_for_update(of=("self",)))
    for gift in gifts:
        gift.acknowledgement = status
        gift.acknowledged_at = timezone.now()
        gift._change_reason = (
            "Thanked by printed letter" if how == "letter" else "Marked: no thanks needed"
        )
        gift._history_user = by
        gift.save(update_fields=["acknowledgement", "acknowledged_at"])
    return len(gifts)
