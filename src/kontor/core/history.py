"""The change log ("Änderungsprotokoll"): field-level changes of a record from its
django-simple-history rows, oldest first."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import models

from kontor.core.permissions import Action, require


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
