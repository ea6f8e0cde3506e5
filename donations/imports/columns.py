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
    "amount": (
        "amount",
        "gift amount",
        "donation amount",
        "amount received",
        "contribution amount",
        "total",
        "gift",
    ),
    "received_on": (
        "date",
        "gift date",
        "date received",
        "received",
        "received on",
        "donation date",
        "contribution date",
        "close date",
        "payment date",
        "transaction date",
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
    "notes": (
        "gift note",
        "gift notes",
        "note",
        "notes",
        "memo",
        "comment",
        "comments",
        "message to charity",
    ),
    # Whether the donor was already thanked: per row, it decides if the gift waits in the
    # thank-you queue (see acknowledgement below).
    "acknowledged": (
        "acknowledged",
        "acknowledgement sent",
        "acknowledgment sent",
        "thanked",
        "thank you sent",
        "ack sent",
    ),
    # The gift's id in the system the file comes from (EveryAction's Transaction ID,
    # CanadaHelps' transaction number): kept to match the next import from it.
    "source_gift_id": (
        "transaction id",
        "transaction number",
        "gift id",
        "donation id",
        "contribution id",
        "payment id",
        "source gift id",
    ),
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
    "acknowledged": "Acknowledged?",
    "source_gift_id": "Transaction ID",
    "source_id": "Donor ID",
    "email": "Email",
    "first_name": "First name",
    "last_name": "Last name",
    "organisation_name": "Organization",
    "postal_code": "ZIP",
}
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
# '1,250.00', '1250.5', '50'; and '1.250,00' or '50,00', written the way much of the world
# writes money (the comma before exactly two decimals says which way it is).
_US_MONEY = re.compile(r"(\d{1,3}(,\d{3})+|\d+)(\.\d{1,2})?")
_COMMA_DECIMAL_MONEY = re.compile(r"(\d{1,3}(\.\d{3})+|\d+),\d{2}")
# '2.500.000' is thousands; '1.250' could be 1,250 or 1.25, so it is asked about.
_DOT_THOUSANDS = re.compile(r"\d{1,3}(\.\d{3}){2,}")
_ONE_DOT_GROUP = re.compile(r"\d{1,3}\.\d{3}")
_DOLLARS = re.compile(r"^(usd|us\$|\$)\s*|\s*(usd|\$)$", re.IGNORECASE)
_OTHER_CURRENCY = re.compile(r"[€£¥₹₱]|\b(eur|gbp|cad|mxn|ca\$|c\$|mx\$|aud)\b", re.IGNORECASE)


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
    if name == "acknowledged":
        return cells.parse_bool(text, "Acknowledged?")
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
    """Dollars as people write them: '$1,250.00', 'USD 50', '50 USD', '1.250,00'. A negative
    amount ('(50.00)', '-50') and another currency are refused, saying why."""
    cleaned = text.strip()
    if _OTHER_CURRENCY.search(cleaned):
        raise ValidationError(
            f"'{text}' is in another currency; gifts are recorded in dollars. Convert it first."
        )
    cleaned = _DOLLARS.sub("", cleaned, count=2).strip()
    if cleaned.startswith(("(", "-", "$-", "$(")) or cleaned.endswith("-"):
        raise ValidationError(f"'{text}' is negative; record refunds on the gift itself.")
    cleaned = cleaned.removeprefix("$").strip()
    if _US_MONEY.fullmatch(cleaned):
        number = cleaned.replace(",", "")
    elif _COMMA_DECIMAL_MONEY.fullmatch(cleaned):
        number = cleaned.replace(".", "").replace(",", ".")
    elif _DOT_THOUSANDS.fullmatch(cleaned):
        number = cleaned.replace(".", "")
    elif _ONE_DOT_GROUP.fullmatch(cleaned):
        whole, part = cleaned.split(".")
        raise ValidationError(
            f"'{text}' could be {whole},{part} or {whole}.{part.rstrip('0') or '0'} dollars; "
            f"write it as {whole},{part} or {whole}.{part[:2]}."
        )
    else:
        raise ValidationError(f"'{text}' is not an amount in dollars, like 250 or 1,250.00.")
    try:
        amount = Decimal(number)
    except InvalidOperation:  # pragma: no cover - the patterns admit only plain numbers
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


def acknowledgement(values: dict[str, object], *, column_given: bool, already_thanked: bool) -> str:
    """Whether an imported gift waits in the thank-you queue. A file's 'Acknowledged?' column
    decides per row, a blank cell there meaning not yet thanked; without the column, the
    choice made for the whole file does."""
    if "acknowledged" in values:
        thanked = bool(values["acknowledged"])
    elif column_given:
        thanked = False
    else:
        thanked = already_thanked
    return Gift.Acknowledgement.THANKED if thanked else Gift.Acknowledgement.PENDING
