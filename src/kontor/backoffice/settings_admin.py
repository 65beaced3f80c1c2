"""The provider's singletons (billing settings, seller profile): one row each (pk=1), shown to
all staff, edited by managers through one update service with optimistic locking."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.db import models, transaction
from django.http import HttpRequest, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from kontor.backoffice.errors import add_service_error
from kontor.backoffice.service_admin import ReadOnlyAdmin
from kontor.billing.models import BillingSettings, SellerProfile
from kontor.billing.services import (
    SELLER_PROFILE_FIELDS,
    SETTINGS_FIELDS,
    billing_settings_update,
    seller_profile_update,
)
from kontor.core.errors import KontorError
from kontor.core.permissions import Action


class SingletonServiceAdmin(ReadOnlyAdmin):
    """The change form calls `update` while it validates; its errors show on the fields."""

    view_action = Action.CATALOG_VIEW
    change_action = Action.SETTINGS_MANAGE
    change_form_template = "backoffice/singleton_change_form.html"
    service_fields: tuple[str, ...] = ()

    def update(self, *, actor: Any, expected_version: int | None, changes: dict) -> models.Model:
        raise NotImplementedError

    def get_form(self, request: Any, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        form_class = super().get_form(request, obj, change=change, **kwargs)
        model_admin, actor = self, request.user

        class SingletonForm(form_class):  # type: ignore[misc, valid-type]
            version = forms.IntegerField(widget=forms.HiddenInput, required=False)

            def __init__(self, *args: Any, **kw: Any) -> None:
                super().__init__(*args, **kw)
                self.fields["version"].initial = self.instance.version

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
                            expected_version=self.cleaned_data.get("version"),
                            changes=changes,
                        )
                except KontorError as exc:
                    add_service_error(self, exc)

        return SingletonForm

    def save_model(self, request: Any, obj: Any, form: Any, change: bool) -> None:
        """The service saved it already."""

    def has_add_permission(self, request: Any, *args: Any) -> bool:
        return False

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False


@admin.register(BillingSettings)
class BillingSettingsAdmin(SingletonServiceAdmin):
    fields = sorted(SETTINGS_FIELDS)
    service_fields = tuple(sorted(SETTINGS_FIELDS))

    def update(self, **kwargs: Any) -> models.Model:
        return billing_settings_update(**kwargs)


@admin.register(SellerProfile)
class SellerProfileAdmin(SingletonServiceAdmin):
    """Opens straight on the one row; before the first save it shows the defaults."""

    service_fields = SELLER_PROFILE_FIELDS
    fieldsets = (
        (_("Company"), {"fields": ("name", "street", "postal_code", "city", "country")}),
        (_("Contact"), {"fields": ("email", "phone")}),
        (
            _("Tax and register"),
            {"fields": ("vat_id", "tax_number", "register", "managing_directors")},
        ),
        (_("Bank and SEPA"), {"fields": ("bank_name", "iban", "bic", "creditor_id")}),
    )

    def changelist_view(self, request: HttpRequest, extra_context: Any = None) -> Any:
        return HttpResponseRedirect(reverse("admin:billing_sellerprofile_change", args=[1]))

    def get_object(self, request: HttpRequest, object_id: str, from_field: Any = None) -> Any:
        if str(object_id) != "1":
            return None
        return SellerProfile.objects.filter(pk=1).first() or SellerProfile(pk=1)

    def update(self, **kwargs: Any) -> models.Model:
        return seller_profile_update(**kwargs)
