"""The service range printed on a correction line.

The engine labels a correction with the part of the period that is covered *now* (that is
how it matches stored lines to periods). A customer reading a credit wants the part that was
taken away — "credit 1 Jul–31 Dec", not "1 Jan–30 Jun" — and for an extension the part that
was added. This replays the family's stored lines of that period to know what was covered
before, and labels the line with the difference. Pure.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

from kontor.billing.engine import BilledCharge, EngineSettings, ProposedCharge, SubscriptionTerms
from kontor.billing.engine.periods import billing_periods
from kontor.billing.engine.types import parse_kind

Range = tuple[date, date]
ONE_DAY = timedelta(days=1)


def correction_range(
    proposed: ProposedCharge,
    terms: SubscriptionTerms,
    billed: Iterable[BilledCharge],
    settings: EngineSettings,
) -> Range:
    own: Range = (proposed.period_start, proposed.period_end)
    parsed = parse_kind(proposed.kind)
    if not proposed.is_correction or parsed is None:
        return own
    family = parsed[0]
    full = next(
        (
            p
            for p in billing_periods(terms, settings, proposed.period_end)
            if p[0] <= proposed.period_start <= p[1]
        ),
        None,
    )
    if full is None:
        return own
    before = _replay(billed, family, full)
    now = _covered(terms, family, full)
    if before is None:
        return own
    return _difference(before, now) or own


def _replay(billed: Iterable[BilledCharge], family: str, full: Range) -> Range | None:
    lines = sorted(
        (b for b in billed if _family(b.kind) == family and full[0] <= b.period_start <= full[1]),
        key=lambda b: (parse_kind(b.kind) or ("", 0))[1],
    )
    coverage: Range | None = None
    for line in lines:
        part = (line.period_start, line.period_end)
        if coverage is None:
            coverage = part
        elif line.amount < 0:
            coverage = _subtract(coverage, part)
        else:
            coverage = (min(coverage[0], part[0]), max(coverage[1], part[1]))
    return coverage


def _family(kind: str) -> str | None:
    parsed = parse_kind(kind)
    return parsed[0] if parsed else None


def _covered(terms: SubscriptionTerms, family: str, full: Range) -> Range | None:
    start, end = terms.start, terms.end
    if family.startswith("addon:"):
        addon_id = int(family.split(":")[1])
        addon = next((a for a in terms.addons if a.addon_id == addon_id), None)
        if addon is None:
            return None
        start = max(start, addon.start)
        end = min(d for d in (end, addon.end) if d is not None) if (end or addon.end) else None
    first, last = max(start, full[0]), min(end, full[1]) if end else full[1]
    return (first, last) if first <= last else None


def _subtract(coverage: Range, part: Range) -> Range:
    if part[1] >= coverage[1] and part[0] > coverage[0]:
        return (coverage[0], part[0] - ONE_DAY)
    if part[0] <= coverage[0] and part[1] < coverage[1]:
        return (part[1] + ONE_DAY, coverage[1])
    return coverage


def _difference(before: Range, now: Range | None) -> Range | None:
    """The one contiguous range that changed between `before` and `now`, if there is one."""
    if now is None:
        return before
    if now[0] == before[0] and now[1] != before[1]:
        return (min(now[1], before[1]) + ONE_DAY, max(now[1], before[1]))
    if now[1] == before[1] and now[0] != before[0]:
        return (min(now[0], before[0]), max(now[0], before[0]) - ONE_DAY)
    return None
