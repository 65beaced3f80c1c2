"""Contract term and notice-period arithmetic. Pure: no Django.

Terms
    The minimum term ends on `months_end(start, minimum_term_months)`; each renewal adds
    `renewal_term_months`, so the k-th term end is
    `months_end(start, minimum_term_months + k * renewal_term_months)` (k = 0, 1, 2, ...).
    Without a minimum term the first term end is `months_end(start, renewal_term_months)`.
    With `renewal_term_months == 0` the contract runs on indefinitely after the minimum
    term and every following month end is a term end; with both 0 every month end from
    `start` on is one.

Notice
    Notice must be received before the notice period begins, counted backwards from the end
    date: an end date E is reachable iff `notice_given_on + notice <= E`, where months are
    added with `add_months` and days/weeks as days. So with one month's notice to 31 Dec,
    notice given on 30 Nov is in time and on 1 Dec too late; with 14 days, 17 Dec is in time
    and 18 Dec too late. E is also never before the minimum term end (if there is a minimum
    term) nor before `start`. Notice may be given before `start`.

Anchors
    E must be a term end (`term_end`), a month end (`month_end`), a calendar quarter end
    (`quarter_end`) or may be any day (`any_day`). The earliest end date is the earliest
    such E satisfying the rules above.

Tariff changes
    Upgrades take effect on the day they are requested (never before `start`); downgrades and
    same-price changes take effect the day after the earliest possible end date, as if the
    old tariff had been cancelled.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Literal, get_args

from kontor.core.periods import (
    ONE_DAY,
    add_months,
    last_day_of_month,
    months_end,
    quarter_end,
)

NoticeUnit = Literal["days", "weeks", "months"]
NoticeAnchor = Literal["term_end", "month_end", "quarter_end", "any_day"]


def _require_non_negative_int(field: str, value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(f"{field} must be an integer >= 0, got {value!r}")


@dataclass(frozen=True)
class NoticePeriod:
    amount: int
    unit: NoticeUnit
    anchor: NoticeAnchor

    def __post_init__(self) -> None:
        _require_non_negative_int("amount", self.amount)
        if self.unit not in get_args(NoticeUnit):
            raise ValueError(f"unit must be one of {get_args(NoticeUnit)}, got {self.unit!r}")
        if self.anchor not in get_args(NoticeAnchor):
            raise ValueError(f"anchor must be one of {get_args(NoticeAnchor)}, got {self.anchor!r}")

    def added_to(self, d: date) -> date:
        """The earliest end date that notice received on `d` can reach (before anchoring)."""
        if self.unit == "months":
            return add_months(d, self.amount)
        days = self.amount * 7 if self.unit == "weeks" else self.amount
        return d + timedelta(days=days)


@dataclass(frozen=True)
class Terms:
    start: date
    minimum_term_months: int
    renewal_term_months: int
    notice: NoticePeriod

    def __post_init__(self) -> None:
        if not isinstance(self.start, date) or isinstance(self.start, datetime):
            raise ValueError(f"start must be a date, got {self.start!r}")
        _require_non_negative_int("minimum_term_months", self.minimum_term_months)
        _require_non_negative_int("renewal_term_months", self.renewal_term_months)
        if not isinstance(self.notice, NoticePeriod):
            raise ValueError(f"notice must be a NoticePeriod, got {self.notice!r}")


def _months_between(earlier: date, later: date) -> int:
    return (later.year - earlier.year) * 12 + later.month - earlier.month


def _month_end_after(d: date, months: int) -> date:
    return last_day_of_month(add_months(d.replace(day=1), months))


def _term_end(terms: Terms, k: int) -> date:
    """The k-th term end (k >= 0); see the module docstring."""
    minimum, renewal = terms.minimum_term_months, terms.renewal_term_months
    if renewal > 0:
        base = minimum if minimum > 0 else renewal
        return months_end(terms.start, base + k * renewal)
    if minimum == 0:
        return _month_end_after(terms.start, k)
    minimum_end = months_end(terms.start, minimum)
    if k == 0:
        return minimum_end
    offset = k if minimum_end == last_day_of_month(minimum_end) else k - 1
    return _month_end_after(minimum_end, offset)


def _first_index_on_or_after(terms: Terms, d: date) -> int:
    """Smallest k with `_term_end(terms, k) >= d`.

    Jumps to a lower bound first: a term end lies in or before the month its month count
    points to, so every index whose month precedes d's month can be skipped.
    """
    minimum, renewal = terms.minimum_term_months, terms.renewal_term_months
    if renewal > 0:
        base = minimum if minimum > 0 else renewal
        gap = _months_between(terms.start, d) - base
        k = max(0, -(-gap // renewal))
    elif minimum == 0:
        k = max(0, _months_between(terms.start, d))
    else:
        k = max(0, _months_between(months_end(terms.start, minimum), d))
    while _term_end(terms, k) < d:
        k += 1
    return k


def term_ends(terms: Terms, on_or_after: date) -> Iterator[date]:
    """Ascending, endless term ends (minimum term end, then renewals) that are >= on_or_after."""
    k = _first_index_on_or_after(terms, on_or_after)
    while True:
        yield _term_end(terms, k)
        k += 1


def current_term(terms: Terms, on: date) -> tuple[date, date]:
    """(first day, last day) of the term that contains `on`."""
    if on < terms.start:
        raise ValueError(f"{on} is before the contract start {terms.start}")
    k = _first_index_on_or_after(terms, on)
    first = terms.start if k == 0 else _term_end(terms, k - 1) + ONE_DAY
    return first, _term_end(terms, k)


def _earliest_reachable_day(terms: Terms, notice_given_on: date) -> date:
    """Earliest day that satisfies notice, minimum term and start, ignoring the anchor."""
    earliest = max(terms.notice.added_to(notice_given_on), terms.start)
    if terms.minimum_term_months > 0:
        earliest = max(earliest, months_end(terms.start, terms.minimum_term_months))
    return earliest


def earliest_end_date(terms: Terms, notice_given_on: date) -> date:
    """Last day of service when notice is received on `notice_given_on`."""
    earliest = _earliest_reachable_day(terms, notice_given_on)
    anchor = terms.notice.anchor
    if anchor == "term_end":
        return next(term_ends(terms, earliest))
    if anchor == "month_end":
        return last_day_of_month(earliest)
    if anchor == "quarter_end":
        return quarter_end(earliest)
    return earliest


def _is_anchor_date(terms: Terms, d: date) -> bool:
    anchor = terms.notice.anchor
    if anchor == "term_end":
        return next(term_ends(terms, d)) == d
    if anchor == "month_end":
        return d == last_day_of_month(d)
    if anchor == "quarter_end":
        return d == quarter_end(d)
    return True


def is_allowed_end_date(terms: Terms, notice_given_on: date, end: date) -> bool:
    """Whether notice received on `notice_given_on` can end the contract on `end`."""
    return _is_anchor_date(terms, end) and end >= earliest_end_date(terms, notice_given_on)


def earliest_tariff_change_date(terms: Terms, requested_on: date, *, is_upgrade: bool) -> date:
    """First day of the new tariff; downgrades are bound by notice like a cancellation."""
    if is_upgrade:
        return max(requested_on, terms.start)
    return earliest_end_date(terms, notice_given_on=requested_on) + ONE_DAY
