"""Catalog pages: managers create through the catalog services; everyone else reads."""

from __future__ import annotations

from typing import Any

from django.contrib import admin

from kontor.backoffice.service_admin import ServiceCreateAdmin
from kontor.catalog import services
from kontor.catalog.models import (
    Article,
    ArticleType,
    Module,
    Tariff,
    TariffVersion,
    TaxCategory,
    TaxRate,
)
from kontor.core.permissions import Action


class CatalogAdmin(ServiceCreateAdmin):
    view_action = Action.CATALOG_VIEW
    add_action = Action.CATALOG_MANAGE


def _pk(value: Any) -> Any:
    return value.pk if value is not None else None


@admin.register(TaxCategory)
class TaxCategoryAdmin(CatalogAdmin):
    fields = ("code", "name")
    list_display = ("code", "name")

    def create(self, actor: Any, data: dict[str, Any]) -> Any:
        return services.tax_category_create(actor=actor, code=data["code"], name=data["name"])


@admin.register(TaxRate)
class TaxRateAdmin(CatalogAdmin):
    fields = ("category", "rate", "valid_from", "valid_to")
    list_display = ("category", "rate", "valid_from", "valid_to")

    def create(self, actor: Any, data: dict[str, Any]) -> Any:
        return services.tax_rate_create(
            actor=actor,
            category_id=_pk(data["category"]),
            rate=data["rate"],
            valid_from=data["valid_from"],
            valid_to=data.get("valid_to"),
        )


@admin.register(ArticleType)
class ArticleTypeAdmin(CatalogAdmin):
    fields = ("code", "name")
    list_display = ("code", "name")

    def create(self, actor: Any, data: dict[str, Any]) -> Any:
        return services.article_type_create(actor=actor, code=data["code"], name=data["name"])


@admin.register(Article)
class ArticleAdmin(CatalogAdmin):
    fields = ("number", "name", "article_type", "tax_category", "price", "unit", "is_addon")
    list_display = ("number", "name", "article_type", "price", "is_addon", "active")
    list_filter = ("article_type", "is_addon", "active")
    search_fields = ("number", "name")

    def create(self, actor: Any, data: dict[str, Any]) -> Any:
        return services.article_create(
            actor=actor,
            number=data["number"],
            name=data["name"],
            article_type_id=_pk(data["article_type"]),
            tax_category_id=_pk(data["tax_category"]),
            price=data["price"],
            unit=data["unit"],
            is_addon=data["is_addon"],
        )


@admin.register(Module)
class ModuleAdmin(CatalogAdmin):
    fields = ("code", "name", "description")
    list_display = ("code", "name", "active")

    def create(self, actor: Any, data: dict[str, Any]) -> Any:
        return services.module_create(
            actor=actor, code=data["code"], name=data["name"], description=data["description"]
        )


@admin.register(Tariff)
class TariffAdmin(CatalogAdmin):
    fields = ("module", "code", "name", "addons")
    list_display = ("code", "name", "module", "active")
    list_filter = ("module", "active")
    search_fields = ("code", "name")

    def create(self, actor: Any, data: dict[str, Any]) -> Any:
        return services.tariff_create(
            actor=actor,
            module_id=_pk(data["module"]),
            code=data["code"],
            name=data["name"],
            addon_article_ids=[a.pk for a in data.get("addons") or []],
        )


TERMS = (
    "setup_fee",
    "billing_interval_months",
    "minimum_term_months",
    "renewal_term_months",
    "notice_amount",
    "notice_unit",
    "notice_anchor",
    "contract_type",
    "billing_timing",
)


@admin.register(TariffVersion)
class TariffVersionAdmin(CatalogAdmin):
    fields = ("tariff", "valid_from", "price", "tax_category", *TERMS, "article")
    list_display = ("tariff", "valid_from", "price", "billing_interval_months")
    list_filter = ("tariff__module",)

    def create(self, actor: Any, data: dict[str, Any]) -> Any:
        return services.tariff_version_create(
            actor=actor,
            tariff_id=_pk(data["tariff"]),
            valid_from=data["valid_from"],
            price=data["price"],
            tax_category_id=_pk(data["tax_category"]),
            article_id=_pk(data.get("article")),
            **{name: data[name] for name in TERMS},
        )
