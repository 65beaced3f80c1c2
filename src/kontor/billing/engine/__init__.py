"""The billing engine: what should be billed minus what was billed. Pure: no Django.

Imports only the standard library, `kontor.core.money` and `kontor.core.periods`.
See `docs/billing-engine.md`.
"""

from kontor.billing.engine.charges import charges_due, subscription_charges
from kontor.billing.engine.periods import billing_periods, is_due
from kontor.billing.engine.proration import prorate
from kontor.billing.engine.start import service_start_for_order
from kontor.billing.engine.types import (
    AddonTerms,
    BilledCharge,
    EngineResult,
    EngineSettings,
    ProposedCharge,
    Refusal,
    SubscriptionTerms,
    correction_kind,
    parse_kind,
)

__all__ = [
    "AddonTerms",
    "BilledCharge",
    "EngineResult",
    "EngineSettings",
    "ProposedCharge",
    "Refusal",
    "SubscriptionTerms",
    "billing_periods",
    "charges_due",
    "correction_kind",
    "is_due",
    "parse_kind",
    "prorate",
    "service_start_for_order",
    "subscription_charges",
]
