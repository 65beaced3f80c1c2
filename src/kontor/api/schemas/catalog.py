"""Request and response bodies for the catalog."""

from __future__ import annotations

from datetime import date
from typing import Any

from ninja import Schema
from pydantic import Field

from kontor.api.schemas.common import InSchema, MoneyIn, MoneyOut


class TaxRateOut(Schema):
    id: int
    rate: MoneyOut = Field(description='percent, e.g. "19.00"')
    valid_from: date
    valid_to: date | None


class TaxCategoryOut(Schema):
    id: int
    code: str
    name: str
    rates: list[TaxRateOut]

    @staticmethod
    def resolve_rates(obj: Any) -> list[Any]:
        return sorted(obj.rates.all(), key=lambda rate: rate.valid_from)


class ArticleTypeOut(Schema):
    id: int
    code: str
    name: str


class ArticleOut(Schema):
    id: int
    number: str
    name: str
    article_type_id: int
    unit: str
    tax_category_id: int
    price: MoneyOut
    is_addon: bool
    active: bool


class TariffVersionOut(Schema):
    id: int
    tariff_id: int
    valid_from: date
    price: MoneyOut
    setup_fee: MoneyOut
    billing_interval_months: int
    minimum_term_months: int
    renewal_term_months: int
    notice_amount: int
    notice_unit: str
    notice_anchor: str
    contract_type: str
    billing_timing: str
    tax_category_id: int
    article_id: int | None


class TariffOut(Schema):
    id: int
    module_id: int
    code: str
    name: str
    active: bool
    addons: list[int] = Field(description="ids of the bookable add-on articles")
    versions: list[TariffVersionOut]

    @staticmethod
    def resolve_addons(obj: Any) -> list[int]:
        return sorted(article.pk for article in obj.addons.all())

    @staticmethod
    def resolve_versions(obj: Any) -> list[Any]:
        return sorted(obj.versions.all(), key=lambda version: version.valid_from)


class ModuleOut(Schema):
    id: int
    code: str
    name: str
    description: str
    active: bool
    tariffs: list[TariffOut]

    @staticmethod
    def resolve_tariffs(obj: Any) -> list[Any]:
        return list(obj.tariffs.all())


class CodeNameIn(InSchema):
    code: str
    name: str


class TaxRateIn(InSchema):
    rate: MoneyIn = Field(description='percent as a string, e.g. "19.00"')
    valid_from: date
    valid_to: date | None = None


class ArticleIn(InSchema):
    number: str
    name: str
    article_type_id: int
    tax_category_id: int
    price: MoneyIn
    unit: str = "C62"
    is_addon: bool = False


class ModuleIn(InSchema):
    code: str
    name: str
    description: str = ""


class TariffIn(InSchema):
    module_id: int
    code: str
    name: str
    addon_article_ids: list[int] = []


class TariffVersionIn(InSchema):
    valid_from: date
    price: MoneyIn
    tax_category_id: int
    setup_fee: MoneyIn | None = None
    billing_interval_months: int | None = Field(None, description="1, 2, 3, 6 or 12")
    minimum_term_months: int | None = None
    renewal_term_months: int | None = None
    notice_amount: int | None = None
    notice_unit: str | None = Field(None, description="days, weeks or months")
    notice_anchor: str | None = Field(
        None, description="term_end, month_end, quarter_end or any_day"
    )
    contract_type: str | None = None
    billing_timing: str | None = Field(None, description="advance or arrears")
    article_id: int | None = None
