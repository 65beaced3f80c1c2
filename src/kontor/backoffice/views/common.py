"""Helpers shared by the back-office views."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib.admin import AdminSite
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.formats import date_format

from kontor.core.errors import NotFound
from kontor.core.errors import PermissionDenied as ServicePermissionDenied
from kontor.core.permissions import Action, can


def render_admin(
    request: HttpRequest, site: AdminSite, template: str, context: dict[str, Any]
) -> TemplateResponse:
    request.current_app = site.name
    return TemplateResponse(request, template, {**site.each_context(request), **context})


def deny_unless(actor: Any, action: Action) -> None:
    """403 before anything is parsed or written."""
    if not can(actor, action):
        raise PermissionDenied


def load_or_404(loader: Any, *args: Any) -> Any:
    try:
        return loader(*args)
    except NotFound as exc:
        raise Http404(str(exc)) from exc
    except ServicePermissionDenied as exc:
        raise PermissionDenied(str(exc)) from exc


def account_url(account_id: int) -> str:
    return reverse("admin:customers_account_change", args=[account_id])


def to_account(account_id: int) -> HttpResponseRedirect:
    return HttpResponseRedirect(account_url(account_id))


def short_date(day: date | None) -> str:
    return date_format(day, "SHORT_DATE_FORMAT") if day else "—"


def posted_date(form: Any, name: str) -> date | None:
    """The date posted in a field, or None (unbound form, empty or unparsable), for previews."""
    if not form.is_bound:
        return None
    try:
        return form.fields[name].clean(form[name].data)
    except Exception:  # noqa: BLE001 - an unparsable date just means "no preview"
        return None
