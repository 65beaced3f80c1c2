"""Read subscriptions and billed charges from the database into the engine's plain values,
in a few set-based queries per chunk of accounts."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Q

from kontor.billing.engine import AddonTerms, BilledCharge, SubscriptionTerms
from kontor.billing.models import Charge
from kontor.contracts.models import Subscription, SubscriptionAddon
from kontor.core.periods import ONE_DAY


@dataclass(frozen=True, slots=True)
class LineInfo:
    """What a charge line needs besides the amount: text, tax, article, contract."""

    description: str
    tax_category_id: int
    article_number: str
    unit: str
    contract_id: int
    contract_type: str


@dataclass
class LoadedTerms:
    terms: list[SubscriptionTerms]
    billed: list[BilledCharge]
    info: dict[tuple[int, str], LineInfo]  # (subscription id, family) → line info


SUBSCRIPTION_COLUMNS = (
    "pk",
    "account_id",
    "start_date",
    "end_date",
    "deviating_price",
    "quantity",
    "predecessor_id",
    "contract_id",
    "tariff_version__billing_interval_months",
    "tariff_version__price",
    "tariff_version__billing_timing",
    "tariff_version__setup_fee",
    "tariff_version__tax_category_id",
    "tariff_version__contract_type",
    "tariff_version__tariff__name",
    "tariff_version__article_id",
    "tariff_version__article__number",
    "tariff_version__article__unit",
    "billed_until",
)
ADDON_COLUMNS = (
    "pk",
    "subscription_id",
    "quantity",
    "start_date",
    "end_date",
    "article__price",
    "article__name",
    "article__number",
    "article__unit",
    "article__tax_category_id",
)


@dataclass(frozen=True, slots=True)
class _Subscription:
    """One subscription row with its tariff version, read as plain values (no model
    instances: a chunk holds thousands)."""

    pk: int
    account_id: int
    start_date: date
    end_date: date | None
    deviating_price: Decimal | None
    quantity: Decimal
    predecessor_id: int | None
    contract_id: int
    interval_months: int
    price: Decimal
    timing: str
    setup_fee: Decimal
    tax_category_id: int
    contract_type: str
    tariff_name: str
    article_id: int | None
    article_number: str | None
    article_unit: str | None
    billed_until: date | None


@dataclass(frozen=True, slots=True)
class _Addon:
    pk: int
    subscription_id: int
    quantity: Decimal
    start_date: date
    end_date: date | None
    price: Decimal
    name: str
    number: str
    unit: str
    tax_category_id: int


def load_terms(account_ids: list[int]) -> LoadedTerms:
    subscriptions = [
        _Subscription(*row)
        for row in Subscription.objects.filter(account_id__in=account_ids)
        .order_by("account_id", "id")
        .values_list(*SUBSCRIPTION_COLUMNS)
    ]
    addons: dict[int, list[_Addon]] = defaultdict(list)
    for row in (
        SubscriptionAddon.objects.filter(subscription__account_id__in=account_ids)
        .order_by("id")
        .values_list(*ADDON_COLUMNS)
    ):
        addon = _Addon(*row)
        addons[addon.subscription_id].append(addon)
    loaded = LoadedTerms([], [], {})
    default = _default_article()
    for sub in subscriptions:
        if sub.billed_until and sub.end_date and sub.billed_until >= sub.end_date:
            continue  # billed to its end before it came to Kontor
        loaded.terms.append(_terms(sub, addons.get(sub.pk, [])))
        _remember_info(loaded.info, sub, addons.get(sub.pk, []), default)
    loaded.billed = [
        BilledCharge(*row)
        for row in Charge.objects.filter(account_id__in=account_ids)
        .filter(~Q(subscription_id=None))
        .values_list("subscription_id", "kind", "period_start", "period_end", "amount")
    ]
    return loaded


def _terms(sub: _Subscription, addons: list[_Addon]) -> SubscriptionTerms:
    return SubscriptionTerms(
        subscription_id=sub.pk,
        account_id=sub.account_id,
        # Migrated contracts: what the old system billed is not billed again.
        start=max(sub.start_date, sub.billed_until + ONE_DAY)
        if sub.billed_until
        else sub.start_date,
        end=sub.end_date,
        interval_months=sub.interval_months,
        unit_price=sub.price if sub.deviating_price is None else sub.deviating_price,
        quantity=sub.quantity,
        timing=sub.timing,  # type: ignore[arg-type]
        # A tariff change continues the contract: no second setup fee for the successor.
        setup_fee=Decimal(0) if sub.predecessor_id or sub.billed_until else sub.setup_fee,
        addons=tuple(
            AddonTerms(a.pk, a.price, a.quantity, a.start_date, a.end_date) for a in addons
        ),
    )


def _default_article() -> tuple[str, str]:
    """(number, unit) of the billing settings' default article, for tariffs without one."""
    from kontor.billing.models import BillingSettings

    article = BillingSettings.load().default_article
    return (article.number, article.unit) if article else ("", "C62")


def _remember_info(
    info: dict[tuple[int, str], LineInfo],
    sub: _Subscription,
    addons: list[_Addon],
    default: tuple[str, str],
) -> None:
    has_article = sub.article_id is not None
    number = sub.article_number if has_article else default[0]
    common = {"contract_id": sub.contract_id, "contract_type": sub.contract_type}
    info[(sub.pk, "recurring")] = LineInfo(
        description=sub.tariff_name,
        tax_category_id=sub.tax_category_id,
        article_number=number,
        unit=sub.article_unit if has_article else default[1],
        **common,
    )
    info[(sub.pk, "setup")] = LineInfo(
        description=sub.tariff_name,
        tax_category_id=sub.tax_category_id,
        article_number=number,
        unit="C62",
        **common,
    )
    for addon in addons:
        info[(sub.pk, f"addon:{addon.pk}")] = LineInfo(
            description=addon.name,
            tax_category_id=addon.tax_category_id,
            article_number=addon.number,
            unit=addon.unit,
            **common,
        )
