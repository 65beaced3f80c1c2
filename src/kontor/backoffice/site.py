"""The staff back office: Django's admin site, but access follows Kontor's roles.

Only users holding a staff role (manager, clerk, accountant; superusers count as manager) may
log in. Django's `is_staff` flag and per-model permissions play no part.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm
from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _

from kontor.core.permissions import is_staff_actor


class StaffRoleAuthenticationForm(AdminAuthenticationForm):
    """Accept a user only if they hold a staff role."""

    error_messages = {
        **AdminAuthenticationForm.error_messages,
        "invalid_login": _(
            "Please enter the user name and password of a staff account (manager, clerk or "
            "accountant). Both fields may be case-sensitive."
        ),
    }

    def confirm_login_allowed(self, user: Any) -> None:
        if not user.is_active or not is_staff_actor(user):
            raise forms.ValidationError(
                self.error_messages["invalid_login"],
                code="invalid_login",
                params={"username": self.username_field.verbose_name},
            )


class KontorAdminSite(admin.AdminSite):
    site_header = _("Kontor back office")
    site_title = _("Kontor")
    index_title = _("Overview")
    login_form = StaffRoleAuthenticationForm
    index_template = "backoffice/index.html"

    def has_permission(self, request: HttpRequest) -> bool:
        return is_staff_actor(request.user)

    def index(self, request: HttpRequest, extra_context: dict | None = None) -> TemplateResponse:
        from kontor.backoffice.views.dashboard import dashboard_context

        context = {**dashboard_context(request.user), **(extra_context or {})}
        return super().index(request, extra_context=context)

    def get_urls(self) -> list:
        from functools import partial

        from django.urls import path

        from kontor.backoffice.views.lifecycle import record_changelog_view

        changelog = self.admin_view(partial(record_changelog_view, self))
        return [
            path(
                "changelog/<str:model_label>/<str:object_id>/", changelog, name="kontor_changelog"
            ),
            *super().get_urls(),
        ]
