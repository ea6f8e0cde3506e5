"""Non-cash gifts (stock and in kind): the rules for recording them and the words that describe
them to the donor.

IRS Publication 1771: the written acknowledgment of a non-cash contribution describes the
property but does not state its value; valuing it is the donor's business. So every donor
document (receipt, thank-you, letter, year-end statement) describes these gifts by what was
given, and the amount staff record stays in the ledger for reports only.
"""

import datetime
import re
from decimal import Decimal

from django.utils import formats
from django.utils.translation import gettext as _

from donations.models import Gift

# Exchange symbols: letters and digits with an optional class suffix (BRK.B, BF-B, RDS/A).
TICKER = re.compile(r"[A-Z0-9]{1,6}([.\-/][A-Z0-9]{1,3})?")


def noncash_errors(
    *, method: str, description: str, ticker: str, shares: Decimal | None
) -> dict[str, str]:
    """What a stock or in-kind gift lacks, by field, in staff words; empty when complete."""
    errors: dict[str, str] = {}
    if method == Gift.Method.IN_KIND and not description.strip():
        errors["in_kind_description"] = "An in-kind gift needs a description of what was given."
    if method == Gift.Method.STOCK:
        if not ticker.strip():
            errors["stock_ticker"] = "A stock gift needs the ticker symbol, e.g. AAPL."
        elif not TICKER.fullmatch(ticker_normal(ticker)):
            errors["stock_ticker"] = (
                f"'{ticker.strip()}' is not a ticker symbol; use letters and digits, "
                "e.g. AAPL or BRK.B."
            )
        if shares is None or shares <= 0:
            errors["stock_shares"] = "A stock gift needs the number of shares, more than zero."
    return errors


def ticker_normal(ticker: str) -> str:
    return ticker.strip().upper()


def shares_display(shares: Decimal) -> str:
    """'100', '12.5', '1,250': no trailing zeros from the four stored decimals."""
    return f"{shares.normalize():,f}"


def noncash_description(gift: Gift) -> str:
    """The gift as the donor's documents describe it, in the active language, with no value."""
    description = gift.in_kind_description.strip()
    if gift.method != Gift.Method.STOCK or not gift.stock_ticker:
        return description
    shares = shares_display(gift.stock_shares) if gift.stock_shares else ""
    what = _("%(shares)s shares of %(ticker)s") % {"shares": shares, "ticker": gift.stock_ticker}
    return f"{what} ({description})" if description else what


def noncash_given_on(gift: Gift) -> datetime.date:
    return gift.given_on or gift.received_on


def noncash_lines(gift: Gift) -> list[tuple[str, str]]:
    """(label, value) rows a receipt prints in place of the amount, in the active language."""
    if gift.method == Gift.Method.STOCK:
        rows = [(_("Ticker symbol"), gift.stock_ticker)]
        if gift.stock_shares:
            rows.append((_("Number of shares"), shares_display(gift.stock_shares)))
        rows.append((_("Date given"), formats.date_format(noncash_given_on(gift), "DATE_FORMAT")))
        if gift.in_kind_description.strip():
            rows.append((_("Description"), gift.in_kind_description.strip()))
        return rows
    return [(_("Description of the property"), gift.in_kind_description.strip())]


def noncash_statement() -> str:
    """The IRS Pub. 1771 wording for a non-cash gift: described, not valued."""
    return _(
        "This acknowledgment describes the property you contributed. As IRS Publication 1771 "
        "provides, it does not state a value: determining the value of a non-cash "
        "contribution is the donor's responsibility."
    )
