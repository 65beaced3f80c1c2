"""Reads on the catalog. Everyone with a role may see it; customers see active items only."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Prefetch, QuerySet

from kontor.catalog.models import Article, Module, Tariff, TariffVersion, TaxCategory
from kontor.core.permissions import Action, is_staff_actor, require


def module_list(actor: Any) -> QuerySet[Module]:
    require(actor, Action.CATALOG_VIEW)
    tariffs = Tariff.objects.prefetch_related(
        Prefetch("versions", queryset=TariffVersion.objects.order_by("valid_from")), "addons"
    )
    qs = Module.objects.prefetch_related(Prefetch("tariffs", queryset=tariffs))
    return qs if is_staff_actor(actor) else qs.filter(active=True)


def article_list(actor: Any) -> QuerySet[Article]:
    require(actor, Action.CATALOG_VIEW)
    qs = Article.objects.select_related("article_type", "tax_category")
    return qs if is_staff_actor(actor) else qs.filter(active=True)


def tax_category_list(actor: Any) -> QuerySet[TaxCategory]:
    require(actor, Action.CATALOG_VIEW)
    return TaxCategory.objects.prefetch_related("rates")


@dataclass(frozen=True)
class TariffChoice:
    """An active tariff with its version valid on the day asked for. `valid` is False when the
    tariff has no version valid yet on that day; `version` is then its first version."""

    tariff: Tariff
    version: TariffVersion
    valid: bool


def tariff_choices(actor: Any, on: date, *, module_id: int | None = None) -> list[TariffChoice]:
    """Active tariffs (of one module, if given) with the version valid on `on`, by module and
    code. Tariffs without any version are left out: they cannot be booked."""
    require(actor, Action.CATALOG_VIEW)
    tariffs = Tariff.objects.filter(active=True).select_related("module")
    if not is_staff_actor(actor):
        tariffs = tariffs.filter(module__active=True)
    if module_id is not None:
        tariffs = tariffs.filter(module_id=module_id)
    tariffs = tariffs.prefetch_related(
        Prefetch("versions", queryset=TariffVersion.objects.order_by("valid_from"))
    ).order_by("module__name", "code")
    choices = []
    for tariff in tariffs:
        versions = list(tariff.versions.all())
        if not versions:
            continue
        started = [v for v in versions if v.valid_from <= on]
        version = started[-1] if started else versions[0]
        choices.append(TariffChoice(tariff=tariff, version=version, valid=bool(started)))
    return choices
