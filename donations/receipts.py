"""Tax receipts: numbered per year, rendered once to PDF and never changed afterwards.

A refund or a correction to a receipted gift issues a new version with a new number that
says which receipt it replaces.
"""

from decimal import Decimal

from django.core.files.base import ContentFile
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from core.models import Organisation
from core.pdf import render_pdf
from crm.models import Supporter
from donations.models import ZERO, Gift, Receipt, ReceiptCounter

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
        if latest is not None and latest.amount == amount:
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


def _next_number(year: int) -> str:
    counter, _ = ReceiptCounter.objects.select_for_update().get_or_create(year=year)
    counter.last += 1
    counter.save(update_fields=["last"])
    return f"{year}-{counter.last:06d}"


def irs_statements(
    *, amount: Decimal, benefit_value: Decimal, benefit_description: str, organisation_name: str
) -> list[str]:
    if benefit_value > ZERO:
        deductible = max(amount - benefit_value, ZERO)
        what = f" ({benefit_description})" if benefit_description else ""
        statements = [
            f"In return for this contribution you received goods or services{what} valued at "
            f"${benefit_value:,.2f}."
        ]
        if amount > QUID_PRO_QUO_THRESHOLD:
            statements.append(
                "The amount of your contribution that is deductible for federal income tax "
                "purposes is limited to the excess of the amount contributed over the value of "
                f"goods or services provided by {organisation_name}: ${deductible:,.2f}."
            )
        return statements
    return ["No goods or services were provided in exchange for this contribution."]


def letterhead(organisation: Organisation, supporter: Supporter) -> dict:
    """The parts every donor document prints: paper size, sender, and the donor's address."""
    return {
        "paper": "letter" if organisation.paper_size == "letter" else "A4",
        "organisation": {
            "name": organisation.name,
            "address": organisation.address,
            "tax_id_label": f"Tax ID (EIN) {organisation.tax_id}" if organisation.tax_id else "",
        },
        "donor": {
            "addressee": supporter.effective_addressee,
            "address": supporter.address_lines,
            "salutation": supporter.effective_salutation,
        },
    }


def _snapshot(gift: Gift, *, number: str, version: int, reason: str, replaces: str) -> dict:
    organisation = Organisation.current()
    supporter = gift.supporter
    amount = gift.net_amount
    return {
        "number": number,
        "version": version,
        "replaces": replaces,
        "reason_label": Receipt.Reason(reason).label.lower(),
        "language": supporter.preferred_language,
        **letterhead(organisation, supporter),
        "received_on": gift.received_on.strftime("%B %-d, %Y"),
        "issued_on": timezone.localdate().strftime("%B %-d, %Y"),
        "amount": str(amount),
        "amount_display": f"${amount:,.2f} {gift.currency.upper()}",
        "refunded": f"${gift.amount_refunded:,.2f}" if gift.amount_refunded else "",
        "method": gift.get_method_display()
        + (f" no. {gift.cheque_number}" if gift.cheque_number else ""),
        "fund": gift.fund.name if gift.fund else "",
        "tribute": gift.get_tribute_display() if gift.tribute else "",
        "tribute_name": gift.tribute_name,
        "statements": irs_statements(
            amount=amount,
            benefit_value=gift.benefit_value,
            benefit_description=gift.benefit_description,
            organisation_name=organisation.name,
        ),
    }
