"""What a Stripe event handler returns: whose giving summary to recompute, which gifts
became paid (to thank), whose fee is still to read, and which gifts lost money (to re-receipt
if receipted)."""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Changes:
    supporters: set[int] = field(default_factory=set)
    to_reissue: set[int] = field(default_factory=set)
    # The gifts this event made paid, as the handler holds them (row-locked in the event's
    # transaction): thanked once it commits, and given their fee without a second read.
    paid: dict[int, Any] = field(default_factory=dict)
    # (gift id, balance transaction id) of each paid gift whose fee Stripe must be asked for,
    # by the gift_fee_fill task queued with the thank-yous (donations.deposits.payouts).
    fee_reads: list[tuple[int, str]] = field(default_factory=list)

    def made_paid(self, gift: Any) -> None:
        self.paid[gift.pk] = gift

    @property
    def to_thank(self) -> set[int]:
        return set(self.paid)


Handler = Callable[[dict[str, Any]], Changes]
