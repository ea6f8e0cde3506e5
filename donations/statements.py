"""Year-end giving statements: one PDF per donor for a fiscal year, emailed where possible,
with the list of donors that could not be reached and why. Each donor's statement and email
are in their preferred language."""

from collections import defaultdict
from dataclasses import dataclass, field
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


@dataclass
class StatementRun:
    fiscal_year: int
    emailed: list[int] = field(default_factory=list)
    to_print: list[tuple[Supporter, bytes]] = field(default_factory=list)
    unreachable: list[tuple[Supporter, str]] = field(default_factory=list)


def annual_statements_send(*, fiscal_year: int) -> StatementRun:
    organisation = Organisation.current()
    start, end = organisation.fiscal_year_bounds(fiscal_year)
    gifts = (
        Gift.objects.filter(status__in=COUNTED, received_on__range=(start, end))
        .select_related("fund")
        .order_by("supporter_id", "received_on", "pk")
    )
    by_donor: dict[int, list[Gift]] = defaultdict(list)
    for gift in gifts:
        if gift.net_amount > ZERO:
            by_donor[gift.supporter_id].append(gift)
    run = StatementRun(fiscal_year=fiscal_year)
    for supporter in Supporter.objects.filter(pk__in=by_donor).order_by("postal_code", "pk"):
        if supporter.deceased:
            run.unreachable.append((supporter, "marked deceased"))
            continue
        with translation.override(supporter.preferred_language or "en"):
            statement = _statement(
                supporter, by_donor[supporter.pk], organisation, fiscal_year, start, end
            )
        pdf = render_pdf(render_to_string("donations/statement.html", {"s": statement}))
        if supporter.email and not supporter.do_not_contact:
            _email(supporter, pdf, organisation, fiscal_year)
            run.emailed.append(supporter.pk)
        elif supporter.has_postal_address and not (
            supporter.do_not_mail or supporter.do_not_contact
        ):
            run.to_print.append((supporter, pdf))
        else:
            reason = (
                "do not contact"
                if supporter.do_not_contact
                else ("no email, do not mail" if supporter.do_not_mail else "no email, no address")
            )
            run.unreachable.append((supporter, reason))
    return run


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


def _email(supporter: Supporter, pdf: bytes, organisation: Organisation, year: int) -> None:
    names = {"year": year, "org": organisation.name}
    with translation.override(supporter.preferred_language or "en"):  # the donor's language
        subject = _("Your %(year)s giving statement from %(org)s") % names
        thanks = _(
            "Thank you for your support in %(year)s. Your giving statement is attached for "
            "your tax records."
        ) % {"year": year}
        closing = _("With gratitude,")
        body = f"{supporter.greeting_line()}\n\n{thanks}\n\n{closing}\n{organisation.name}\n"
    message = EmailMultiAlternatives(
        subject=subject,
        body=body,
        to=[supporter.email],
        from_email=organisation.default_sender or None,
    )
    message.attach(f"giving-statement-{year}.pdf", pdf, "application/pdf")
    message.send()
