"""Customer groups, branches and legal documents (T&C / privacy versions): managers add, change
and delete them through the customers services; other staff read. A legal document that an
account accepted is shown read only (legal evidence)."""

from __future__ import annotations

from functools import partial
from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.admin import AdminSite
from django.db import models
from django.db.models import Count
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from kontor.backoffice.service_admin import (
    ServiceChangeAdmin,
    ServiceCreateAdmin,
    ServiceDeleteAdmin,
)
from kontor.backoffice.views.common import deny_unless, load_or_404
from kontor.core.permissions import Action
from kontor.customers.models import Branch, CustomerGroup, LegalDocument
from kontor.customers.selectors import legal_document_for_actor, legal_documents_list
from kontor.customers.services import (
    branch_create,
    branch_delete,
    branch_update,
    customer_group_create,
    customer_group_delete,
    customer_group_update,
    legal_document_create,
    legal_document_delete,
    legal_document_update,
)
from kontor.customers.services.legal import MAX_LEGAL_DOCUMENT_BYTES, legal_document_acceptances
from kontor.customers.types import UploadedDocument


class CustomerSetupAdmin(ServiceCreateAdmin, ServiceChangeAdmin, ServiceDeleteAdmin):
    view_action = Action.ACCOUNT_VIEW
    add_action = change_action = delete_action = Action.SETTINGS_MANAGE


def _pk(value: Any) -> Any:
    return value.pk if isinstance(value, models.Model) else value


@admin.register(CustomerGroup)
class CustomerGroupAdmin(CustomerSetupAdmin):
    """Name, description and the collective invoice profile (given through
    `customer_group_set_profile`, called by the customer group services)."""

    fields = service_fields = ("name", "description", "collective_profile")
    list_display = ("name", "profile_link", "account_count")
    list_select_related = ("collective_profile",)
    search_fields = ("name",)
    deleted_message = _("The customer group was deleted.")

    def get_queryset(self, request: HttpRequest) -> Any:
        return super().get_queryset(request).annotate(account_total=Count("accounts"))

    @admin.display(description=_("collective invoice profile"))
    def profile_link(self, group: CustomerGroup) -> str:
        profile = group.collective_profile
        if profile is None:
            return "—"
        url = reverse("admin:billing_collectiveprofile_change", args=[profile.pk])
        return format_html('<a href="{}">{}</a>', url, profile.name)

    @admin.display(description=_("accounts"), ordering="account_total")
    def account_count(self, group: Any) -> int:
        return group.account_total

    def create(self, actor: Any, data: dict[str, Any]) -> models.Model:
        return customer_group_create(
            actor=actor,
            name=data["name"],
            description=data.get("description", ""),
            collective_profile=_pk(data.get("collective_profile")),
        )

    def update(
        self, *, actor: Any, obj: Any, expected_version: int | None, changes: dict
    ) -> models.Model:
        if "collective_profile" in changes:
            changes = {**changes, "collective_profile": _pk(changes["collective_profile"])}
        return customer_group_update(
            actor=actor, group_id=obj.pk, expected_version=expected_version, changes=changes
        )

    def delete(self, actor: Any, pk: int) -> None:
        customer_group_delete(actor=actor, group_id=pk)


@admin.register(Branch)
class BranchAdmin(CustomerSetupAdmin):
    """The code can be changed only while no account, contract or invoice uses the branch."""

    fields = service_fields = ("code", "name")
    list_display = ("code", "name", "account_count")
    search_fields = ("code", "name")
    deleted_message = _("The branch was deleted.")

    def get_queryset(self, request: HttpRequest) -> Any:
        return super().get_queryset(request).annotate(account_total=Count("accounts"))

    @admin.display(description=_("accounts"), ordering="account_total")
    def account_count(self, branch: Any) -> int:
        return branch.account_total

    def create(self, actor: Any, data: dict[str, Any]) -> models.Model:
        return branch_create(actor=actor, code=data["code"], name=data["name"])

    def update(
        self, *, actor: Any, obj: Any, expected_version: int | None, changes: dict
    ) -> models.Model:
        return branch_update(
            actor=actor, branch_id=obj.pk, expected_version=expected_version, changes=changes
        )

    def delete(self, actor: Any, pk: int) -> None:
        branch_delete(actor=actor, branch_id=pk)


def _upload(value: Any) -> UploadedDocument | None:
    """A posted file for the service (None: no file or "clear" ticked). Read one byte past the
    limit, so that the service refuses a larger file without reading all of it."""
    if not value or not hasattr(value, "read"):
        return None
    return UploadedDocument(name=value.name, content=value.read(MAX_LEGAL_DOCUMENT_BYTES + 1))


@admin.register(LegalDocument)
class LegalDocumentAdmin(CustomerSetupAdmin):
    """Publish a version (PDF upload), correct or delete it while no account accepted it;
    afterwards it is read only. The file is downloaded through `legal_document_file_view`
    (media files are not served)."""

    versioned = False  # `version` is the document's label; there is no lock counter
    change_form_template = None
    service_fields = ("doc_type", "version", "valid_from", "file")
    readonly_fields = ("download", "sha256", "acceptances")
    list_display = ("__str__", "valid_from", "acceptances", "download")
    list_filter = ("doc_type",)
    formfield_overrides = {models.FileField: {"widget": forms.FileInput(attrs={"accept": ".pdf"})}}
    deleted_message = _("The legal document was deleted.")

    def get_queryset(self, request: HttpRequest) -> Any:
        return legal_documents_list(request.user)

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is None:
            return self.service_fields
        editable = ("file",) if self.has_change_permission(request, obj) else ()
        return ("doc_type", "version", "valid_from", *editable, *self.readonly_fields)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or not legal_document_acceptances(obj))

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        allowed = super().has_delete_permission(request, obj)
        return allowed and (obj is None or not legal_document_acceptances(obj))

    @admin.display(description=_("file"))
    def download(self, document: LegalDocument) -> str:
        if not document.file:
            return "—"
        url = reverse("admin:customers_legaldocument_file", args=[document.pk])
        return format_html('<a href="{}">{}</a>', url, _("Download"))

    @admin.display(description=_("accepted by"))
    def acceptances(self, document: LegalDocument) -> str:
        count = getattr(document, "acceptance_count", None)
        if count is None:
            count = legal_document_acceptances(document)
        if not count:
            return str(_("no account yet: it can still be corrected or deleted"))
        return str(_("%s account(s): read only (legal evidence)") % count)

    def get_urls(self) -> list[Any]:
        download = self.admin_site.admin_view(partial(legal_document_file_view, self.admin_site))
        return [
            path("<int:document_id>/file/", download, name="customers_legaldocument_file"),
            *super().get_urls(),
        ]

    def create(self, actor: Any, data: dict[str, Any]) -> models.Model:
        return legal_document_create(
            actor=actor,
            doc_type=data.get("doc_type"),
            version=data.get("version"),
            valid_from=data.get("valid_from"),
            file=_upload(data.get("file")),
        )

    def update(
        self, *, actor: Any, obj: Any, expected_version: int | None, changes: dict
    ) -> models.Model:
        if "file" in changes:
            changes = {**changes, "file": _upload(changes["file"])}
        return legal_document_update(actor=actor, document_id=obj.pk, changes=changes)

    def delete(self, actor: Any, pk: int) -> None:
        legal_document_delete(actor=actor, document_id=pk)


def legal_document_file_view(
    site: AdminSite, request: HttpRequest, document_id: int
) -> HttpResponse:
    deny_unless(request.user, Action.ACCOUNT_VIEW)
    document = load_or_404(legal_document_for_actor, request.user, document_id)
    if not document.file:
        raise Http404
    return FileResponse(document.file.open("rb"), as_attachment=True)
