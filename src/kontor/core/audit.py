"""The business audit log: one entry per service call that changes something."""

from __future__ import annotations

from typing import Any

from django.db import models

from kontor.core.models import AuditEntry


def audit(actor: Any, action: str, target: models.Model, **data: Any) -> AuditEntry:
    user = actor if getattr(actor, "is_authenticated", False) else None
    return AuditEntry.objects.create(
        actor=user,
        action=action,
        target_type=target._meta.label_lower,
        target_id=str(target.pk),
        data=_jsonable(data),
    )


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if value is None or isinstance(value, bool | int | str):
        return value
    return str(value)
