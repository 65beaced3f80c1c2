"""The change log ("Änderungsprotokoll"): field-level changes of a record from its
django-simple-history rows, oldest first; and the `HistoricalRecords` the models declare it
with (simple-history's, whose rows a write batch inserts together)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import models
from django.utils import timezone
from simple_history import models as simple_history
from simple_history.signals import post_create_historical_record, pre_create_historical_record

from kontor.core import batch
from kontor.core.permissions import Action, require


class HistoricalRecords(simple_history.HistoricalRecords):
    """simple-history's HistoricalRecords. Inside a write batch (core/batch.py) a history row
    is built exactly as simple-history builds it, but collected and inserted with the batch's
    others instead of one INSERT (plus a history manager class built) per saved row. Models
    with tracked many-to-many fields, and history models with receivers of simple-history's
    create signals, keep the row-by-row path."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.history_models: dict[type[models.Model], type[models.Model]] = {}

    def create_history_model(self, model: Any, inherited: bool) -> Any:
        history_model = super().create_history_model(model, inherited)
        self.history_models[model] = history_model
        return history_model

    def create_historical_record(
        self, instance: models.Model, history_type: str, using: str | None = None
    ) -> None:
        current = batch.current()
        history_model = self.history_models.get(type(instance))
        if current is None or history_model is None or not self._batchable(history_model):
            super().create_historical_record(instance, history_type, using=using)
            return
        # The values simple-history's create_historical_record gives the history model, as
        # the row it would insert (no model instance: the batch inserts plain rows).
        user = self.get_history_user(instance)
        row = {
            field.attname: getattr(instance, field.attname)
            for field in self.fields_included(instance)
        }
        row.update(
            history_date=getattr(instance, "_history_date", timezone.now()),
            history_type=history_type,
            history_change_reason=self.get_change_reason_for_object(instance, history_type, using),
            history_user_id=None if user is None else user.pk,
        )
        current.add_history(history_model, row)

    def _batchable(self, history_model: type[models.Model]) -> bool:
        return not (
            self.m2m_fields
            or self.user_id_field is not None  # the default history_user foreign key only
            or self.use_base_model_db
            or hasattr(history_model, "history_relation")
            or not isinstance(history_model._meta.pk, models.AutoField)
            or pre_create_historical_record.has_listeners(history_model)
            or post_create_historical_record.has_listeners(history_model)
        )


@dataclass(frozen=True)
class FieldChange:
    at: datetime
    user: str
    record: str
    field: str
    old: str
    new: str
    reason: str


def record_changes(actor: Any, instance: models.Model) -> list[FieldChange]:
    """Every change of `instance`: creation shows each filled field as `'' → value`."""
    require(actor, Action.HISTORY_VIEW)
    history = list(instance.history.order_by("history_date", "history_id"))  # type: ignore[attr-defined]
    changes: list[FieldChange] = []
    previous = None
    for entry in history:
        user = entry.history_user.get_username() if entry.history_user else ""
        if previous is None:
            for field in _tracked_fields(entry):
                value = getattr(entry, field.attname)
                if value not in (None, ""):
                    changes.append(
                        FieldChange(
                            entry.history_date,
                            user,
                            str(instance),
                            field.verbose_name,
                            "",
                            _text(value),
                            entry.history_change_reason or "",
                        )
                    )
        else:
            delta = entry.diff_against(previous)
            for change in delta.changes:
                field = entry.instance_type._meta.get_field(change.field)
                changes.append(
                    FieldChange(
                        entry.history_date,
                        user,
                        str(instance),
                        str(field.verbose_name),
                        _text(change.old),
                        _text(change.new),
                        entry.history_change_reason or "",
                    )
                )
        previous = entry
    return changes


def _tracked_fields(entry: Any) -> list[Any]:
    return [f for f in entry.instance_type._meta.concrete_fields if f.name not in {"id", "version"}]


def _text(value: Any) -> str:
    return "" if value is None else str(value)
