"""How figures are written in the explanations a township official checks: 79.0%, 24,000.00 元."""

from decimal import Decimal

from starrating.rules.numbers import round_half_up


def plain(value: Decimal | int) -> str:
    """A number as written by hand: 100, 80.5, 0.9 — no exponent, no trailing zeros."""
    number = Decimal(value)
    if number == number.to_integral_value():
        return str(int(number))
    return format(number.normalize(), "f")


def one_decimal(value: Decimal) -> str:
    """A score as published: half-up to 0.1, so 82 is written 82.0."""
    return str(round_half_up(value))


def rate(value: Decimal | None) -> str:
    """A rate as published (85.0%), or a dash when there was nothing to divide by."""
    return "—" if value is None else f"{one_decimal(value)}%"


def ratio_as_percent(value: Decimal) -> str:
    """A ratio of the scheme written as a percentage: 0.9 → 90%."""
    return f"{plain(value * 100)}%"


def yuan(value: Decimal) -> str:
    """Money with thousands separators and two decimals: 24,000.00."""
    return f"{value:,.2f}"
