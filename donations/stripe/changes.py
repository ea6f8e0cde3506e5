"""What a Stripe event handler returns: whose giving summary to recompute, which gifts
became paid (to thank) and which gifts lost money (to re-receipt if receipted)."""

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

    def made_paid(self, gift: Any) -> None:
        self.paid[gift.pk] = gift

    @property
    def to_thank(self) -> set[int]:
        return set(self.paid)


Handler = Callable[[dict[str, Any]], Changes]
