"""Errors a user can meet: each carries a code, the field it concerns and a translated message.

Interfaces turn them into form errors, JSON (`{"code", "field", "message"}`) or CLI messages.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class FieldError:
    field: str | None
    code: str
    message: str

    def as_dict(self) -> dict[str, str | None]:
        return {"field": self.field, "code": self.code, "message": str(self.message)}


class KontorError(Exception):
    """Base of every business error. `status` is the HTTP status an API returns for it."""

    status = 400
    default_code = "invalid"

    def __init__(self, message: str, *, code: str | None = None, field: str | None = None):
        super().__init__(str(message))
        self.message = message
        self.code = code or self.default_code
        self.field = field

    @property
    def errors(self) -> list[FieldError]:
        return [FieldError(self.field, self.code, str(self.message))]

    def __str__(self) -> str:
        prefix = f"{self.field}: " if self.field else ""
        return f"{prefix}{self.message}"


class ValidationFailed(KontorError):
    """One or more fields are invalid; nothing was written."""

    status = 422
    default_code = "invalid"

    def __init__(self, errors: Iterable[FieldError]):
        self._errors = list(errors)
        first = self._errors[0] if self._errors else FieldError(None, "invalid", str(_("Invalid.")))
        super().__init__(first.message, code=first.code, field=first.field)

    @property
    def errors(self) -> list[FieldError]:
        return self._errors

    def __str__(self) -> str:
        return "; ".join(
            f"{e.field}: {e.message}" if e.field else str(e.message) for e in self._errors
        )


def invalid(field: str, message: str, code: str = "invalid") -> ValidationFailed:
    return ValidationFailed([FieldError(field, code, str(message))])


class PermissionDenied(KontorError):
    status = 403
    default_code = "permission_denied"


class NotFound(KontorError):
    status = 404
    default_code = "not_found"


class ConcurrentEdit(KontorError):
    """The record changed since the user loaded it (optimistic locking)."""

    status = 409
    default_code = "stale_version"


class Conflict(KontorError):
    """The action contradicts the state of the data (e.g. a second active mandate)."""

    status = 409
    default_code = "conflict"
