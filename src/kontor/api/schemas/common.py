"""Shared field types: money leaves and enters the API as strings, never as floats."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any

from django.utils.translation import gettext as _
from ninja import Schema
from pydantic import BeforeValidator, ConfigDict, Field, WithJsonSchema
from pydantic_core import PydanticCustomError

from kontor.core.money import CENT


def money_str(value: Any) -> Any:
    """Decimal('12.5000') → "12.50"; up to four places where a unit price needs them."""
    if not isinstance(value, Decimal):
        return value
    if value == value.quantize(CENT):
        return str(value.quantize(CENT))
    return format(value.normalize(), "f")


def quantity_str(value: Any) -> Any:
    if not isinstance(value, Decimal):
        return value
    return format(value.normalize(), "f") if value != value.to_integral() else str(int(value))


def _money_input(value: Any) -> Any:
    if isinstance(value, bool) or isinstance(value, int | float):
        raise PydanticCustomError(
            "money_as_string", _('Give amounts as strings, e.g. "12.50" (never as JSON numbers).')
        )
    return value


def _quantity_input(value: Any) -> Any:
    if isinstance(value, bool) or isinstance(value, float):
        raise PydanticCustomError(
            "quantity_as_string", _('Give quantities as strings or whole numbers, e.g. "1.5".')
        )
    return str(value) if isinstance(value, int) else value


MoneyOut = Annotated[
    str, BeforeValidator(money_str), WithJsonSchema({"type": "string", "examples": ["12.50"]})
]
QuantityOut = Annotated[
    str, BeforeValidator(quantity_str), WithJsonSchema({"type": "string", "examples": ["1"]})
]
MoneyIn = Annotated[
    str,
    BeforeValidator(_money_input),
    WithJsonSchema({"type": "string", "pattern": r"^\d+(\.\d{1,4})?$", "examples": ["12.50"]}),
]
QuantityIn = Annotated[
    str,
    BeforeValidator(_quantity_input),
    WithJsonSchema({"type": "string", "pattern": r"^\d+(\.\d{1,3})?$", "examples": ["1"]}),
]


class InSchema(Schema):
    """Input bodies refuse unknown fields: a typo must not be silently ignored."""

    model_config = ConfigDict(extra="forbid")


class ErrorItem(Schema):
    field: str | None = Field(examples=["contract_party.postal_code"])
    code: str = Field(examples=["required"])
    message: str = Field(examples=["This field is required."])


class ErrorOut(Schema):
    errors: list[ErrorItem]


ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}
VERSIONED_ERRORS = {**ERRORS, 428: ErrorOut}
