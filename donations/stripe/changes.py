"""What a Stripe event handler returns: whose giving summary to recompute, which gifts
became paid (to thank) and which gifts lost money (to re-receipt if receipted)."""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Changes:
    supporters: set[int] = field(default_factory=set)
    to_thank: set[int] = field(default_factory=set)
    to_reissue: set[int] = field(default_factory=set)


Handler = Callable[[dict[str, Any]], Changes]
