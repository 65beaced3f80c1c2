"""Reads on the catalog. Everyone with a role may see it; customers see active items only."""

from __future__ import annotations

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
