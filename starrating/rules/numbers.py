"""Decimal arithmetic the way the township checks it: half-up rounding, rates as percentages."""

from decimal import ROUND_HALF_UP, Decimal

ONE_DECIMAL = Decimal("0.1")
CENT = Decimal("0.01")


def round_half_up(value: Decimal, quantum: Decimal = ONE_DECIMAL) -> Decimal:
    """Round half-up to the quantum (0.1 for scores and rates, 0.01 for money)."""
    return value.quantize(quantum, rounding=ROUND_HALF_UP)


def money(value: Decimal) -> Decimal:
    """Money is rounded half-up to 0.01 元."""
    return round_half_up(value, CENT)


def percent(part: int | Decimal, whole: int | Decimal) -> Decimal:
    """Part of whole as a percentage, unrounded; callers round for display."""
    if not whole:
        raise ZeroDivisionError("a rate needs a non-zero whole")
    return Decimal(part) * 100 / Decimal(whole)
