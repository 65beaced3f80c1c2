"""The business audit log: one entry per service call that changes something. Inside a write
batch (core/batch.py) the entries are collected and inserted together, each with the time of
its call."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils import timezone

from kontor.core import batch
from kontor.core.models import AuditEntry


def audit(actor: Any, action: str, target: models.Model, **data: Any) -> None:
    user = actor if getattr(actor, "is_authenticated", False) else None
    row = {
        "actor_id": user.pk if user is not None else None,
        "action": action,
        "target_type": target._meta.label_lower,
        "target_id": str(target.pk),
        "data": _jsonable(data),
    }
    current = batch.current()
    if current is not None:
        current.add_audit({"created_at": timezone.now(), **row})
        return
    AuditEntry.objects.create(**row)


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if value is None or isinstance(value, bool | int | str):
        return value
    return str(value)
