"""The acknowledgement queue: every gift not yet thanked (online and manual alike), how long it
has waited (overdue ones first), what is special about it (a first gift, a large gift), which
letter will thank it, and the three ways out of it: a thank-you email with the receipt, a
printed letter with the receipt (for donors without email), or 'no thanks needed'."""

import io
from collections.abc import Iterable
from dataclasses import dataclass, replace
from decimal import Decimal

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import F, QuerySet
from django.template.loader import render_to_string
from django.utils import formats, timezone, translation
from pypdf import PdfReader, PdfWriter

from core.models import Organisation
from core.money import money_text
from core.pdf import render_pdf
from donations.acknowledgements.emails import (
    thank_you_email,
    thank_you_send,
    tribute_notice_send,
)
from donations.acknowledgements.facts import GiftFacts, gift_facts
from donations.acknowledgements.receipts import irs_statements, letterhead, receipt_issue
from donations.acknowledgements.writing import BUILT_IN, Choice, WrittenEmail, thank_you_writer
from donations.models import Gift
from donations.noncash import noncash_description

EMAIL, LETTER, CHECK = "email", "letter", "check"


@dataclass(frozen=True)
class QueueRow:
    gift: Gift
    route: str  # EMAIL, LETTER or CHECK (a person should decide)
    reason: str
    facts: GiftFacts | None = None
    choice: Choice | None = None  # the letter that will thank it, and the rule that chose it


def thanks_queue(*, route: str = "") -> list[QueueRow]:
    """Gifts to thank, overdue ones first, each oldest first, with how each will be thanked."""
    gifts = list(gifts_to_thank().select_related("supporter", "campaign", "fund", "recurring"))
    facts = gift_facts(gifts)
    choices = letters_chosen(gifts, facts)
    rows = [
        replace(row, facts=facts[row.gift.pk], choice=choices[row.gift.pk])
        for row in map(_row, gifts)
        if not route or row.route == route
    ]
    return sorted(rows, key=lambda row: (not row.facts.overdue, row.facts.waiting_since))


def letters_chosen(gifts: list[Gift], facts: dict[int, GiftFacts]) -> dict[int, Choice]:
    """Each gift's letter: the writer's choice, else the built-in wording."""
    writer = thank_you_writer()
    chosen = writer.choose(gifts, facts) if writer is not None else {}
    return {
        gift.pk: chosen.get(gift.pk)
        or Choice(BUILT_IN, BUILT_IN, gift.supporter.preferred_language or "en")
        for gift in gifts
    }


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
    """One PDF with, per gift, its thank-you letter (the rules' letter, in the donor's language)
    followed by its receipt, so each envelope takes the pages in order. The gifts stay in the
    queue until staff confirm the letters were mailed, so a failed print loses no one."""
    gifts = list(_chosen(gift_ids).select_related("supporter", "fund", "campaign", "recurring"))
    facts = gift_facts(gifts)
    out = PdfWriter()
    for gift in gifts:
        receipt = receipt_issue(gift=gift)
        number = receipt.number if receipt else ""
        letter = thank_you_letter_pdf(gift, facts[gift.pk], receipt_number=number)
        out.append(PdfReader(io.BytesIO(letter)))
        if receipt is not None:
            with receipt.pdf.open("rb") as stored:
                out.append(PdfReader(io.BytesIO(stored.read())))
    buffer = io.BytesIO()
    out.write(buffer)
    return buffer.getvalue(), len(gifts)


def thank_you_letter_pdf(gift: Gift, facts: GiftFacts, *, receipt_number: str) -> bytes:
    """The gift's printed letter: the rules' letter, else the built-in wording."""
    writer = thank_you_writer()
    pdf = writer.letter_pdf(gift, facts, receipt_number=receipt_number) if writer else None
    return pdf if pdf is not None else _built_in_letter_pdf(gift, receipt_number)


def _built_in_letter_pdf(gift: Gift, receipt_number: str) -> bytes:
    organisation = Organisation.current()
    supporter = gift.supporter
    language = supporter.preferred_language or "en"
    with translation.override(language):
        letter = {
            **letterhead(organisation, supporter),
            "language": language,
            "greeting": supporter.greeting_line(language),
            # Stock and in kind: described, never valued (IRS Pub. 1771).
            "amount": "" if gift.is_non_cash else money_text(gift.net_amount),
            "property": noncash_description(gift) if gift.is_non_cash else "",
            "date": formats.date_format(gift.received_on, "DATE_FORMAT"),
            "today": formats.date_format(timezone.localdate(), "DATE_FORMAT"),
            "receipt_number": receipt_number,
            "statements": irs_statements(
                amount=gift.net_amount or Decimal(0),
                benefit_value=gift.benefit_value,
                benefit_description=gift.benefit_description,
                organisation_name=organisation.name,
                non_cash=gift.is_non_cash,
            ),
            "method": gift.get_method_display(),
        }
    html = render_to_string(
        "donations/thanks_letters.html",
        {"letters": [letter], "organisation": organisation, "paper": organisation.paper_size},
    )
    return render_pdf(html, time_limit=60)


# A preview issues no receipt (that happens when the thank-you goes): it shows the number
# already issued, or the year's prefix with dots where the number will be.
def _unnumbered() -> str:
    return f"{timezone.localdate().year}-……"


@dataclass(frozen=True)
class Preview:
    row: QueueRow
    email: WrittenEmail
    receipt_number: str
    receipt_issued: bool


def thank_you_preview(gift_id: int) -> Preview | None:
    """What the thank-you of a gift in the queue will say, as it will say it; None when the
    gift is not (or no longer) in the queue."""
    gift = (
        gifts_to_thank()
        .select_related("supporter", "campaign", "fund", "recurring")
        .filter(pk=gift_id)
        .first()
    )
    if gift is None:
        return None
    facts = gift_facts([gift])
    row = replace(_row(gift), facts=facts[gift.pk], choice=letters_chosen([gift], facts)[gift.pk])
    latest = gift.receipts.order_by("-version").first()
    issued = latest is not None and latest.amount == gift.net_amount
    number = latest.number if issued else _unnumbered()
    return Preview(row, thank_you_email(gift, receipt_number=number), number, issued)


def thank_you_letter_preview_pdf(preview: Preview) -> bytes:
    return thank_you_letter_pdf(
        preview.row.gift, preview.row.facts, receipt_number=preview.receipt_number
    )


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
