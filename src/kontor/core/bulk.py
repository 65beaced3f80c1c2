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
    model = type(objs[0])
    fields = _fields(model)
    now = timezone.now()  # one timestamp for the batch (bulk_create takes one per object)
    for f in fields:
        if getattr(f, "auto_now_add", False) or getattr(f, "auto_now", False):
            for obj in objs:
                setattr(obj, f.attname, now)
    values = [[getattr(obj, f.attname) for obj in objs] for f in fields]
    want_pks = set_pks and not ignore_conflicts
    pks = _insert(model, fields, values, ignore_conflicts, want_pks, batch_size)
    for obj, pk in zip(objs, pks, strict=want_pks):
        obj.pk = pk
        obj._state.adding = False
    for obj in objs:
        obj._state.db = connection.alias


def bulk_insert_rows(
    model: type[models.Model],
    rows: Sequence[dict[str, Any]],
    *,
    ignore_conflicts: bool = False,
    batch_size: int = 2000,
) -> None:
    """Insert plain rows (field attname → value; missing fields get their default), for
    rows nobody needs as model instances afterwards."""
    if not rows:
        return
    fields = _fields(model)
    now = timezone.now()
    values = []
    for f in fields:
        auto = getattr(f, "auto_now_add", False) or getattr(f, "auto_now", False)
        default = now if auto else f.get_default()
        values.append([row.get(f.attname, default) for row in rows])
    _insert(model, fields, values, ignore_conflicts, False, batch_size)


def _fields(model: type[models.Model]) -> list[models.Field]:
    return [f for f in model._meta.concrete_fields if not f.primary_key]


def _insert(
    model: type[models.Model],
    fields: list[models.Field],
    values: list[list[Any]],
    ignore_conflicts: bool,
    want_pks: bool,
    batch_size: int,
) -> list[int]:
    rows = list(zip(*(_prepared(f, v) for f, v in zip(fields, values, strict=True)), strict=True))
    columns = [f.column for f in fields]
    table = model._meta.db_table
    insert = _insert_postgresql if connection.vendor == "postgresql" else _insert_sqlite
    pks: list[int] = []
    with transaction.atomic(savepoint=False):
        for start in range(0, len(rows), batch_size):
            batch = rows[start : start + batch_size]
            pks += insert(table, columns, batch, ignore_conflicts, want_pks)
    return pks


def _prepared(field: models.Field, values: list[Any]) -> list[Any]:
    """The database values of one field."""
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
