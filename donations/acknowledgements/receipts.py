"""Tax receipts: numbered per year, rendered once to PDF and never changed afterwards.

A refund or a correction to a receipted gift issues a new version with a new number that
says which receipt it replaces. A receipt is written in the donor's preferred language (the
IRS statements too; amounts keep US dollar formatting).
"""

from decimal import Decimal

from django.core.files.base import ContentFile
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from core.models import Organisation
from core.money import money_text
from core.pdf import render_pdf
from crm.greetings import in_language
from crm.models import Supporter
from donations.models import ZERO, Gift, Receipt, ReceiptCounter
from donations.noncash import noncash_lines, noncash_statement

# IRS Publication 1771: a written acknowledgment (saying whether goods or services were
# given) for any gift of $250 or more, and a disclosure for quid pro quo payments over $75.
# Every receipt carries the statement, whatever the amount.
QUID_PRO_QUO_THRESHOLD = Decimal("75.00")


def receipt_issue(*, gift: Gift) -> Receipt | None:
    """The gift's current receipt, issuing a new version if what it says has changed.
    Returns None for a gift that is not (or no longer) money received."""
    with transaction.atomic():
        gift = (
            Gift.objects.select_for_update(of=("self",))
            .select_related("supporter", "fund")
            .get(pk=gift.pk)
        )
        latest = gift.receipts.order_by("-version").first()
        amount = gift.net_amount
        if latest is not None and latest.amount == amount and not _property_changed(gift, latest):
            return latest
        if latest is None and amount <= ZERO:
            return None
        number = _next_number(timezone.localdate().year)
        version = latest.version + 1 if latest else 1
        reason = (
            Receipt.Reason.ORIGINAL
            if latest is None
            else (Receipt.Reason.REFUND if gift.amount_refunded else Receipt.Reason.CORRECTION)
        )
        snapshot = _snapshot(
            gift,
            number=number,
            version=version,
            reason=reason,
            replaces=latest.number if latest else "",
        )
        receipt = Receipt(
            gift=gift,
            number=number,
            version=version,
            reason=reason,
            amount=amount,
            snapshot=snapshot,
        )
        html = render_to_string("donations/receipt.html", {"r": snapshot})
        receipt.pdf.save(f"receipt-{number}.pdf", ContentFile(render_pdf(html)), save=False)
        receipt.save()
        return receipt


def _property_changed(gift: Gift, latest: Receipt) -> bool:
    """A non-cash receipt states what was given, so a corrected description (not a new
    value, which it never prints) issues a corrected receipt."""
    return latest.snapshot.get("property", {}) != _property(gift)


def _property(gift: Gift) -> dict:
    if not gift.is_non_cash:
        return {}
    return {
        "description": gift.in_kind_description.strip(),
        "ticker": gift.stock_ticker,
        "shares": str(gift.stock_shares) if gift.stock_shares is not None else "",
        "given_on": str(gift.given_on or ""),
    }


def _next_number(year: int) -> str:
    counter, _ = ReceiptCounter.objects.select_for_update().get_or_create(year=year)
    counter.last += 1
    counter.save(update_fields=["last"])
    return f"{year}-{counter.last:06d}"


def irs_statements(
    *,
    amount: Decimal,
    benefit_value: Decimal,
    benefit_description: str,
    organisation_name: str,
    non_cash: bool = False,
) -> list[str]:
    """The IRS wording, in the active language. A non-cash gift's receipt states no value for
    the gift, so the deductible part is described rather than computed."""
    if non_cash:
        if benefit_value > ZERO:
            what = f" ({benefit_description})" if benefit_description else ""
            quid_pro_quo = [
                _(
                    "In return for this contribution you received goods or services%(what)s "
                    "valued at %(value)s."
                )
                % {"what": what, "value": money_text(benefit_value)},
                _(
                    "The deductible amount is limited to the excess of the value of the "
                    "property you contributed over the value of goods or services provided by "
                    "%(organisation)s."
                )
                % {"organisation": organisation_name},
            ]
        else:
            quid_pro_quo = [
                _("No goods or services were provided in exchange for this contribution.")
            ]
        return [*quid_pro_quo, noncash_statement()]
    if benefit_value > ZERO:
        deductible = max(amount - benefit_value, ZERO)
        what = f" ({benefit_description})" if benefit_description else ""
        statements = [
            _(
                "In return for this contribution you received goods or services%(what)s "
                "valued at %(value)s."
            )
            % {"what": what, "value": money_text(benefit_value)}
        ]
        if amount > QUID_PRO_QUO_THRESHOLD:
            statements.append(
                _(
                    "The amount of your contribution that is deductible for federal income tax "
                    "purposes is limited to the excess of the amount contributed over the value "
                    "of goods or services provided by %(organisation)s: %(deductible)s."
                )
                % {"organisation": organisation_name, "deductible": money_text(deductible)}
            )
        return statements
    return [_("No goods or services were provided in exchange for this contribution.")]


def letterhead(organisation: Organisation, supporter: Supporter) -> dict:
    """The parts every donor document prints: paper size, sender, and the donor's address."""
    return {
        "paper": "letter" if organisation.paper_size == "letter" else "A4",
        "organisation": {
            "name": organisation.name,
            "address": organisation.address,
            "tax_id_label": _("Tax ID (EIN) %(ein)s") % {"ein": organisation.tax_id}
            if organisation.tax_id
            else "",
        },
        "donor": {
            "addressee": in_language(supporter.effective_addressee, supporter.preferred_language),
            "address": supporter.address_lines,
            "greeting": supporter.greeting_line(),
        },
    }


def _snapshot(gift: Gift, *, number: str, version: int, reason: str, replaces: str) -> dict:
    language = gift.supporter.preferred_language or "en"
    with translation.override(language):
        return {"language": language, **_snapshot_texts(gift, number, version, reason, replaces)}


def _snapshot_texts(gift: Gift, number: str, version: int, reason: str, replaces: str) -> dict:
    organisation = Organisation.current()
    supporter = gift.supporter
    amount = gift.net_amount
    method = gift.get_method_display()
    if gift.cheque_number:
        method = _("%(method)s no. %(number)s") % {"method": method, "number": gift.cheque_number}
    non_cash = gift.is_non_cash
    return {
        "number": number,
        "version": version,
        "replaces": replaces,
        "reason_label": str(Receipt.Reason(reason).label).lower(),
        **letterhead(organisation, supporter),
        "received_on": formats.date_format(gift.received_on, "DATE_FORMAT"),
        "issued_on": formats.date_format(timezone.localdate(), "DATE_FORMAT"),
        # A non-cash gift prints what was given instead of an amount (IRS Pub. 1771); the
        # value staff recorded stays on the gift, for reports.
        "non_cash": non_cash,
        "property": _property(gift),
        "property_lines": [list(line) for line in noncash_lines(gift)] if non_cash else [],
        "amount": "" if non_cash else str(amount),
        "amount_display": "" if non_cash else f"{money_text(amount)} {gift.currency.upper()}",
        "refunded": money_text(gift.amount_refunded)
        if gift.amount_refunded and not non_cash
        else "",
        "method": str(method),
        "fund": gift.fund.name_in(translation.get_language()) if gift.fund else "",
        "tribute": str(gift.get_tribute_display()) if gift.tribute else "",
        "tribute_name": gift.tribute_name,
        "statements": irs_statements(
            amount=amount,
            benefit_value=gift.benefit_value,
            benefit_description=gift.benefit_description,
            organisation_name=organisation.name,
            non_cash=non_cash,
        ),
    }
