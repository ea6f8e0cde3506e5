"""Signed personal links to the donate page, printed in letters and emails: /donate/?t=TOKEN.

A token names the supporter, the appeal and the amounts to ask for. It is signed (it cannot be
altered) and dated (it stops working after max_age); it is not secret from the person holding it.
"""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.core import signing

SALT = "donations.donate-token"
MAX_AGE = datetime.timedelta(days=90)
MAX_ASKS = 6


@dataclass(frozen=True)
class DonateToken:
    supporter_id: int
    appeal_code: str
    ask_amounts: tuple[Decimal, ...]


def make_donate_token(
    supporter_id: int, appeal_code: str = "", ask_amounts: Iterable[Decimal | int | str] = ()
) -> str:
    # Short keys and compression keep the link short enough to print.
    asks = [_plain(Decimal(str(amount))) for amount in ask_amounts][:MAX_ASKS]
    return signing.dumps(
        {"s": int(supporter_id), "a": appeal_code or "", "k": asks}, salt=SALT, compress=True
    )


def read_donate_token(
    token: str, max_age: datetime.timedelta | int | float = MAX_AGE
) -> DonateToken | None:
    """The token's contents, or None when it is expired, altered or malformed."""
    try:
        data = signing.loads(token, salt=SALT, max_age=max_age)
        asks = tuple(Decimal(str(amount)) for amount in data.get("k") or ())
        return DonateToken(
            supporter_id=int(data["s"]),
            appeal_code=str(data.get("a") or "")[:40],
            ask_amounts=tuple(a for a in asks if a.is_finite() and a > 0),
        )
    except (
        signing.BadSignature,
        KeyError,
        TypeError,
        ValueError,
        InvalidOperation,
        AttributeError,
    ):
        return None


def _plain(amount: Decimal) -> str:
    """'50' for whole amounts, '12.50' otherwise."""
    return str(amount.quantize(Decimal(1))) if amount == amount.to_integral() else f"{amount:.2f}"
