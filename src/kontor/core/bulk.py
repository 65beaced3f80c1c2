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

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connection, connections, models, transaction
from django.utils import timezone

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
    with transaction.atomic(savepoint=False):
        _bulk_insert(objs, ignore_conflicts, set_pks, batch_size)


def _bulk_insert(
    objs: Sequence[models.Model], ignore_conflicts: bool, set_pks: bool, batch_size: int
) -> None:
    model = type(objs[0])
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    now = timezone.now()  # one timestamp for the batch (bulk_create takes one per object)
    for f in fields:
        if getattr(f, "auto_now_add", False) or getattr(f, "auto_now", False):
            for obj in objs:
                setattr(obj, f.attname, now)
    rows = list(zip(*(_column(f, objs) for f in fields), strict=True))
    columns = [f.column for f in fields]
    table = model._meta.db_table
    want_pks = set_pks and not ignore_conflicts
    insert = _insert_postgresql if connection.vendor == "postgresql" else _insert_sqlite
    for start in range(0, len(rows), batch_size):
        pks = insert(table, columns, rows[start : start + batch_size], ignore_conflicts, want_pks)
        for obj, pk in zip(objs[start : start + batch_size], pks, strict=want_pks):
            obj.pk = pk
            obj._state.adding = False
    for obj in objs:
        obj._state.db = connection.alias


def _column(field: models.Field, objs: Sequence[models.Model]) -> list[Any]:
    """The database values of one field for every object."""
    name = field.attname
    values = [getattr(obj, name) for obj in objs]
    db = connections[DEFAULT_DB_ALIAS]  # the real connection, not the per-access proxy
    plain = isinstance(field, PLAIN_FIELDS) and not isinstance(field, models.JSONField)
    if plain and all(type(value) in PLAIN for value in values):
        return values
    if isinstance(field, models.JSONField):
        return [field.get_db_prep_save(value, db) for value in values]
    prepared: dict[Any, Any] = {}  # dates, times and the like repeat: prepare each once
    result = []
    for value in values:
        if type(value) in PLAIN and plain:
            result.append(value)
            continue
        if value not in prepared:
            prepared[value] = field.get_db_prep_save(value, db)
        result.append(prepared[value])
    return result


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
        target = quote(table)
        if ignore:
            # COPY cannot skip conflicting rows: copy into a scratch table, then insert
            # from it with ON CONFLICT DO NOTHING (one statement instead of one per row).
            target = quote(f"bulk_{table}")
            cursor.execute(
                f"CREATE TEMP TABLE IF NOT EXISTS {target} ON COMMIT DROP AS "  # noqa: S608
                f"SELECT {names} FROM {quote(table)} WITH NO DATA"
            )
        with cursor.cursor.copy(f"COPY {target} ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        if ignore:
            cursor.execute(
                f"INSERT INTO {quote(table)} ({names}) SELECT {names} FROM {target} "  # noqa: S608
                "ON CONFLICT DO NOTHING"
            )
            cursor.execute(f"TRUNCATE {target}")
        return pks
