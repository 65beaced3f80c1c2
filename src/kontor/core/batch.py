"""Write batches: one bulk writer (the import) calling the per-row services thousands of times
in one transaction, without paying per call for what does not change between the calls.

Inside a batch
* services read once what the batch's own writes do not change (`remembered`): settings,
  catalog rows, and rows the batch itself created (`keep`). A row saved or deleted through the
  ORM while the batch runs is forgotten (and with it everything remembered under it), so the
  next read goes to the database again. Rows changed with `QuerySet.update` are not noticed:
  the services remember no row that a batch changes that way.
* change-log history rows and audit entries are collected and inserted together (`flush`, at
  the latest when the batch ends): the same rows, values (times taken when the service wrote)
  and order per table as one by one. Nothing in a batch reads them back.

A batch lives in its caller's transaction. The caller rolls everything back when any service
call in it failed (the import is all or nothing), so rows a failed call collected are never
written. Outside a batch every helper here does what the per-row code always did; the cache
is per batch and per thread (a context variable) and gone when the batch ends.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, ParamSpec, TypeVar

from django.db import connection, models, transaction
from django.db.models.signals import m2m_changed, post_delete, post_save

T = TypeVar("T")
P = ParamSpec("P")
Key = tuple[type[models.Model], Any]

# Remembered rows are dropped oldest first beyond this many (a re-read is only slower), so a
# batch of 100,000 accounts keeps memory flat; settings and catalog rows are read again rarely.
REMEMBERED_ROWS = 2000


class Batch:
    def __init__(self) -> None:
        self._memo: dict[Key, dict[str, Any]] = {}
        self._history: dict[type[models.Model], list[dict[str, Any]]] = {}
        self._audit: list[dict[str, Any]] = []
        self.pending = 0
        self.sparing_savepoints = False

    @contextmanager
    def unit(self) -> Iterator[None]:
        """Run a group of service calls (an account with everything under it) under ONE
        savepoint: the services marked `atomic` join it instead of each making its own. On any
        exception the savepoint is rolled back and the batch forgets what it remembered and
        collected meanwhile; the caller may then redo the group call by call."""
        if self.sparing_savepoints:
            raise RuntimeError("units do not nest")
        marks = {model: len(rows) for model, rows in self._history.items()}
        audit_mark, pending = len(self._audit), self.pending
        self.sparing_savepoints = True
        try:
            with transaction.atomic():
                yield
        except BaseException:
            self._memo.clear()
            for model, rows in self._history.items():
                del rows[marks.get(model, 0) :]
            del self._audit[audit_mark:]
            self.pending = pending
            raise
        finally:
            self.sparing_savepoints = False

    def recall(self, model: type[models.Model], pk: Any, purpose: str) -> tuple[bool, Any]:
        entry = self._memo.get(_key(model, pk))
        if entry is None or purpose not in entry:
            return False, None
        return True, entry[purpose]

    def remember(self, model: type[models.Model], pk: Any, purpose: str, value: Any) -> None:
        key = _key(model, pk)
        entry = self._memo.pop(key, None) or {}  # re-inserted: the newest stays longest
        entry[purpose] = value
        self._memo[key] = entry
        if len(self._memo) > REMEMBERED_ROWS:
            del self._memo[next(iter(self._memo))]

    def forget(self, model: type[models.Model], pk: Any) -> None:
        self._memo.pop(_key(model, pk), None)
        self._memo.pop(_key(model, None), None)  # what was remembered about the whole table

    def add_history(self, model: type[models.Model], row: dict[str, Any]) -> None:
        self._history.setdefault(model, []).append(row)
        self.pending += 1

    def add_audit(self, row: dict[str, Any]) -> None:
        self._audit.append(row)
        self.pending += 1

    def flush(self) -> None:
        """Insert the collected history rows and audit entries (in the order collected)."""
        from kontor.core.bulk import bulk_insert_rows
        from kontor.core.models import AuditEntry

        for model, rows in self._history.items():
            bulk_insert_rows(model, rows)
        bulk_insert_rows(AuditEntry, self._audit)
        self._history, self._audit, self.pending = {}, [], 0


_current: ContextVar[Batch | None] = ContextVar("kontor_write_batch", default=None)


@contextmanager
def write_batch() -> Iterator[Batch]:
    """Open a batch inside the caller's transaction; collected rows are written when the block
    ends without an exception (on an exception the caller's transaction is rolled back)."""
    if not connection.in_atomic_block:
        raise RuntimeError("a write batch must run inside a transaction")
    if _current.get() is not None:
        raise RuntimeError("write batches do not nest")
    batch = Batch()
    token = _current.set(batch)
    try:
        yield batch
        batch.flush()
    finally:
        _current.reset(token)


def current() -> Batch | None:
    return _current.get()


def atomic(service: Callable[P, T]) -> Callable[P, T]:
    """`transaction.atomic` for a service; inside a batch's `unit` the service joins the unit's
    savepoint (a refusal rolls the whole unit back) instead of making one per call."""

    @functools.wraps(service)
    def run(*args: P.args, **kwargs: P.kwargs) -> T:
        batch = _current.get()
        with transaction.atomic(savepoint=batch is None or not batch.sparing_savepoints):
            return service(*args, **kwargs)

    return run


def remembered(model: type[models.Model], pk: Any, purpose: str, load: Callable[[], T]) -> T:
    """`load()`, read once per batch (every time outside one). `pk=None`: about the table."""
    batch = _current.get()
    if batch is None:
        return load()
    found, value = batch.recall(model, pk, purpose)
    if not found:
        value = load()
        batch.remember(model, pk, purpose, value)
    return value  # type: ignore[no-any-return]


def keep(instance: models.Model, purpose: str) -> None:
    """Remember a row the caller has just written (no-op outside a batch)."""
    batch = _current.get()
    if batch is not None:
        batch.remember(type(instance), instance.pk, purpose, instance)


def kept(model: type[T], pk: Any, purpose: str) -> T | None:
    """A row kept under `purpose` in this batch, else None."""
    batch = _current.get()
    if batch is None:
        return None
    found, value = batch.recall(model, pk, purpose)  # type: ignore[arg-type]
    return value if found else None


def _key(model: type[models.Model], pk: Any) -> Key:
    return model._meta.concrete_model, pk  # type: ignore[return-value]


def _forget_saved(sender: type[models.Model], instance: models.Model, **kwargs: Any) -> None:
    batch = _current.get()
    if batch is not None:
        batch.forget(sender, instance.pk)


def _forget_related(
    sender: Any, instance: models.Model, model: Any, pk_set: Any, **kwargs: Any
) -> None:
    batch = _current.get()
    if batch is not None:
        batch.forget(type(instance), instance.pk)
        for pk in pk_set or ():
            batch.forget(model, pk)


post_save.connect(_forget_saved, dispatch_uid="kontor.core.batch.saved", weak=False)
post_delete.connect(_forget_saved, dispatch_uid="kontor.core.batch.deleted", weak=False)
m2m_changed.connect(_forget_related, dispatch_uid="kontor.core.batch.related", weak=False)
