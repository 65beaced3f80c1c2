"""Collecting every problem of an import file, each under the JSON path of the item it
concerns (`accounts[3].bank_accounts[0].iban`)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from types import TracebackType
from typing import Any

from django.utils.translation import gettext as _
from pydantic import ValidationError

from kontor.core.errors import FieldError, KontorError, ValidationFailed, invalid


def json_path(loc: Iterable[str | int]) -> str:
    path = ""
    for part in loc:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    return path


def resolved(registry: Mapping[str, Any], key: str) -> Any:
    """The id (or row) of a key the checks accepted. None means the item declaring it failed
    to write; that error is reported there, and this item fails with a pointer to it."""
    found = registry.get(key)
    if found is None:
        raise invalid(
            "", _("%s could not be created; see the error reported for it.") % key, "not_created"
        )
    return found


class ImportRejected(ValidationFailed):
    """The file has problems; nothing was written. `errors` name JSON paths."""


class Problems:
    """`strict`: a guard lets a service's refusal through instead of recording it (for a
    caller that undoes the whole item and writes it again without `strict`)."""

    def __init__(self, *, strict: bool = False) -> None:
        self.errors: list[FieldError] = []
        self.strict = strict

    def __bool__(self) -> bool:
        return bool(self.errors)

    def add(self, path: str, code: str, message: str) -> None:
        self.errors.append(FieldError(path, code, str(message)))

    def add_failed(
        self, exc: KontorError, base: str, renames: Mapping[str, str] | None = None
    ) -> None:
        """Record a service's error under `base`; `renames` maps the service's field names to
        the names in the file (`billing_name` → `billing_address.name`)."""
        for error in exc.errors:
            name = error.field or ""
            head, dot, rest = name.partition(".")
            head, bracket, index = head.partition("[")
            renamed = (renames or {}).get(head, head) + bracket + index + dot + rest
            path = f"{base}.{renamed}" if renamed else base
            self.add(path, error.code, error.message)

    def add_pydantic(self, exc: ValidationError, prefix: tuple[str | int, ...] = ()) -> None:
        for error in exc.errors(include_url=False):
            message = error["msg"]
            if error["type"] == "extra_forbidden":
                message = _("Unknown field (not part of the format kontor/v1).")
            self.add(json_path((*prefix, *error["loc"])), error["type"], message)

    def guard(self, base: str, renames: Mapping[str, str] | None = None) -> Guard:
        return Guard(self, base, renames)


class Guard:
    """Record a business error of one item under the item's path and swallow it, so the import
    goes on and reports every problem; the caller rolls the whole import back at the end.

    No savepoint of its own: every service runs in its own `transaction.atomic`, which rolls
    the service's partial writes back before its error arrives here, so the transaction stays
    usable (also on PostgreSQL). Anything other than a KontorError propagates.
    """

    def __init__(self, problems: Problems, base: str, renames: Mapping[str, str] | None) -> None:
        self.problems, self.base, self.renames = problems, base, renames
        self.ok = False

    def __enter__(self) -> Guard:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> bool:
        if exc is None:
            self.ok = True
            return False
        if isinstance(exc, KontorError) and not self.problems.strict:
            self.problems.add_failed(exc, self.base, self.renames)
            return True
        return False
