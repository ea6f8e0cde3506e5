"""The journal export: every deposit (a Stripe payout that reached the bank, or a check
batch) as one balanced manual journal in Xero's manual-journal CSV layout, and the refunds
paid back by hand on gifts banked outside Stripe, one journal a day.

One row per line of a deposit (a gift, a refund, a dispute, a Stripe fee line), each crediting
or debiting its account with its gross, then one row for the deposit's fees and one for the
money deposited (to a clearing account: Xero posts no manual journal to a bank account). So
each journal's amounts add to zero: Xero's rule, and the bookkeeper's. Xero reads the first ten
columns by their template headings; the columns after them are for the person reviewing it.
A positive *Amount is a debit, a negative one a credit. README: "Journal export".
"""

import csv
import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from itertools import groupby
from pathlib import Path
from typing import IO

from django.conf import settings
from django.db.models import Q, QuerySet

from core.spreadsheets import neutralise_formula
from donations.deposits.payouts import REFUND_TYPES
from donations.models import ZERO, Gift, Payout, PayoutLine, Refund

XERO_COLUMNS = (
    "*Narration", "*Date", "Description", "*AccountCode", "*TaxRate", "*Amount",
    "TrackingName1", "TrackingOption1", "TrackingName2", "TrackingOption2",
)  # fmt: skip
REVIEW_COLUMNS = ("Deposit", "Type", "Donor", "Gross", "Fee", "Net")
COLUMNS = XERO_COLUMNS + REVIEW_COLUMNS


@dataclass(frozen=True)
class JournalRow:
    narration: str  # the deposit's reference; Xero groups a journal's lines by it and the date
    date: datetime.date
    description: str
    account: str
    amount: Decimal  # debit when positive, credit when negative
    fund: str = ""
    campaign: str = ""
    deposit: str = ""
    type: str = ""
    donor: str = ""
    gross: Decimal | None = None
    fee: Decimal | None = None
    net: Decimal | None = None

    def cells(self, *, dates_as_text: bool) -> list:
        """The row's cells in COLUMNS order; text that a spreadsheet would run as a formula is
        made plain text (numbers and dates are written as such, never as text)."""
        text = neutralise_formula
        return [
            text(self.narration),
            self.date.strftime("%d %b %Y") if dates_as_text else self.date,
            text(self.description),
            text(self.account),
            text(settings.JOURNAL_TAX_RATE),
            self.amount,
            "Fund" if self.fund else "",
            text(self.fund),
            "Campaign" if self.campaign else "",
            text(self.campaign),
            text(self.deposit),
            text(self.type),
            text(self.donor),
            self.gross,
            self.fee,
            self.net,
        ]


def _donor(gift: Gift | None) -> str:
    return str(gift.supporter) if gift is not None else ""


def _tracking(gift: Gift | None) -> dict[str, str]:
    if gift is None:
        return {}
    return {
        "fund": gift.fund.name if gift.fund else "",
        "campaign": gift.campaign.name if gift.campaign else "",
    }


def _payout_rows(payout: Payout) -> list[JournalRow]:
    reference = f"Stripe payout {payout.stripe_payout_id}"
    base = {"narration": reference, "date": payout.arrival_date, "deposit": reference}
    rows: list[JournalRow] = []
    lines = payout.lines.select_related("gift__supporter", "gift__fund", "gift__campaign")
    fees = ZERO
    for line in lines.order_by("created", "pk"):
        rows.append(_payout_line_row(line, base))
        fees += line.fee
    if fees:
        rows.append(
            JournalRow(
                **base,
                description=f"Stripe fees in {reference}",
                account=settings.JOURNAL_ACCOUNT_FEES,
                amount=fees,
                type="Fees",
                fee=fees,
            )  # fmt: skip
        )
    if payout.difference:
        # Kept balanced so Xero takes it, in suspense so no one mistakes it for income.
        rows.append(
            JournalRow(
                **base,
                description=(
                    f"Does not add up: Stripe's lines total {payout.lines_total}, the payout "
                    f"{payout.amount}; see the payout in the CRM's admin"
                ),
                account=settings.JOURNAL_ACCOUNT_SUSPENSE,
                amount=-payout.difference,
                type="Unreconciled difference",
            )
        )
    rows.append(
        JournalRow(
            **base,
            description=f"{reference} deposited ({payout.currency.upper()})",
            account=settings.JOURNAL_ACCOUNT_STRIPE_CLEARING,
            amount=payout.amount,
            type="Deposit",
            net=payout.amount,
        )  # fmt: skip
    )
    return rows


def _payout_line_row(line: PayoutLine, base: dict) -> JournalRow:
    gift = line.gift
    account = settings.JOURNAL_ACCOUNT_DONATIONS
    donor = _donor(gift)
    if line.type in ("charge", "payment"):
        kind = "Gift" if gift else "Charge not matched to a gift"
        account = account if gift else settings.JOURNAL_ACCOUNT_SUSPENSE
        memo = f"Gift from {donor}" if gift else f"Charge {line.description}".strip()
    elif line.type in REFUND_TYPES:
        kind, memo = "Refund", f"Refund to {donor}" if gift else "Refund"
    elif line.reporting_category == "dispute" or line.type == "adjustment":
        kind, memo = "Dispute", f"Dispute by {donor}" if gift else line.description or "Dispute"
    elif line.type == "stripe_fee" or line.reporting_category == "fee":
        kind, memo, account = "Stripe fee", line.description, settings.JOURNAL_ACCOUNT_FEES
    else:
        kind, memo = f"Other ({line.type})", line.description
        account = settings.JOURNAL_ACCOUNT_SUSPENSE
    return JournalRow(
        **base,
        description=f"{memo} ({line.source_id or line.balance_transaction_id})",
        account=account,
        amount=-line.amount,
        type=kind,
        donor=donor,
        gross=line.amount,
        fee=line.fee,
        net=line.net,
        **_tracking(gift),
    )


def _cheque_rows(deposit_date: datetime.date, gifts: Iterable[Gift]) -> list[JournalRow]:
    reference = f"Bank deposit {deposit_date.isoformat()}"
    base = {"narration": reference, "date": deposit_date, "deposit": reference}
    rows: list[JournalRow] = []
    total = ZERO
    for gift in gifts:
        method = gift.get_method_display()
        number = f" no. {gift.cheque_number}" if gift.cheque_number else ""
        rows.append(
            JournalRow(
                **base,
                description=f"{method}{number} from {_donor(gift)}",
                account=settings.JOURNAL_ACCOUNT_DONATIONS,
                amount=-gift.amount,
                type=str(method),
                donor=_donor(gift),
                gross=gift.amount,
                fee=ZERO,
                net=gift.amount,
                **_tracking(gift),
            )
        )
        total += gift.amount
    rows.append(
        JournalRow(
            **base,
            description=f"{reference}: {len(rows)} item(s) banked",
            account=settings.JOURNAL_ACCOUNT_CHEQUE_CLEARING,
            amount=total,
            type="Deposit",
            net=total,
        )  # fmt: skip
    )
    return rows


def _refund_rows(day: datetime.date, refunds: Iterable[Refund]) -> list[JournalRow]:
    """The refunds staff paid back on one day on gifts banked outside Stripe (a check or cash
    returned): as a payout's refund lines do, each debits donations income with the refund,
    a negative gross against the gift's fund and campaign, and the money paid out credits the
    clearing account the bank feed's withdrawal is matched against."""
    reference = f"Refunds paid {day.isoformat()}"
    base = {"narration": reference, "date": day, "deposit": reference}
    rows: list[JournalRow] = []
    total = ZERO
    for refund in refunds:
        gift = refund.gift
        number = f" no. {gift.cheque_number}" if gift.cheque_number else ""
        rows.append(
            JournalRow(
                **base,
                description=f"Refund to {_donor(gift)}: {gift.get_method_display()}{number} of "
                f"{gift.received_on.isoformat()}, banked {gift.deposit_date.isoformat()}",
                account=settings.JOURNAL_ACCOUNT_DONATIONS,
                amount=refund.amount,
                type="Refund",
                donor=_donor(gift),
                gross=-refund.amount,
                fee=ZERO,
                net=-refund.amount,
                **_tracking(gift),
            )
        )
        total += refund.amount
    rows.append(
        JournalRow(
            **base,
            description=f"{reference}: {len(rows)} refund(s) paid out",
            account=settings.JOURNAL_ACCOUNT_CHEQUE_CLEARING,
            amount=-total,
            type="Paid out",
            net=-total,
        )  # fmt: skip
    )
    return rows


def journal_rows(*, start: datetime.date, end: datetime.date) -> list[JournalRow]:
    """Every deposit that reached the bank from `start` to `end` (inclusive), oldest first:
    paid Stripe payouts by arrival date, check batches by deposit date, and refunds paid back
    on gifts banked by hand by the refund's date."""
    payouts = Payout.objects.filter(
        status=Payout.Status.PAID, arrival_date__gte=start, arrival_date__lte=end
    ).order_by("arrival_date", "pk")
    # A batch's gifts: recorded with a deposit date and banked by hand.
    banked = (
        _outside_stripe(Gift.objects.filter(deposit_date__gte=start, deposit_date__lte=end))
        .select_related("supporter", "fund", "campaign")
        .order_by("deposit_date", "pk")
    )
    # Refunds of those banked gifts, on the day each was paid back (a Stripe gift's refunds
    # are lines of the payout that paid them).
    paid_back = (
        Refund.objects.filter(refunded_on__gte=start, refunded_on__lte=end)
        .filter(gift__in=_outside_stripe(Gift.objects.filter(deposit_date__isnull=False)))
        .select_related("gift__supporter", "gift__fund", "gift__campaign")
        .order_by("refunded_on", "pk")
    )
    deposits: list[tuple[datetime.date, str, list[JournalRow]]] = [
        (p.arrival_date, p.stripe_payout_id, _payout_rows(p)) for p in payouts
    ]
    for day, gifts in groupby(banked, key=lambda gift: gift.deposit_date):
        deposits.append((day, "", _cheque_rows(day, gifts)))
    for day, refunds in groupby(paid_back, key=lambda refund: refund.refunded_on):
        deposits.append((day, "~refunds", _refund_rows(day, refunds)))  # after the day's others
    deposits.sort(key=lambda deposit: (deposit[0], deposit[1]))
    rows = [row for _day, _ref, deposit_rows in deposits for row in deposit_rows]
    _check_balanced(rows)
    return rows


def _outside_stripe(gifts: QuerySet[Gift]) -> QuerySet[Gift]:
    """Gifts banked by hand: not through Stripe (a Stripe gift is banked by its payout), and
    not pending or failed (never money in the bank)."""
    return gifts.filter(
        Q(stripe_charge_id__isnull=True)
        & Q(stripe_payment_intent_id__isnull=True)
        & Q(stripe_invoice_id__isnull=True)
    ).exclude(status__in=(Gift.Status.PENDING, Gift.Status.FAILED))


def _check_balanced(rows: list[JournalRow]) -> None:
    for narration, lines in groupby(rows, key=lambda row: row.narration):
        total = sum((row.amount for row in lines), start=ZERO)
        if total != ZERO:
            raise ValueError(f"The journal of {narration} does not balance (off by {total}).")


def journal_write(rows: list[JournalRow], out: IO[bytes], *, kind: str) -> None:
    """Write `rows` as CSV (Xero's import file) or XLSX (for review) to a binary stream."""
    if kind == "csv":
        text = _TextOut(out)
        writer = csv.writer(text)
        writer.writerow(COLUMNS)
        for row in rows:
            writer.writerow(["" if c is None else c for c in row.cells(dates_as_text=True)])
        return
    if kind != "xlsx":
        raise ValueError(f"No journal format {kind!r}: use csv or xlsx.")
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "Journal"
    sheet.append(list(COLUMNS))
    for row in rows:
        sheet.append(row.cells(dates_as_text=False))
    for cells in sheet.iter_rows(min_row=2):
        cells[1].number_format = "dd mmm yyyy"
        for cell in cells[5:6] + cells[13:16]:
            cell.number_format = "#,##0.00"
        for cell in cells:
            if isinstance(cell.value, str):
                cell.data_type = "s"  # never a formula, whatever the text
    sheet.freeze_panes = "A2"
    book.save(out)


def journal_kind(path: str | Path) -> str:
    suffix = Path(path).suffix.lower().lstrip(".")
    if suffix not in ("csv", "xlsx"):
        raise ValueError("The journal file must end in .csv or .xlsx.")
    return suffix


class _TextOut:
    """csv.writer writes text; the exports are binary streams (files, HTTP responses)."""

    def __init__(self, out: IO[bytes]) -> None:
        self.out = out

    def write(self, text: str) -> int:
        return self.out.write(text.encode("utf-8"))
