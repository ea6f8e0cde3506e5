"""Year-end giving statements: what one donor's statement for a fiscal year lists, its PDF and
its email, each in the donor's preferred language. Who gets one, by which channel, and the
send-once rule are in donations.acknowledgements.statement_runs.

A statement's lines are the year's gifts net of the refunds made in that year, and the year's
refunds of earlier years' gifts, each dated: a January refund of a December gift is January's.
Stock and in-kind gifts are listed by description, with no value (IRS Pub. 1771)."""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import formats, translation
from django.utils.translation import gettext as _

from core.models import Organisation
from core.money import money_text
from core.pdf import render_pdf
from crm.models import Supporter
from donations.acknowledgements.receipts import irs_statements, letterhead
from donations.models import ZERO, Gift, Refund
from donations.noncash import noncash_description, noncash_given_on, noncash_statement
from donations.summary import RECEIVED


@dataclass(frozen=True)
class StatementEntry:
    """One line of a statement: a gift net of the year's refunds, or a refund this year of an
    earlier year's gift (a negative amount)."""

    gift: Gift
    day: datetime.date
    amount: Decimal
    refunds: list[Refund] = field(default_factory=list)
    refund_of_earlier: bool = False

    @property
    def is_cash(self) -> bool:
        return not self.gift.is_non_cash


def statement_gifts(
    *, fiscal_year: int, supporter_ids: list[int] | None = None
) -> dict[int, list[StatementEntry]]:
    """Each donor's statement lines for the fiscal year, by supporter id."""
    organisation = Organisation.current()
    start, end = organisation.fiscal_year_bounds(fiscal_year)
    gifts = (
        Gift.objects.filter(status__in=RECEIVED, received_on__range=(start, end))
        .select_related("fund")
        .prefetch_related("refunds")
        .order_by("supporter_id", "received_on", "pk")
    )
    later = Refund.objects.filter(
        refunded_on__range=(start, end), gift__received_on__lt=start, gift__status__in=RECEIVED
    ).select_related("gift__fund")
    if supporter_ids is not None:
        gifts = gifts.filter(supporter_id__in=supporter_ids)
        later = later.filter(gift__supporter_id__in=supporter_ids)
    by_donor: dict[int, list[StatementEntry]] = defaultdict(list)
    for gift in gifts:
        in_year = [r for r in gift.refunds.all() if start <= r.refunded_on <= end]
        # Refunds without a dated row (set by hand before migration 0013) leave the gift's own year.
        undated = max(gift.amount_refunded - sum(r.amount for r in gift.refunds.all()), ZERO)
        net = gift.amount - sum(r.amount for r in in_year) - undated
        if net > ZERO:
            by_donor[gift.supporter_id].append(
                StatementEntry(gift=gift, day=gift.received_on, amount=net, refunds=in_year)
            )
    for refund in later.order_by("refunded_on", "pk"):
        by_donor[refund.gift.supporter_id].append(
            StatementEntry(
                gift=refund.gift,
                day=refund.refunded_on,
                amount=-refund.amount,
                refund_of_earlier=True,
            )
        )
    return by_donor


def statement_pdf(
    *,
    supporter: Supporter,
    gifts: list[StatementEntry],
    fiscal_year: int,
    correction: bool = False,
) -> bytes:
    """One donor's statement as a PDF, in their language; a correction says so at the top."""
    organisation = Organisation.current()
    start, end = organisation.fiscal_year_bounds(fiscal_year)
    with translation.override(supporter.preferred_language or "en"):
        statement = _statement(supporter, gifts, organisation, fiscal_year, start, end)
    html = render_to_string("donations/statement.html", {"s": statement, "correction": correction})
    return render_pdf(html)


def _statement(
    supporter: Supporter,
    entries: list[StatementEntry],
    organisation: Organisation,
    fiscal_year: int,
    start: datetime.date,
    end: datetime.date,
) -> dict:
    # Stock and in-kind gifts are listed by what was given, with no value and outside the
    # total (IRS Pub. 1771: the organisation does not value property it receives).
    cash = [e for e in entries if e.is_cash]
    property_gifts = [e.gift for e in entries if not e.is_cash and not e.refund_of_earlier]
    total = sum((e.amount for e in cash), Decimal("0.00"))
    benefits = sum((e.gift.benefit_value for e in cash if not e.refund_of_earlier), ZERO)
    statements = [_("No goods or services were provided in exchange for these contributions.")]
    if benefits:
        statements = [
            _(
                "Goods or services valued at %(value)s were provided in exchange for these "
                "contributions; the deductible amount is %(deductible)s."
            )
            % {"value": money_text(benefits), "deductible": money_text(max(total - benefits, ZERO))}
        ]
    if property_gifts:
        statements += noncash_statements(property_gifts, organisation.name)
    return {
        "language": translation.get_language(),
        "fiscal_year": fiscal_year,
        "period": _("%(start)s to %(end)s") % {"start": _day(start), "end": _day(end)},
        **letterhead(organisation, supporter),
        "gifts": [_line(e) for e in sorted(cash, key=lambda e: e.day)],
        "property_gifts": [
            {
                "date": _day(noncash_given_on(g)),
                "method": g.get_method_display(),
                "description": noncash_description(g),
                "fund": g.fund.name_in(translation.get_language()) if g.fund else "",
            }
            for g in property_gifts
        ],
        "total": money_text(total),
        "statements": statements,
    }


def _line(entry: StatementEntry) -> dict:
    gift = entry.gift
    detail = ""
    if entry.refund_of_earlier:
        detail = _("Refund of the gift of %(date)s") % {"date": _day(gift.received_on)}
    elif entry.refunds:
        detail = _("%(amount)s given, less refunds: %(refunds)s") % {
            "amount": money_text(gift.amount),
            "refunds": ", ".join(
                f"{money_text(r.amount)} ({_day(r.refunded_on)})" for r in entry.refunds
            ),
        }
    return {
        "date": _day(entry.day),
        "method": gift.get_method_display(),
        "fund": gift.fund.name_in(translation.get_language()) if gift.fund else "",
        "amount": money_text(entry.amount),
        "detail": detail,
    }


def _day(day: datetime.date) -> str:
    return formats.date_format(day, "DATE_FORMAT")


def noncash_statements(gifts: list[Gift], organisation_name: str) -> list[str]:
    """The wording for the non-cash part of a statement: described, never valued; goods or
    services given in return for property are stated gift by gift."""
    lines = []
    for gift in gifts:
        if gift.benefit_value > ZERO:
            lines += irs_statements(
                amount=gift.net_amount,
                benefit_value=gift.benefit_value,
                benefit_description=gift.benefit_description,
                organisation_name=organisation_name,
                non_cash=True,
            )[:-1]
    return [*lines, noncash_statement()]


def statement_email(
    *, supporter: Supporter, pdf: bytes, fiscal_year: int, correction: bool = False
) -> EmailMultiAlternatives:
    """The statement email, ready to send (or to show as a preview)."""
    organisation = Organisation.current()
    names = {"year": fiscal_year, "org": organisation.name}
    with translation.override(supporter.preferred_language or "en"):  # the donor's language
        if correction:
            subject = _("Corrected: your %(year)s giving statement from %(org)s") % names
            thanks = _(
                "We found a mistake in the giving statement we sent you for %(year)s. The "
                "corrected statement is attached; please use it in place of the earlier one."
            ) % {"year": fiscal_year}
        else:
            subject = _("Your %(year)s giving statement from %(org)s") % names
            thanks = _(
                "Thank you for your support in %(year)s. Your giving statement is attached for "
                "your tax records."
            ) % {"year": fiscal_year}
        closing = _("With gratitude,")
        body = f"{supporter.greeting_line()}\n\n{thanks}\n\n{closing}\n{organisation.name}\n"
    message = EmailMultiAlternatives(
        subject=subject,
        body=body,
        to=[supporter.email],
        from_email=organisation.sender_for(supporter.preferred_language) or None,
    )
    name = "corrected-giving-statement" if correction else "giving-statement"
    message.attach(f"{name}-{fiscal_year}.pdf", pdf, "application/pdf")
    return message
