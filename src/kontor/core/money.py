"""Money rules in one place. Pure: no Django.

Amounts are `Decimal`, never float. Line net amounts and taxes are rounded half-up to cents
(kaufmännisches Runden); unit prices may carry four places.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

CENT = Decimal("0.01")
UNIT_PRICE_QUANTUM = Decimal("0.0001")


class MoneyError(ValueError):
    pass


def to_decimal(value: object, *, places: int = 2) -> Decimal:
    """Parse a money figure from str/int/Decimal; refuse floats and more than `places` decimals."""
    if isinstance(value, float):
        raise MoneyError("money must not be given as float")
    if isinstance(value, bool):
        raise MoneyError("not a number")
    try:
        amount = Decimal(str(value).strip()) if not isinstance(value, Decimal) else value
    except (InvalidOperation, ValueError) as exc:
        raise MoneyError(f"not a number: {value!r}") from exc
    if not amount.is_finite():
        raise MoneyError(f"not a finite number: {value!r}")
    exponent = amount.as_tuple().exponent
    if (
        isinstance(exponent, int)
        and -exponent > places
        and amount != amount.quantize(Decimal(1).scaleb(-places))
    ):
        raise MoneyError(f"at most {places} decimal places allowed: {value}")
    return amount


def round_money(amount: Decimal) -> Decimal:
    """Round to cents, half up. The one rounding rule for amounts."""
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def round_unit_price(amount: Decimal) -> Decimal:
    return amount.quantize(UNIT_PRICE_QUANTUM, rounding=ROUND_HALF_UP)
