"""Year-end giving statements: one PDF per donor for a fiscal year, emailed where possible,
with the list of donors that could not be reached and why. Each donor's statement and email
are in their preferred language."""

import datetime
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
from donations.models import ZERO, Gift, Refund
from donations.receipts import letterhead
from donations.summary import RECEIVED


@dataclass
class StatementRun:
    fiscal_year: int
    emailed: list[int] = field(default_factory=list)
    to_print: list[tuple[Supporter, bytes]] = field(default_factory=list)
    unreachable: list[tuple[Supporter, str]] = field(default_factory=list)


def annual_statements_send(*, fiscal_year: int) -> StatementRun:
    organisation = Organisation.current()
    start, end = organisation.fiscal_year_bounds(fiscal_year)
    # The year's lines: its gifts net of the refunds made in the year, and the year's refunds
    # of earlier years' gifts, each dated (a January refund of a December gift is January's).
    gifts = (
        Gift.objects.filter(status__in=RECEIVED, received_on__range=(start, end))
        .select_related("fund")
        .prefetch_related("refunds")
        .order_by("supporter_id", "received_on", "pk")
    )
    by_donor: dict[int, list[dict]] = defaultdict(list)
    for gift in gifts:
        in_year = [r for r in gift.refunds.all() if start <= r.refunded_on <= end]
        # Refunds without a dated row (set by hand before 0007) leave the gift's own year.
        undated = max(gift.amount_refunded - sum(r.amount for r in gift.refunds.all()), ZERO)
        net = gift.amount - sum(r.amount for r in in_year) - undated
        if net > ZERO:
            by_donor[gift.supporter_id].append(
                {"gift": gift, "day": gift.received_on, "amount": net, "refunds": in_year}
            )
    later = Refund.objects.filter(
        refunded_on__range=(start, end), gift__received_on__lt=start, gift__status__in=RECEIVED
    ).select_related("gift__fund")
    for refund in later.order_by("refunded_on", "pk"):
        by_donor[refund.gift.supporter_id].append(
            {"gift": refund.gift, "day": refund.refunded_on, "amount": -refund.amount, "of": True}
        )
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
    lines: list[dict],
    organisation: Organisation,
    fiscal_year: int,
    start,
    end,
) -> dict:
    total = sum((line["amount"] for line in lines), Decimal("0.00"))
    benefits = sum((line["gift"].benefit_value for line in lines if "of" not in line), ZERO)
    statements = [_("No goods or services were provided in exchange for these contributions.")]
    if benefits:
        statements = [
            _(
                "Goods or services valued at %(value)s were provided in exchange for these "
                "contributions; the deductible amount is %(deductible)s."
            )
            % {"value": f"${benefits:,.2f}", "deductible": f"${max(total - benefits, ZERO):,.2f}"}
        ]
    return {
        "language": translation.get_language(),
        "fiscal_year": fiscal_year,
        "period": _("%(start)s to %(end)s")
        % {
            "start": formats.date_format(start, "DATE_FORMAT"),
            "end": formats.date_format(end, "DATE_FORMAT"),
        },
        **letterhead(organisation, supporter),
        "gifts": [_line(line) for line in sorted(lines, key=lambda line: line["day"])],
        "total": _dollars(total),
        "statements": statements,
    }


def _line(line: dict) -> dict:
    gift, day = line["gift"], _day
    detail = ""
    if line.get("of"):
        detail = _("Refund of the gift of %(date)s") % {"date": day(gift.received_on)}
    elif line["refunds"]:
        detail = _("%(amount)s given, less refunds: %(refunds)s") % {
            "amount": f"${gift.amount:,.2f}",
            "refunds": ", ".join(
                f"${r.amount:,.2f} ({day(r.refunded_on)})" for r in line["refunds"]
            ),
        }
    return {
        "date": day(line["day"]),
        "method": gift.get_method_display(),
        "fund": gift.fund.name if gift.fund else "",
        "amount": _dollars(line["amount"]),
        "detail": detail,
    }


def _day(day: datetime.date) -> str:
    return formats.date_format(day, "DATE_FORMAT")


def _dollars(amount: Decimal) -> str:
    return f"-${-amount:,.2f}" if amount < ZERO else f"${amount:,.2f}"


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
