"""ModelAdmins whose add form creates, whose change form updates, or whose delete confirmation
deletes the record through a service (the catalog, the settings, collective invoice profiles,
customer groups, branches, legal documents).

The service is called while the form validates, inside a savepoint of the admin view's
transaction, so that its errors show on the form like any validation error. Records without
an update service are read-only after creation.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.http import Http404, HttpRequest, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _

from kontor.backoffice.errors import add_service_error
from kontor.backoffice.permissions import RoleAdminMixin
from kontor.core.errors import KontorError, NotFound


class ServiceCreateAdmin(RoleAdminMixin, admin.ModelAdmin):
    actions = None

    def create(self, actor: Any, data: dict[str, Any]) -> models.Model:
        raise NotImplementedError

    def get_form(
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any
    ) -> Any:
        form_class = super().get_form(request, obj, change=change, **kwargs)
        if change:
            return form_class
        model_admin, actor = self, request.user

        class ServiceForm(form_class):  # type: ignore[misc, valid-type]
            created: models.Model | None = None

            def _post_clean(self) -> None:
                if self._errors:
                    return
                try:
                    with transaction.atomic():
                        self.created = model_admin.create(actor, self.cleaned_data)
                except KontorError as exc:
                    add_service_error(self, exc)

        return ServiceForm

    def save_form(self, request: HttpRequest, form: Any, change: bool) -> Any:
        return form.created if not change else form.instance

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        """The service saved it already."""

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        """The service saved it already."""

    def history_view(self, request: HttpRequest, object_id: str, extra_context: Any = None) -> Any:
        from kontor.backoffice.views.lifecycle import record_changelog_view

        return record_changelog_view(self.admin_site, request, self.opts.label_lower, object_id)


class ReadOnlyAdmin(RoleAdminMixin, admin.ModelAdmin):
    """Records the back office shows but does not write (no service for it yet)."""

    actions = None

    def history_view(self, request: HttpRequest, object_id: str, extra_context: Any = None) -> Any:
        from kontor.backoffice.views.lifecycle import CHANGELOG_MODELS, record_changelog_view

        if self.opts.label_lower not in CHANGELOG_MODELS:
            return super().history_view(request, object_id, extra_context)
        return record_changelog_view(self.admin_site, request, self.opts.label_lower, object_id)


class ServiceChangeAdmin(ReadOnlyAdmin):
    """The change form calls `update` while it validates, with the version the user opened
    (a hidden field; the service refuses a stale save); its errors show on the fields.
    `versioned = False` for models without optimistic locking (no hidden field)."""

    change_form_template = "backoffice/singleton_change_form.html"
    service_fields: tuple[str, ...] = ()
    versioned = True

    def update(
        self, *, actor: Any, obj: Any, expected_version: int | None, changes: dict
    ) -> models.Model:
        raise NotImplementedError

    def get_form(
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any
    ) -> Any:
        form_class = super().get_form(request, obj, change=change, **kwargs)
        if not change:
            return form_class
        model_admin, actor = self, request.user

        class ServiceChangeForm(form_class):  # type: ignore[misc, valid-type]
            def __init__(self, *args: Any, **kw: Any) -> None:
                super().__init__(*args, **kw)
                if model_admin.versioned:
                    self.fields["version"] = forms.IntegerField(
                        widget=forms.HiddenInput,
                        required=False,
                        initial=getattr(self.instance, "version", None),
                    )

            def _post_clean(self) -> None:
                if self._errors or not self.has_changed():
                    return
                changes = {
                    name: self.cleaned_data[name]
                    for name in model_admin.service_fields
                    if name in self.changed_data
                }
                try:
                    with transaction.atomic():
                        self.instance = model_admin.update(
                            actor=actor,
                            obj=self.instance,
                            expected_version=(
                                self.cleaned_data.get("version") if model_admin.versioned else None
                            ),
                            changes=changes,
                        )
                except KontorError as exc:
                    add_service_error(self, exc)

        return ServiceChangeForm

    def save_model(self, request: Any, obj: Any, form: Any, change: bool) -> None:
        """The service saved it already."""


class ServiceDeleteAdmin(ReadOnlyAdmin):
    """The confirmation page is Django's (it lists what would block the delete); confirming
    calls `delete`, and a refusal of the service comes back as a message on the record."""

    deleted_message = ""

    def delete(self, actor: Any, pk: int) -> None:
        raise NotImplementedError

    def delete_view(self, request: HttpRequest, object_id: str, extra_context: Any = None) -> Any:
        if request.method != "POST":
            return super().delete_view(request, object_id, extra_context)
        obj = self.get_object(request, object_id)
        if obj is None:
            raise Http404
        if not self.has_delete_permission(request, obj):
            raise PermissionDenied
        pk = obj.pk
        try:
            self.delete(request.user, pk)
        except NotFound as exc:
            raise Http404(str(exc)) from exc
        except KontorError as exc:
            messages.error(request, _("Not deleted: %s") % exc.message)
            url = reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_change", args=[pk])
            return HttpResponseRedirect(url)
        messages.success(request, self.deleted_message)
        url = reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_changelist")
        return HttpResponseRedirect(url)
