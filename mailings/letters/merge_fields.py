"""The allow-list of merge fields a letter may use: each with a description and a sample value
shown to the writer, and a fallback used when a donor has no value (a supporter without a
name is 'Dear friend'). Values are plain: strings, dates and Money, never model objects."""

import datetime
from dataclasses import dataclass
from decimal import Decimal
from functools import total_ordering
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from core.money import money_amount, money_text


@total_ordering
class Money:
    """An amount that prints as '$1,250' (whole) or '$12.50', and compares as a number, so
    `{% if last_gift_amount > 100 %}` works."""

    __slots__ = ("amount",)

    def __init__(self, amount: Any) -> None:
        self.amount = money_amount(amount)

    def __str__(self) -> str:
        return money_text(self.amount, cents="when_needed")

    def __repr__(self) -> str:
        return f"Money({self.amount})"

    def __bool__(self) -> bool:
        return bool(self.amount)

    def _other(self, other: Any) -> Decimal:
        return other.amount if isinstance(other, Money) else Decimal(str(other))

    def __eq__(self, other: object) -> bool:
        try:
            return self.amount == self._other(other)
        except (ArithmeticError, ValueError, TypeError):
            return False

    def __lt__(self, other: Any) -> bool:
        return self.amount < self._other(other)

    def __hash__(self) -> int:
        return hash(self.amount)


@dataclass(frozen=True)
class MergeField:
    description: str
    sample: Any
    fallback: Any = ""


FIELDS: dict[str, MergeField] = {
    "salutation": MergeField(
        "How a letter greets them: 'Maria', 'Ana and Luis'.", "Maria", _("friend")
    ),
    "dear": MergeField(
        "The greeting word, agreeing with them in the letter's language: 'Dear'; in Spanish "
        "'Estimado', 'Estimada', 'Estimados' or, with no title to go by, 'Estimado/a'. "
        "Write '{{ dear }} {{ salutation }},'.",
        "Dear",
        _("Dear"),
    ),
    "first_name": MergeField("First name.", "Maria"),
    "last_name": MergeField("Last name.", "López"),
    "full_name": MergeField("Full name as on the record.", "Maria López"),
    "addressee": MergeField(
        "Name on the envelope: 'Ana and Luis Ruiz'.", "Maria López", _("Friend")
    ),
    "address_block": MergeField(
        "Envelope name and postal address, one line each.",
        "Maria López\n12 Main St\nBronx, NY 10451",
    ),
    "last_gift_amount": MergeField("Their most recent gift.", Money(75)),
    "last_gift_date": MergeField("Date of their most recent gift.", datetime.date(2026, 3, 14)),
    "highest_gift": MergeField("Their largest gift.", Money(150)),
    "lifetime_total": MergeField("Everything they have given.", Money(640)),
    "this_year_total": MergeField("Given this fiscal year.", Money(75)),
    "last_year_total": MergeField("Given last fiscal year.", Money(250)),
    "ask_amount": MergeField("The amount this letter asks of them (the first rung).", Money(100)),
    "ask_1": MergeField("First rung of their ask ladder.", Money(100)),
    "ask_2": MergeField("Second rung.", Money(150)),
    "ask_3": MergeField("Third rung.", Money(200)),
    "donate_url": MergeField(
        "Their personal donate link: opens the donate page with their details and asks.",
        "https://example.org/donate/?t=...",
    ),
    "unsubscribe_url": MergeField("One-click unsubscribe link.", "https://example.org/u/.../"),
    "preferences_url": MergeField("Email preferences page.", "https://example.org/u/.../"),
    "organisation_name": MergeField("Your organisation's name.", "Immigrant Justice Project"),
    "today": MergeField("Today's date.", datetime.date(2026, 11, 23)),
    "channel": MergeField(
        "How this copy reaches them: 'email' or 'print'. Say different things by channel: "
        '{% if channel == "print" %}use the reply slip below{% else %}give online{% endif %}.',
        "email",
    ),
    # The gift a thank-you letter thanks for (mailings.thanks); empty in appeals.
    "gift_amount": MergeField(
        "Thank-you letters: the gift's amount. Empty for stock and in-kind gifts, which are "
        "described, never valued: write {% if gift_description %}{{ gift_description }}"
        "{% else %}{{ gift_amount }}{% endif %}.",
        Money(250),
    ),
    "gift_date": MergeField(
        "Thank-you letters: the day the gift was received.", datetime.date(2026, 11, 20)
    ),  # fmt: skip
    "gift_description": MergeField(
        "Thank-you letters: what a stock or in-kind gift was ('100 shares of AAPL'); empty "
        "for money.",
        "100 shares of AAPL",
    ),
    "gift_fund": MergeField("Thank-you letters: the fund the gift is for.", "General Fund"),
    "gift_campaign": MergeField("Thank-you letters: the gift's campaign.", "Spring appeal"),
    "tribute": MergeField(
        "Thank-you letters: the dedication, e.g. 'in memory of Rosa Díaz'; empty for none.",
        "in memory of Rosa Díaz",
    ),
    "receipt_number": MergeField("Thank-you letters: the receipt's number.", "2026-000123"),
    "monthly_amount": MergeField("Thank-you letters: a monthly plan's amount.", Money(50)),
    "first_of_plan": MergeField(
        "Thank-you letters: yes for a monthly plan's first gift (the welcome), no after.", True
    ),
    "next_charge_date": MergeField(
        "Thank-you letters: when a monthly plan charges next; empty while paused.",
        datetime.date(2026, 12, 20),
    ),
    "account_url": MergeField(
        "The donor account, where a monthly donor changes, pauses or stops their gift.",
        "https://example.org/account/",
    ),
}
# Households (crm.models.households): a printed household letter greets its members together.
FIELDS.update(
    {
        "household_greeting": MergeField(
            "How a letter to their household greets it: 'Ben and Ada'; their own greeting when "
            "they are in no household. A household's printed letter uses it as its salutation.",
            "Ben and Ada",
            _("friend"),
        ),
        "household_name": MergeField(
            "Their household's name: 'The Okafor Family'; their own name when in none.",
            "The Okafor Family",
        ),
    }
)
# The values `channel` takes; set by the renderer of each channel, never by the recipient.
CHANNEL_EMAIL = "email"
CHANNEL_PRINT = "print"


def sample_values() -> dict[str, Any]:
    return {name: field.sample for name, field in FIELDS.items()}


def with_fallbacks(values: dict[str, Any]) -> dict[str, Any]:
    """Every field present: a missing or empty value becomes the field's fallback."""
    return {
        name: values.get(name) if values.get(name) not in (None, "") else _plain(field.fallback)
        for name, field in FIELDS.items()
    }


def _plain(value: Any) -> Any:
    """A translated fallback as a str in the active language (never a lazy object)."""
    return str(value) if isinstance(value, Promise) else value
