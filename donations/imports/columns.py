"""Reading one row of a gift sheet: the header names other donor systems use for gift columns,
and each cell parsed with a plain-words message when it cannot be read."""

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils.text import slugify

from crm.importing import cells
from crm.importing.headers import HeaderMap, header_key
from crm.importing.supporter_columns import HEADER_ALIASES as SUPPORTER_ALIASES
from crm.importing.supporter_columns import SUPPORTER_HEADERS
from donations.imports.references import NewReference
from donations.models import Campaign, Fund, Gift
from donations.noncash import TICKER, ticker_normal

GIFT_HEADERS: dict[str, tuple[str, ...]] = {
    "amount": ("amount", "gift amount", "donation amount", "amount received", "total", "gift"),
    "received_on": (
        "date",
        "gift date",
        "date received",
        "received",
        "received on",
        "donation date",
        "close date",
        "payment date",
    ),
    "method": ("method", "payment method", "payment type", "gift method", "tender"),
    "cheque_number": (
        "check number",
        "cheque number",
        "check #",
        "cheque #",
        "check no",
        "cheque no",
        "check no.",
        "check",
        "cheque",
    ),
    "campaign": ("campaign", "campaign code", "campaign name"),
    "appeal_code": ("appeal code", "appeal", "source code", "solicitation", "package code"),
    "fund": ("fund", "fund code", "designation", "restriction"),
    "in_kind_description": (
        "in kind description",
        "in-kind description",
        "description",
        "gift description",
        "property description",
        "stock description",
    ),
    "stock_ticker": ("ticker", "ticker symbol", "stock ticker", "symbol", "stock symbol"),
    "stock_shares": (
        "shares",
        "number of shares",
        "share count",
        "shares given",
        "quantity of shares",
    ),
    "given_on": ("date given", "transfer date", "date of transfer", "stock transfer date"),
    "notes": ("gift note", "gift notes", "note", "notes", "memo", "comment", "comments"),
    "acknowledged": ("acknowledged?", "acknowledged", "thanked", "thanked?"),
    # The gift's id in the system the file comes from (crm.importing.sources).
    "source_gift_id": ("transaction id", "source gift id", "donation id"),
}
REQUIRED = {"amount": "Amount", "received_on": "Date"}
LABELS = {
    "amount": "Amount",
    "received_on": "Date",
    "method": "Method",
    "cheque_number": "Check number",
    "campaign": "Campaign",
    "appeal_code": "Appeal code",
    "fund": "Fund",
    "in_kind_description": "Description",
    "stock_ticker": "Ticker",
    "stock_shares": "Shares",
    "given_on": "Date given",
    "notes": "Note",
    "email": "Email",
    "first_name": "First name",
    "last_name": "Last name",
    "organisation_name": "Organization",
    "postal_code": "ZIP",
    "acknowledged": "Acknowledged?",
    "source_gift_id": "Transaction ID",
    "source_id": "Donor ID",
}
IDENTITY = ("email", "first_name", "last_name", "organisation_name", "postal_code")
# Gift columns first ('Notes' here is the gift's note), then the donor's: a gift file creates
# or updates its donors too (donations.imports.gifts).
PERSON_FIELDS = tuple(f for f in SUPPORTER_ALIASES if f not in GIFT_HEADERS)
HEADERS = HeaderMap(GIFT_HEADERS, fallback=SUPPORTER_HEADERS, fallback_fields=PERSON_FIELDS)
# Text fields' widths, from the model.
MAX_LENGTHS = cells.text_limits(Gift)

METHODS = {
    Gift.Method.CHEQUE: ("check", "cheque", "chk", "personal check", "bank check"),
    Gift.Method.CASH: ("cash", "currency"),
    Gift.Method.CARD: (
        "card",
        "credit card",
        "debit card",
        "credit",
        "visa",
        "mastercard",
        "amex",
        "american express",
        "discover",
        "online",
        "stripe",
        "paypal",
    ),
    Gift.Method.BANK_TRANSFER: (
        "bank transfer",
        "ach",
        "eft",
        "wire",
        "wire transfer",
        "direct debit",
        "bank",
        "transfer",
        "daf",
        "donor advised fund",
    ),
    Gift.Method.STOCK: ("stock", "securities", "shares"),
    Gift.Method.IN_KIND: ("in kind", "in-kind", "gift in kind", "goods", "inkind"),
    Gift.Method.OTHER: ("other",),
}
_METHOD_LOOKUP = {alias: method for method, aliases in METHODS.items() for alias in aliases}
_MONEY = re.compile(r"\$?\s*(\d{1,3}(,\d{3})+|\d+)(\.\d{1,2})?")


@dataclass
class Lookups:
    """Campaigns and funds by code, by name and by the code a name would have, read once."""

    campaigns: dict[str, Campaign]
    funds: dict[str, Fund]

    @classmethod
    def load(cls) -> "Lookups":
        campaigns, funds = {}, {}
        for campaign in Campaign.objects.select_related("fund"):
            campaigns[campaign.code.lower()] = campaigns[campaign.name.lower()] = campaign
        for fund in Fund.objects.all():
            funds[fund.code.lower()] = funds[fund.name.lower()] = fund
        return cls(campaigns, funds)

    def find(self, kind: str, text: str) -> "Campaign | Fund | NewReference":
        """The campaign or fund a cell names, or a NewReference for staff to decide about."""
        options = self.funds if kind == "fund" else self.campaigns
        lowered = text.strip().lower()
        found = options.get(lowered) or options.get(slugify(text))
        return found if found is not None else NewReference(kind=kind, text=text.strip())


def parse(name: str, cell: object, text: str, lookups: Lookups) -> object:
    if name == "amount":
        return parse_amount(text)
    if name in ("received_on", "given_on"):
        # A date in the future is refused by the gifts service's rule (donations.services),
        # the same for every way a gift comes in.
        return cells.parse_date(cell, text)
    if name == "method":
        return parse_method(text)
    if name == "stock_shares":
        return parse_shares(text)
    if name == "stock_ticker":
        ticker = ticker_normal(text)
        if not TICKER.fullmatch(ticker):
            raise ValidationError(f"'{text}' is not a ticker symbol, like AAPL or BRK.B.")
        return ticker
    if name in ("campaign", "fund"):
        cells.check_length(text, 200 if name == "campaign" else 120)
        return lookups.find(name, text)
    if name == "appeal_code":
        cells.check_length(text, MAX_LENGTHS["appeal_code"])
        found = lookups.find("appeal", text)
        # An appeal named by its campaign's name is that campaign's code.
        return found.code if isinstance(found, Campaign) else found
    if name == "acknowledged":
        return cells.parse_bool(text, "Acknowledged")
    if name == "source_gift_id":
        cells.check_length(text, MAX_LENGTHS["source_id"])
        return text
    if name == "email":
        return cells.parse_email(text)
    cells.check_length(text, MAX_LENGTHS.get(name))
    return text


def parse_amount(text: str) -> Decimal:
    cleaned = text.replace("USD", "").replace("US$", "$").strip()
    if cleaned.startswith("(") or cleaned.startswith("-"):
        raise ValidationError(f"'{text}' is negative; record refunds on the gift itself.")
    if not _MONEY.fullmatch(cleaned):
        raise ValidationError(f"'{text}' is not an amount in dollars, like 250 or 1,250.00.")
    try:
        amount = Decimal(cleaned.replace("$", "").replace(",", "").strip())
    except InvalidOperation:  # pragma: no cover - the pattern admits only plain numbers
        raise ValidationError(f"'{text}' is not an amount.") from None
    if amount <= 0:
        raise ValidationError("A gift must be more than zero.")
    if amount >= Decimal("10000000000"):
        raise ValidationError(f"'{text}' is too large for one gift.")
    return amount


def parse_shares(text: str) -> Decimal:
    cleaned = text.replace(",", "").strip()
    try:
        shares = Decimal(cleaned)
    except InvalidOperation:
        raise ValidationError(f"'{text}' is not a number of shares, like 100 or 12.5.") from None
    if not shares.is_finite() or shares <= 0:
        raise ValidationError("The number of shares must be more than zero.")
    if shares != shares.quantize(Decimal("0.0001")) or shares >= Decimal("10000000000"):
        raise ValidationError(f"'{text}' does not fit: at most 4 decimals and 10 digits.")
    return shares


def parse_method(text: str) -> str:
    method = _METHOD_LOOKUP.get(header_key(text).rstrip("."))
    if method is None:
        raise ValidationError(
            f"'{text}' is not a method this importer knows. Use one of: check, cash, card, "
            "bank transfer, stock, in kind, other."
        )
    return method
