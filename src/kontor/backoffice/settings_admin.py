"""The provider's singletons (billing settings, seller profile): one row each (pk=1), shown to
all staff, edited by managers through one update service with optimistic locking."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db import models
from django.http import HttpRequest, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from kontor.backoffice.service_admin import ServiceChangeAdmin
from kontor.billing.models import BillingSettings, SellerProfile
from kontor.billing.services import (
    SELLER_PROFILE_FIELDS,
    SETTINGS_FIELDS,
    billing_settings_update,
    seller_profile_update,
)
from kontor.core.permissions import Action


class SingletonServiceAdmin(ServiceChangeAdmin):
    """One row, changed through its update service; never added or deleted here."""

    view_action = Action.CATALOG_VIEW
    change_action = Action.SETTINGS_MANAGE

    def has_add_permission(self, request: Any, *args: Any) -> bool:
        return False

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False


@admin.register(BillingSettings)
class BillingSettingsAdmin(SingletonServiceAdmin):
    fields = sorted(SETTINGS_FIELDS)
    service_fields = tuple(sorted(SETTINGS_FIELDS))

    def update(self, *, obj: Any, **kwargs: Any) -> models.Model:
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

    def update(self, *, obj: Any, **kwargs: Any) -> models.Model:
        return seller_profile_update(**kwargs)
