"""Writes on the catalog (Manager only): tax categories and rates, articles, modules, tariffs
and tariff versions. Tariff versions are never edited once booked; a price change is a new
version with a later `valid_from`."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from kontor.catalog.models import (
    BILLING_INTERVALS,
    Article,
    ArticleType,
    BillingTiming,
    Module,
    NoticeAnchor,
    NoticeUnit,
    Tariff,
    TariffVersion,
    TaxCategory,
    TaxRate,
)
from kontor.core.audit import audit
from kontor.core.errors import invalid
from kontor.core.money import MoneyError, to_decimal
from kontor.core.permissions import Action, require

INTERVALS = {months for months, _label in BILLING_INTERVALS}


@transaction.atomic
def tax_category_create(*, actor: Any, code: str, name: str) -> TaxCategory:
    require(actor, Action.CATALOG_MANAGE)
    _unique(TaxCategory, "code", code)
    category = TaxCategory.objects.create(code=code.strip(), name=name.strip())
    audit(actor, "catalog.tax_category_created", category, code=code)
    return category


@transaction.atomic
def tax_rate_create(
    *,
    actor: Any,
    category_id: int,
    rate: Decimal | str,
    valid_from: date,
    valid_to: date | None = None,
) -> TaxRate:
    """Add a dated rate; the open-ended previous rate of the category ends the day before."""
    require(actor, Action.CATALOG_MANAGE)
    _exists(TaxCategory, "category", category_id)
    value = _amount("rate", rate, places=2)
    if value > 100:
        raise invalid("rate", _("A tax rate is a percentage from 0 to 100."), "invalid")
    if valid_to is not None and valid_to < valid_from:
        raise invalid("valid_to", _("The end lies before the start."), "invalid")
    if TaxRate.objects.filter(category_id=category_id, valid_from=valid_from).exists():
        raise invalid(
            "valid_from", _("The category has a rate from this date already."), "duplicate"
        )
    TaxRate.objects.filter(
        category_id=category_id, valid_to__isnull=True, valid_from__lt=valid_from
    ).update(valid_to=valid_from - timedelta(days=1))
    tax_rate = TaxRate.objects.create(
        category_id=category_id, rate=value, valid_from=valid_from, valid_to=valid_to
    )
    audit(actor, "catalog.tax_rate_created", tax_rate, rate=value, valid_from=valid_from)
    return tax_rate


@transaction.atomic
def article_type_create(*, actor: Any, code: str, name: str) -> ArticleType:
    require(actor, Action.CATALOG_MANAGE)
    _unique(ArticleType, "code", code)
    article_type = ArticleType.objects.create(code=code.strip(), name=name.strip())
    audit(actor, "catalog.article_type_created", article_type, code=code)
    return article_type


@transaction.atomic
def article_create(
    *,
    actor: Any,
    number: str,
    name: str,
    article_type_id: int,
    tax_category_id: int,
    price: Decimal | str,
    unit: str = "C62",
    is_addon: bool = False,
) -> Article:
    require(actor, Action.CATALOG_MANAGE)
    _unique(Article, "number", number)
    _exists(ArticleType, "article_type", article_type_id)
    _exists(TaxCategory, "tax_category", tax_category_id)
    article = Article.objects.create(
        number=number.strip(),
        name=name.strip(),
        article_type_id=article_type_id,
        tax_category_id=tax_category_id,
        price=_amount("price", price, places=4),
        unit=unit.strip() or "C62",
        is_addon=is_addon,
    )
    audit(actor, "catalog.article_created", article, number=number)
    return article


@transaction.atomic
def module_create(*, actor: Any, code: str, name: str, description: str = "") -> Module:
    require(actor, Action.CATALOG_MANAGE)
    _unique(Module, "code", code)
    module = Module.objects.create(code=code.strip(), name=name.strip(), description=description)
    audit(actor, "catalog.module_created", module, code=code)
    return module


@transaction.atomic
def tariff_create(
    *,
    actor: Any,
    module_id: int,
    code: str,
    name: str,
    addon_article_ids: list[int] | None = None,
) -> Tariff:
    require(actor, Action.CATALOG_MANAGE)
    _unique(Tariff, "code", code)
    _exists(Module, "module", module_id)
    tariff = Tariff.objects.create(module_id=module_id, code=code.strip(), name=name.strip())
    if addon_article_ids:
        addons = list(Article.objects.filter(pk__in=addon_article_ids))
        not_addons = [a.number for a in addons if not a.is_addon]
        if not_addons or len(addons) != len(set(addon_article_ids)):
            raise invalid(
                "addons",
                _("Only existing add-on articles can be bookable options: %s")
                % ", ".join(not_addons or ["?"]),
                "not_an_addon",
            )
        tariff.addons.set(addons)
    audit(actor, "catalog.tariff_created", tariff, code=code)
    return tariff


@transaction.atomic
def tariff_version_create(
    *,
    actor: Any,
    tariff_id: int,
    valid_from: date,
    price: Decimal | str,
    tax_category_id: int,
    **terms: Any,
) -> TariffVersion:
    """Terms: setup_fee, billing_interval_months, minimum_term_months, renewal_term_months,
    notice_amount, notice_unit, notice_anchor, contract_type, billing_timing, article_id."""
    require(actor, Action.CATALOG_MANAGE)
    _exists(Tariff, "tariff", tariff_id)
    _exists(TaxCategory, "tax_category", tax_category_id)
    if terms.get("article_id") is not None:
        _exists(Article, "article", terms["article_id"])
    if TariffVersion.objects.filter(tariff_id=tariff_id, valid_from=valid_from).exists():
        raise invalid(
            "valid_from", _("The tariff has a version from this date already."), "duplicate"
        )
    if "billing_interval_months" not in terms:  # the billing settings' default interval
        from kontor.billing.models import BillingSettings

        terms["billing_interval_months"] = BillingSettings.load().default_billing_interval_months
    values = _clean_terms(terms)
    version = TariffVersion.objects.create(
        tariff_id=tariff_id,
        valid_from=valid_from,
        price=_amount("price", price, places=4),
        tax_category_id=tax_category_id,
        **values,
    )
    audit(actor, "catalog.tariff_version_created", version, valid_from=valid_from, price=price)
    return version


def _clean_terms(terms: dict[str, Any]) -> dict[str, Any]:
    allowed = {
        "setup_fee",
        "billing_interval_months",
        "minimum_term_months",
        "renewal_term_months",
        "notice_amount",
        "notice_unit",
        "notice_anchor",
        "contract_type",
        "billing_timing",
        "article_id",
    }
    unknown = set(terms) - allowed
    if unknown:
        raise invalid(sorted(unknown)[0], _("Unknown tariff field."), "unknown_field")
    values = dict(terms)
    if "setup_fee" in values:
        values["setup_fee"] = _amount("setup_fee", values["setup_fee"], places=4)
    if values.get("billing_interval_months", 1) not in INTERVALS:
        raise invalid(
            "billing_interval_months",
            _("Billing interval must be 1, 2, 3, 6 or 12."),
            "invalid_choice",
        )
    for name, choices in (
        ("notice_unit", NoticeUnit),
        ("notice_anchor", NoticeAnchor),
        ("billing_timing", BillingTiming),
    ):
        if name in values and values[name] not in choices.values:
            raise invalid(
                name, _("Must be one of: %s.") % ", ".join(choices.values), "invalid_choice"
            )
    for name in ("minimum_term_months", "renewal_term_months", "notice_amount"):
        value = values.get(name, 0)
        if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 120:
            raise invalid(name, _("Give a whole number from 0 to 120."), "invalid")
    return values


def _amount(field: str, value: Any, *, places: int) -> Decimal:
    try:
        amount = to_decimal(value, places=places)
    except MoneyError as exc:
        raise invalid(field, str(exc), "invalid") from exc
    if amount < 0:
        raise invalid(field, _("The amount must not be negative."), "invalid")
    return amount


def _exists(model: Any, field: str, pk: Any) -> None:
    """Foreign keys are checked at commit; refuse unknown ids before, naming the field."""
    if not model.objects.filter(pk=pk).exists():
        raise invalid(field, _("%(value)s does not exist.") % {"value": pk}, "not_found")


def _unique(model: Any, field: str, value: str) -> None:
    if not value or not value.strip():
        raise invalid(field, _("This field is required."), "required")
    if model.objects.filter(**{field: value.strip()}).exists():
        raise invalid(field, _("%s is already taken.") % value, "duplicate")
