"""Request and response bodies for subscriptions (booked modules)."""

from __future__ import annotations

from datetime import date
from typing import Any

from ninja import Schema
from pydantic import Field

from kontor.api.schemas.common import InSchema, MoneyIn, MoneyOut, QuantityIn, QuantityOut


class AddonOut(Schema):
    id: int
    article_id: int
    article_number: str
    quantity: QuantityOut
    start_date: date
    end_date: date | None

    @staticmethod
    def resolve_article_number(obj: Any) -> str:
        return obj.article.number


class SubscriptionOut(Schema):
    id: int
    version: int
    account_id: int
    contract_reference: str
    module_id: int
    tariff_id: int
    tariff_code: str
    tariff_version_id: int
    quantity: QuantityOut
    start_date: date
    end_date: date | None = Field(description="last day of service")
    price: MoneyOut = Field(description="the price per billing interval that applies")
    deviating_price: MoneyOut | None
    notice_given_on: date | None
    end_reason: str
    end_date_overridden: bool
    predecessor_id: int | None
    addons: list[AddonOut]

    @staticmethod
    def resolve_contract_reference(obj: Any) -> str:
        return obj.contract.reference

    @staticmethod
    def resolve_tariff_id(obj: Any) -> int:
        return obj.tariff_version.tariff_id

    @staticmethod
    def resolve_tariff_code(obj: Any) -> str:
        return obj.tariff_version.tariff.code

    @staticmethod
    def resolve_price(obj: Any) -> Any:
        return obj.effective_price

    @staticmethod
    def resolve_addons(obj: Any) -> list[Any]:
        return sorted(obj.addons.all(), key=lambda addon: (addon.start_date, addon.pk))


class SubscriptionCreateIn(InSchema):
    tariff_version_id: int
    start_date: date
    quantity: QuantityIn = "1"
    deviating_price: MoneyIn | None = None
    contract_reference: str | None = Field(None, description="empty: the customer number")
    end_date: date | None = None


class CancelIn(InSchema):
    notice_given_on: date | None = Field(None, description="empty: today")
    end_date: date | None = Field(None, description="empty: the earliest the notice allows")
    version: int | None = None


class CancellationPreviewOut(Schema):
    subscription_id: int
    notice_given_on: date
    earliest_end_date: date


class ChangeTariffIn(InSchema):
    tariff_version_id: int
    requested_on: date | None = Field(None, description="empty: today")
    effective_date: date | None = Field(
        None, description="first day of the new tariff; empty: the earliest allowed"
    )
    quantity: QuantityIn | None = None
    version: int | None = None


class AddonIn(InSchema):
    article_id: int
    start_date: date
    quantity: QuantityIn = "1"
