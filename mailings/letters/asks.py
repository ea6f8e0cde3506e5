"""The ask ladder: what a letter asks each donor for, from their giving history.

Base: their highest previous gift or their last gift (per letter). Each rung is the base times
a multiplier, rounded to an amount people give: to $5 under $100, to $25 under $500, to $50
above. No rung is under the floor, and the rungs always climb. People who never gave get the
letter's default ladder. The same rungs go into the email, the PDF and the donate link.
"""

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation


def parse_amounts(text: str, *, count: int) -> tuple[Decimal, ...]:
    """'1, 1.5, 2' -> (1, 1.5, 2); ValueError in plain words otherwise. Amounts are written
    without thousands separators ('35, 50, 1000')."""
    parts = [p.lstrip("$") for p in re.split(r"[,;\s]+", text.strip()) if p]
    try:
        amounts = tuple(Decimal(p) for p in parts)
    except InvalidOperation:
        raise ValueError(f"'{text}' should be {count} numbers separated by commas.") from None
    if len(amounts) != count or any(not a.is_finite() or a <= 0 for a in amounts):
        raise ValueError(f"Give {count} positive numbers separated by commas, e.g. 1, 1.5, 2.")
    if list(amounts) != sorted(amounts):
        raise ValueError("Put the numbers in rising order.")
    return amounts


def round_to_giving_amount(amount: Decimal) -> Decimal:
    step = Decimal(5) if amount < 100 else Decimal(25) if amount < 500 else Decimal(50)
    rounded = (amount / step).quantize(Decimal(1), rounding=ROUND_HALF_UP) * step
    return max(rounded, step)


def _step_above(amount: Decimal) -> Decimal:
    return Decimal(5) if amount < 100 else Decimal(25) if amount < 500 else Decimal(50)


def ask_ladder(
    *,
    base: Decimal | None,
    multipliers: tuple[Decimal, ...],
    floor: Decimal,
    default: tuple[Decimal, ...],
) -> tuple[Decimal, ...]:
    if not base or base <= 0:
        return default
    rungs: list[Decimal] = []
    for multiplier in multipliers:
        rung = max(round_to_giving_amount(base * multiplier), round_to_giving_amount(floor))
        if rungs and rung <= rungs[-1]:  # rounding met the rung below: the next amount up
            rung = rungs[-1] + _step_above(rungs[-1])
        rungs.append(rung)
    return tuple(rungs)
