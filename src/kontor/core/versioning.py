"""Optimistic locking helpers used by every service that edits a versioned record."""

from __future__ import annotations

from typing import TypeVar

from django.utils.translation import gettext as _

from kontor.core.errors import ConcurrentEdit, NotFound
from kontor.core.models import VersionedModel

M = TypeVar("M", bound=VersionedModel)


def lock_for_update(model: type[M], pk: object, expected_version: int | None) -> M:
    """Load a row under a row lock and refuse if it changed since the caller read it.

    `expected_version=None` skips the check (internal callers that just read the row).
    """
    try:
        obj = model.objects.select_for_update().get(pk=pk)  # type: ignore[attr-defined]
    except model.DoesNotExist as exc:  # type: ignore[attr-defined]
        raise NotFound(
            _("%(model)s %(pk)s does not exist.") % {"model": model._meta.verbose_name, "pk": pk}
        ) from exc
    if expected_version is not None and obj.version != expected_version:
        raise ConcurrentEdit(
            _(
                "This record was changed by someone else since you opened it "
                "(your version %(yours)s, now %(current)s). Reload it and apply your change again."
            )
            % {"yours": expected_version, "current": obj.version},
            field="version",
        )
    return obj


def bump(obj: VersionedModel) -> None:
    obj.version += 1
