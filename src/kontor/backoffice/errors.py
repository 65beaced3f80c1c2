"""Turn service errors (KontorError, ValidationFailed) into form errors."""

from __future__ import annotations

import re

from django import forms

from kontor.core.errors import KontorError

_INDEX = re.compile(r"\[\d+\]")


def form_field_for(form: forms.BaseForm, service_field: str | None) -> str | None:
    """The form field a service error names: `vat_id`, `proposed.city` → `city`,
    `evidence[0]` → `evidence`; None (a non-field error) when the form has no such field."""
    if not service_field:
        return None
    candidates = [service_field, _INDEX.sub("", service_field)]
    if "." in service_field:
        tail = service_field.rsplit(".", 1)[1]
        candidates += [tail, _INDEX.sub("", tail)]
    for name in candidates:
        if name in form.fields:
            return name
    return None


def add_service_error(form: forms.BaseForm, exc: KontorError) -> None:
    for error in exc.errors:
        field = form_field_for(form, error.field)
        if field is not None and _shows_errors(form.fields[field]):
            form.add_error(field, str(error.message))
        else:
            form.add_error(None, str(error.message))


def _shows_errors(field: forms.Field) -> bool:
    """Disabled and hidden fields (e.g. `version`) show no errors: those go on top."""
    return not field.disabled and not field.widget.is_hidden
