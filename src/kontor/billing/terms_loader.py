"""Read subscriptions and billed charges from the database into the engine's plain values,
in a few set-based queries per chunk of accounts."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q

from kontor.billing.engine import AddonTerms, BilledCharge, SubscriptionTerms
from kontor.billing.models import Charge
from kontor.contracts.models import Subscription, SubscriptionAddon


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


def load_terms(account_ids: list[int]) -> LoadedTerms:
    subscriptions = list(
        Subscription.objects.filter(account_id__in=account_ids)
        .select_related("tariff_version__tariff", "tariff_version__article", "contract")
        .order_by("account_id", "id")
    )
    addons: dict[int, list[SubscriptionAddon]] = defaultdict(list)
    for addon in SubscriptionAddon.objects.filter(
        subscription__account_id__in=account_ids
    ).select_related("article"):
        addons[addon.subscription_id].append(addon)
    loaded = LoadedTerms([], [], {})
    for sub in subscriptions:
        loaded.terms.append(_terms(sub, addons.get(sub.pk, [])))
        _remember_info(loaded.info, sub, addons.get(sub.pk, []))
    loaded.billed = [
        BilledCharge(*row)
        for row in Charge.objects.filter(account_id__in=account_ids)
        .filter(~Q(subscription_id=None))
        .values_list("subscription_id", "kind", "period_start", "period_end", "amount")
    ]
    return loaded


def _terms(sub: Subscription, addons: list[SubscriptionAddon]) -> SubscriptionTerms:
    version = sub.tariff_version
    return SubscriptionTerms(
        subscription_id=sub.pk,
        account_id=sub.account_id,
        start=sub.start_date,
        end=sub.end_date,
        interval_months=version.billing_interval_months,
        unit_price=sub.effective_price,
        quantity=sub.quantity,
        timing=version.billing_timing,  # type: ignore[arg-type]
        # A tariff change continues the contract: no second setup fee for the successor.
        setup_fee=Decimal(0) if sub.predecessor_id else version.setup_fee,
        addons=tuple(
            AddonTerms(a.pk, a.article.price, a.quantity, a.start_date, a.end_date) for a in addons
        ),
    )


def _remember_info(
    info: dict[tuple[int, str], LineInfo], sub: Subscription, addons: list[SubscriptionAddon]
) -> None:
    version = sub.tariff_version
    article = version.article
    common = {"contract_id": sub.contract_id, "contract_type": version.contract_type}
    info[(sub.pk, "recurring")] = LineInfo(
        description=version.tariff.name,
        tax_category_id=version.tax_category_id,
        article_number=article.number if article else "",
        unit=article.unit if article else "C62",
        **common,
    )
    info[(sub.pk, "setup")] = LineInfo(
        description=version.tariff.name,
        tax_category_id=version.tax_category_id,
        article_number=article.number if article else "",
        unit="C62",
        **common,
    )
    for addon in addons:
        info[(sub.pk, f"addon:{addon.pk}")] = LineInfo(
            description=addon.article.name,
            tax_category_id=addon.article.tax_category_id,
            article_number=addon.article.number,
            unit=addon.article.unit,
            **common,
        )
