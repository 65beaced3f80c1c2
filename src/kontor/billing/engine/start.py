"""When the service of a new order starts. Pure: no Django."""

from __future__ import annotations

from datetime import date

from kontor.core.periods import add_months


def service_start_for_order(order_date: date, cutoff_day: int | None) -> date:
    """Start date of a contract ordered on `order_date`.

    Setting "start new contracts on the 1st of the following month, with a cutoff day": without
    a cutoff (None) service starts on the order date; orders on or before the cutoff day start
    on the 1st of the next month, later orders on the 1st of the month after that.
    """
    if cutoff_day is None:
        return order_date
    if isinstance(cutoff_day, bool) or not 1 <= cutoff_day <= 31:
        raise ValueError(f"cutoff_day must be within 1..31, got {cutoff_day!r}")
    months = 1 if order_date.day <= cutoff_day else 2
    return add_months(order_date.replace(day=1), months)
