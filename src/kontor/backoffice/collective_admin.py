"""Collective invoice profiles (Billing settings): managers create, change and delete them
through the billing services; other staff read. A group's profile is chosen on the customer
group page (customer_setup_admin.py)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db import models
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html_join
from django.utils.translation import gettext_lazy

from kontor.backoffice.service_admin import (
    ServiceChangeAdmin,
    ServiceCreateAdmin,
    ServiceDeleteAdmin,
)
from kontor.billing.collective import (
    PROFILE_FIELDS,
    collective_profile_create,
    collective_profile_delete,
    collective_profile_update,
)
from kontor.billing.models import CollectiveProfile
from kontor.core.permissions import Action


@admin.register(CollectiveProfile)
class CollectiveProfileAdmin(ServiceCreateAdmin, ServiceChangeAdmin, ServiceDeleteAdmin):
    """Add through `collective_profile_create`, change through `collective_profile_update`
    (with the version the user opened), delete through `collective_profile_delete`."""

    view_action = Action.BILLING_RUN_VIEW
    add_action = change_action = delete_action = Action.SETTINGS_MANAGE
    service_fields = PROFILE_FIELDS
    deleted_message = gettext_lazy("The collective invoice profile was deleted.")
    readonly_fields = ("groups_in_use",)
    list_display = (
        "name",
        "interval",
        "billing_day",
        "spending_limit",
        "payment_term_days",
        "groups_in_use",
    )

    def get_queryset(self, request: HttpRequest) -> Any:
        return super().get_queryset(request).prefetch_related("groups")

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return PROFILE_FIELDS if obj is None else (*PROFILE_FIELDS, "groups_in_use")

    @admin.display(description=gettext_lazy("billing date"))
    def billing_day(self, profile: CollectiveProfile) -> str:
        if profile.month_of_year:
            return f"{profile.day_of_month:02d}.{profile.month_of_year:02d}."
        return f"{profile.day_of_month:02d}."

    @admin.display(description=gettext_lazy("customer groups using it"))
    def groups_in_use(self, profile: CollectiveProfile) -> str:
        groups = list(profile.groups.all())
        if not groups:
            return "—"
        return format_html_join(
            ", ",
            '<a href="{}">{}</a>',
            (
                (reverse("admin:customers_customergroup_change", args=[g.pk]), g.name)
                for g in groups
            ),
        )

    def create(self, actor: Any, data: dict[str, Any]) -> models.Model:
        return collective_profile_create(
            actor=actor, data={name: data.get(name) for name in PROFILE_FIELDS}
        )

    def update(
        self, *, actor: Any, obj: Any, expected_version: int | None, changes: dict
    ) -> models.Model:
        return collective_profile_update(
            actor=actor, profile_id=obj.pk, expected_version=expected_version, changes=changes
        )

    def delete(self, actor: Any, pk: int) -> None:
        collective_profile_delete(actor=actor, profile_id=pk)
