"""Value types of the import format: money and quantities as JSON strings or integers (never
floats, which lose cents), dates as ISO 8601 strings, text with the database's length limits."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Annotated, Any

from django.utils.translation import gettext as _
from pydantic import Field, PlainSerializer, PlainValidator, StringConstraints, WithJsonSchema
from pydantic_core import PydanticCustomError

from kontor.core.money import MoneyError, to_decimal

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _decimal_parser(places: int, *, positive: bool = False) -> Any:
    def parse(value: Any) -> Decimal:
        if isinstance(value, float):
            raise PydanticCustomError(
                "float_not_allowed",
                str(
                    _(
                        "Numbers with decimals must be given as a JSON string such as "
                        '"12.90" (or as an integer), not as a float: floats lose cents.'
                    )
                ),
            )
        if isinstance(value, bool) or not isinstance(value, str | int | Decimal):
            raise PydanticCustomError(
                "decimal_type", str(_('Give a number as a string such as "12.90" or an integer.'))
            )
        try:
            amount = to_decimal(value, places=places)
        except MoneyError as exc:
            raise PydanticCustomError("decimal_invalid", str(exc).replace("{", "(")) from exc
        if amount < 0 or (positive and amount == 0):
            message = _("Must be greater than zero.") if positive else _("Must not be negative.")
            raise PydanticCustomError("decimal_range", str(message))
        return amount

    return parse


def _decimal_schema(places: int, example: str) -> dict[str, Any]:
    return {
        "anyOf": [
            {"type": "string", "pattern": rf"^\d+(\.\d{{1,{places}}})?$"},
            {"type": "integer", "minimum": 0},
        ],
        "examples": [example],
    }


def _parse_date(value: Any) -> date:
    if isinstance(value, date) and not hasattr(value, "hour"):
        return value
    if isinstance(value, str) and _ISO_DATE.match(value):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise PydanticCustomError(
        "date_format", str(_("Give a date as YYYY-MM-DD (ISO 8601), e.g. 2024-01-31."))
    )


def _str_decimal(value: Decimal) -> str:
    return format(value, "f")


Money = Annotated[
    Decimal,
    PlainValidator(_decimal_parser(4)),
    PlainSerializer(_str_decimal, return_type=str),
    WithJsonSchema(_decimal_schema(4, "12.90")),
]
Percent = Annotated[
    Decimal,
    PlainValidator(_decimal_parser(2)),
    PlainSerializer(_str_decimal, return_type=str),
    WithJsonSchema(_decimal_schema(2, "19.00")),
]
Quantity = Annotated[
    Decimal,
    PlainValidator(_decimal_parser(3, positive=True)),
    PlainSerializer(_str_decimal, return_type=str),
    WithJsonSchema(_decimal_schema(3, "1")),
]
IsoDate = Annotated[
    date,
    PlainValidator(_parse_date),
    PlainSerializer(date.isoformat, return_type=str),
    WithJsonSchema({"type": "string", "format": "date", "examples": ["2024-01-01"]}),
]


def text(max_length: int, *, required: bool = False) -> Any:
    """A string field with the database column's length; `required` also forbids ""."""
    return Annotated[
        str,
        StringConstraints(strip_whitespace=True, min_length=1 if required else 0),
        Field(max_length=max_length),
    ]


Code10 = text(10, required=True)
Code20 = text(20, required=True)
Code40 = text(40, required=True)
Name100 = text(100, required=True)
Name200 = text(200, required=True)

Opt100 = text(100)
Opt11 = text(11)
Opt20 = text(20)
Opt200 = text(200)
Opt254 = text(254)
Opt40 = text(40)
Opt46 = text(46)
Opt50 = text(50)
Opt60 = text(60)
Req140 = text(140, required=True)
Req2 = text(2, required=True)
Req20 = text(20, required=True)
Req254 = text(254, required=True)
Req3 = text(3, required=True)
Req35 = text(35, required=True)
Req40 = text(40, required=True)
Req42 = text(42, required=True)
