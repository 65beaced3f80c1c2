"""The values that go into and come out of the billing engine. Pure: no Django.

The engine reads `SubscriptionTerms` (what was agreed) and `BilledCharge` (what was billed) and
proposes `ProposedCharge` lines for the difference; see `docs/billing-engine.md`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Literal

Timing = Literal["advance", "arrears"]

RECURRING = "recurring"
SETUP = "setup"
CORRECTION = "correction"
ADDON = "addon"


@dataclass(frozen=True, slots=True)
class AddonTerms:
    addon_id: int
    unit_price: Decimal  # per full interval of the subscription, before quantity
    quantity: Decimal
    start: date
    end: date | None  # last day of service (inclusive); None = open


@dataclass(frozen=True, slots=True)
class SubscriptionTerms:
    subscription_id: int
    account_id: int
    start: date  # first day of service
    end: date | None  # last day of service (inclusive); None = open
    interval_months: int  # 1, 2, 3, 6, 12 (any positive number works)
    unit_price: Decimal  # per full interval (up to 4 decimals), before quantity
    quantity: Decimal
    timing: Timing
    setup_fee: Decimal = Decimal(0)  # one-off, with the first period
    addons: tuple[AddonTerms, ...] = ()


@dataclass(frozen=True, slots=True)
class BilledCharge:
    subscription_id: int
    kind: str
    period_start: date
    period_end: date
    amount: Decimal


@dataclass(frozen=True, slots=True)
class EngineSettings:
    align_to_calendar: bool = True  # False: anniversary periods counted from the start
    max_periods_per_run: int = 24  # more new periods than this: refuse, do not bill
    bill_zero_amounts: bool = False  # for the caller; the engine always proposes zero lines


@dataclass(frozen=True, slots=True)
class ProposedCharge:
    subscription_id: int
    account_id: int
    kind: str  # recurring | addon:<id> | setup | correction:<n> | addon:<id>:correction:<n>
    period_start: date  # the part of the period the line covers
    period_end: date
    quantity: Decimal
    unit_price: Decimal  # per full interval
    amount: Decimal  # rounded to cents; negative = credit
    prorated: bool

    @property
    def is_zero(self) -> bool:
        """A zero line: the caller stores it only if `EngineSettings.bill_zero_amounts`."""
        return not self.amount

    @property
    def is_correction(self) -> bool:
        return CORRECTION in self.kind


@dataclass(frozen=True, slots=True)
class Refusal:
    subscription_id: int
    reason: str  # English, for logs; interfaces translate through the fields below
    periods_due: int
    first_period: date | None = None  # set when the safety bound refused
    last_period: date | None = None
    limit: int | None = None


@dataclass(frozen=True, slots=True)
class EngineResult:
    charges: tuple[ProposedCharge, ...]
    refusals: tuple[Refusal, ...]


def correction_kind(family: str, number: int) -> str:
    """`correction:3` for the subscription itself, `addon:7:correction:3` for an add-on."""
    if family == RECURRING:
        return f"{CORRECTION}:{number}"
    return f"{family}:{CORRECTION}:{number}"


def parse_kind(kind: str) -> tuple[str, int] | None:
    """Split a charge kind into (family, correction number); 0 = the period's first charge.

    Families are `recurring`, `addon:<id>` and `setup`. Unknown kinds give None: they belong to
    someone else (e.g. manual charges) and the engine leaves them alone.
    """
    if kind == RECURRING or kind == SETUP:
        return kind, 0
    parts = kind.split(":")
    if len(parts) == 2 and parts[0] == CORRECTION and parts[1].isdigit():
        return RECURRING, int(parts[1])
    if len(parts) in (2, 4) and parts[0] == ADDON and parts[1].isdigit():
        family = f"{ADDON}:{parts[1]}"
        if len(parts) == 2:
            return family, 0
        if parts[2] == CORRECTION and parts[3].isdigit():
            return family, int(parts[3])
    return None
