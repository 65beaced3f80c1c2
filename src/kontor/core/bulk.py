"""Bulk inserts for the billing hot path, without the ORM's per-value compile work.

`Model.objects.bulk_create` compiles every value of every row through the field API; for a
billing run (hundreds of thousands of rows) that costs more than the database. `bulk_insert`
writes the same rows with one statement per batch on SQLite and `COPY` (or a pipelined
`executemany`) on PostgreSQL. Values of plain types (numbers, text, dates, decimals, flags,
ids) go to the driver as they are — exactly what the field API would pass; anything else
(date-times, JSON, …) still goes through `Field.get_db_prep_save`. Defaults and
`auto_now_add` are applied as `bulk_create` applies them. No signals are sent (neither does
`bulk_create`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import connection, models

PLAIN = (int, str, Decimal, date, bool, type(None))
PLAIN_FIELDS = (
    models.IntegerField,  # and the auto, big, small and positive kinds
    models.CharField,
    models.TextField,
    models.BooleanField,
    models.DecimalField,
    models.ForeignKey,
)


def bulk_insert(
    objs: Sequence[models.Model],
    *,
    ignore_conflicts: bool = False,
    set_pks: bool = True,
    batch_size: int = 2000,
) -> None:
    """Insert `objs` (all of one model). With `set_pks` (not with `ignore_conflicts`), each
    object gets its primary key, as `bulk_create` gives it."""
    if not objs:
        return
    model = type(objs[0])
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    for f in fields:
        if getattr(f, "auto_now_add", False) or getattr(f, "auto_now", False):
            for obj in objs:
                f.pre_save(obj, add=True)
    columns = [f.column for f in fields]
    convert = [_converter(f) for f in fields]
    attnames = [f.attname for f in fields]
    rows = [
        tuple(
            c(getattr(obj, name)) if c else getattr(obj, name)
            for c, name in zip(convert, attnames, strict=True)
        )
        for obj in objs
    ]
    table = model._meta.db_table
    want_pks = set_pks and not ignore_conflicts
    for start in range(0, len(rows), batch_size):
        batch = rows[start : start + batch_size]
        if connection.vendor == "postgresql":
            pks = _insert_postgresql(table, columns, batch, ignore_conflicts, want_pks)
        else:
            pks = _insert_sqlite(table, columns, batch, ignore_conflicts, want_pks)
        if want_pks:
            for obj, pk in zip(objs[start : start + batch_size], pks, strict=True):
                obj.pk = pk
                obj._state.adding = False
                obj._state.db = connection.alias
    if not want_pks:
        for obj in objs:
            obj._state.db = connection.alias


def _converter(field: models.Field) -> Callable[[Any], Any] | None:
    if isinstance(field, PLAIN_FIELDS) and not isinstance(field, models.JSONField):

        def plain_or_prepared(value: Any) -> Any:
            if type(value) in PLAIN:
                return value
            return field.get_db_prep_save(value, connection)

        return plain_or_prepared
    return lambda value: field.get_db_prep_save(value, connection)


def _insert_sqlite(
    table: str, columns: list[str], rows: list[tuple[Any, ...]], ignore: bool, want_pks: bool
) -> list[int]:
    quote = connection.ops.quote_name
    names = ", ".join(quote(c) for c in columns)
    verb = "INSERT OR IGNORE" if ignore else "INSERT"
    one = "(" + ", ".join(["%s"] * len(columns)) + ")"
    with connection.cursor() as cursor:
        if not want_pks:
            cursor.executemany(f"{verb} INTO {quote(table)} ({names}) VALUES {one}", rows)
            return []
        pks: list[int] = []
        per_statement = max(1, connection.features.max_query_params // len(columns))
        for start in range(0, len(rows), per_statement):
            part = rows[start : start + per_statement]
            cursor.execute(
                f"{verb} INTO {quote(table)} ({names}) VALUES {', '.join([one] * len(part))} "
                "RETURNING id",
                [value for row in part for value in row],
            )
            pks += [row[0] for row in cursor.fetchall()]
        return pks


def _insert_postgresql(
    table: str, columns: list[str], rows: list[tuple[Any, ...]], ignore: bool, want_pks: bool
) -> list[int]:
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        if ignore:
            names = ", ".join(quote(c) for c in columns)
            placeholders = ", ".join(["%s"] * len(columns))
            sql = f"INSERT INTO {quote(table)} ({names}) VALUES ({placeholders}) "  # noqa: S608
            cursor.executemany(sql + "ON CONFLICT DO NOTHING", rows)
            return []
        pks: list[int] = []
        if want_pks:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                [table, len(rows)],
            )
            pks = sorted(row[0] for row in cursor.fetchall())
            rows = [(pk, *row) for pk, row in zip(pks, rows, strict=True)]
            columns = ["id", *columns]
        names = ", ".join(quote(c) for c in columns)
        with cursor.cursor.copy(f"COPY {quote(table)} ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        return pks
