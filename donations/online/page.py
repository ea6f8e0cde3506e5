"""What the public donate page offers a visitor: the amounts to ask for, and, when they arrive
through a personal link from a letter (?t=TOKEN), their details filled in and the appeal that
brought them. ?appeal=CODE alone attributes the gift and fills in nothing."""

import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from crm.selectors import supporter_current
from donations.online.checkout import DEFAULT_ASKS, MAX_AMOUNT, MIN_AMOUNT
from donations.online.tokens import read_donate_token

_APPEAL_CODE = re.compile(r"[-\w]{1,40}", re.ASCII)


@dataclass(frozen=True)
class DonatePage:
    ask_amounts: tuple[Decimal, ...] = DEFAULT_ASKS
    initial: dict[str, Any] = field(default_factory=dict)
    appeal_code: str = ""
    link_expired: bool = False
    supporter_id: int | None = None
    supporter_email: str = ""
    # The letter's supporter has a full address on file: the page does not show it (whoever
    # holds a forwarded link would see it) and the gift keeps using it.
    address_on_file: bool = False
    # The amount chosen when the page opens: the letter's ask (its first rung), else the middle
    # of the ladder.
    preselected: Decimal | None = None

    def supporter_id_for(self, email: str) -> int | None:
        """The letter's supporter only when the form carries their own email, as filled in. A
        link forwarded to a friend, who types their own email, or a supporter with no email on
        file (whom nothing typed can prove), gives a gift matched by email like any other."""
        if self.supporter_id is None or not self.supporter_email:
            return None
        if self.supporter_email != email.strip().lower():
            return None
        return self.supporter_id


def _middle(asks: tuple[Decimal, ...]) -> Decimal:
    return asks[(len(asks) - 1) // 2]


def donate_page_for(*, token: str = "", appeal: str = "") -> DonatePage:
    appeal_code = appeal.strip() if _APPEAL_CODE.fullmatch(appeal.strip()) else ""
    default = _middle(DEFAULT_ASKS)
    if not token:
        return DonatePage(appeal_code=appeal_code, preselected=default)
    data = read_donate_token(token)
    if data is None:
        # Expired or altered: the ordinary page, with nothing filled in.
        return DonatePage(appeal_code=appeal_code, link_expired=True, preselected=default)
    letter_asks = tuple(a for a in data.ask_amounts if MIN_AMOUNT <= a <= MAX_AMOUNT)
    asks = letter_asks or DEFAULT_ASKS
    preselected = letter_asks[0] if letter_asks else default
    appeal_code = data.appeal_code or appeal_code
    supporter = supporter_current(data.supporter_id)  # the survivor, if merged since
    if supporter is None:  # removed since the letter went out
        return DonatePage(ask_amounts=asks, appeal_code=appeal_code, preselected=preselected)
    # Only the name and email: a link is not secret from whoever it was forwarded to.
    initial = {"first_name": supporter.first_name, "last_name": supporter.last_name}
    if supporter.email:
        initial["email"] = supporter.email
    return DonatePage(
        ask_amounts=asks,
        preselected=preselected,
        initial={key: value for key, value in initial.items() if value},
        appeal_code=appeal_code,
        supporter_id=supporter.pk,
        supporter_email=supporter.email.strip().lower(),
        address_on_file=bool(
            supporter.email and supporter.address_line1 and supporter.city and supporter.country
        ),
    )
