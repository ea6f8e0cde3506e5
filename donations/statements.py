"""Year-end giving statements: what one donor's statement for a fiscal year lists, its PDF and
its email, each in the donor's preferred language. Who gets one, by which channel, and the
send-once rule are in donations.statement_runs."""

from collections import defaultdict
from decimal import Decimal

from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import formats, translation
from django.utils.translation import gettext as _

from core.models import Organisation
from core.pdf import render_pdf
from crm.models import Supporter
from donations.models import ZERO, Gift
from donations.noncash import noncash_description, noncash_given_on, noncash_statement
from donations.receipts import irs_statements, letterhead
from donations.summary import COUNTED


def statement_gifts(
    *, fiscal_year: int, supporter_ids: list[int] | None = None
) -> dict[int, list[Gift]]:
    """Each donor's gifts a statement for the fiscal year lists, by supporter id."""
    organisation = Organisation.current()
    start, end = organisation.fiscal_year_bounds(fiscal_year)
    gifts = (
        Gift.objects.filter(status__in=COUNTED, received_on__range=(start, end))
        .select_related("fund")
        .order_by("supporter_id", "received_on", "pk")
    )
    if supporter_ids is not None:
        gifts = gifts.filter(supporter_id__in=supporter_ids)
    by_donor: dict[int, list[Gift]] = defaultdict(list)
    for gift in gifts:
        if gift.net_amount > ZERO:
            by_donor[gift.supporter_id].append(gift)
    return by_donor


def statement_pdf(
    *, supporter: Supporter, gifts: list[Gift], fiscal_year: int, correction: bool = False
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
    gifts: list[Gift],
    organisation: Organisation,
    fiscal_year: int,
    start,
    end,
) -> dict:
    # Stock and in-kind gifts are listed by what was given, with no value and outside the
    # total (IRS Pub. 1771: the organisation does not value property it receives).
    cash = [gift for gift in gifts if not gift.is_non_cash]
    property_gifts = [gift for gift in gifts if gift.is_non_cash]
    total = sum((gift.net_amount for gift in cash), Decimal("0.00"))
    benefits = sum((gift.benefit_value for gift in cash), Decimal("0.00"))
    statements = [_("No goods or services were provided in exchange for these contributions.")]
    if benefits:
        statements = [
            _(
                "Goods or services valued at %(value)s were provided in exchange for these "
                "contributions; the deductible amount is %(deductible)s."
            )
            % {"value": f"${benefits:,.2f}", "deductible": f"${max(total - benefits, ZERO):,.2f}"}
        ]
    if property_gifts:
        statements += noncash_statements(property_gifts, organisation.name)
    return {
        "language": translation.get_language(),
        "fiscal_year": fiscal_year,
        "period": _("%(start)s to %(end)s")
        % {
            "start": formats.date_format(start, "DATE_FORMAT"),
            "end": formats.date_format(end, "DATE_FORMAT"),
        },
        **letterhead(organisation, supporter),
        "gifts": [
            {
                "date": formats.date_format(g.received_on, "DATE_FORMAT"),
                "method": g.get_method_display(),
                "fund": g.fund.name if g.fund else "",
                "amount": f"${g.net_amount:,.2f}",
            }
            for g in cash
        ],
        "property_gifts": [
            {
                "date": formats.date_format(noncash_given_on(g), "DATE_FORMAT"),
                "method": g.get_method_display(),
                "description": noncash_description(g),
                "fund": g.fund.name if g.fund else "",
            }
            for g in property_gifts
        ],
        "total": f"${total:,.2f}",
        "statements": statements,
    }


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
        from_email=organisation.default_sender or None,
    )
    name = "corrected-giving-statement" if correction else "giving-statement"
    message.attach(f"{name}-{fiscal_year}.pdf", pdf, "application/pdf")
    return message
