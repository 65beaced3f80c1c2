"""Collective invoice profiles (Billing settings) and customer groups: managers create, change
and delete profiles and give a group its profile through the billing services; other staff
read."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import Http404, HttpRequest, HttpResponseRedirect
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kontor.backoffice.service_admin import ServiceChangeAdmin, ServiceCreateAdmin
from kontor.billing.collective import (
    PROFILE_FIELDS,
    collective_profile_create,
    collective_profile_delete,
    collective_profile_update,
    customer_group_set_profile,
)
from kontor.billing.models import CollectiveProfile
from kontor.core.errors import KontorError, NotFound
from kontor.core.permissions import Action
from kontor.customers.models import CustomerGroup


@admin.register(CollectiveProfile)
class CollectiveProfileAdmin(ServiceCreateAdmin, ServiceChangeAdmin):
    """Add through `collective_profile_create`, change through `collective_profile_update`
    (with the version the user opened), delete through `collective_profile_delete`."""

    view_action = Action.BILLING_RUN_VIEW
    add_action = change_action = delete_action = Action.SETTINGS_MANAGE
    service_fields = PROFILE_FIELDS
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

    def delete_view(self, request: HttpRequest, object_id: str, extra_context: Any = None) -> Any:
        """The confirmation page is Django's (it lists the groups that keep the profile);
        confirming calls the service, whose refusal comes back as a message."""
        if request.method != "POST":
            return super().delete_view(request, object_id, extra_context)
        if not self.has_delete_permission(request):
            raise PermissionDenied
        try:
            profile_id = int(object_id)
            collective_profile_delete(actor=request.user, profile_id=profile_id)
        except (ValueError, NotFound) as exc:
            raise Http404(str(exc)) from exc
        except KontorError as exc:
            messages.error(request, _("Not deleted: %s") % exc.message)
            url = reverse("admin:billing_collectiveprofile_change", args=[profile_id])
            return HttpResponseRedirect(url)
        messages.success(request, _("The collective invoice profile was deleted."))
        return HttpResponseRedirect(reverse("admin:billing_collectiveprofile_changelist"))


@admin.register(CustomerGroup)
class CustomerGroupAdmin(ServiceChangeAdmin):
    """Groups are read only, except their collective invoice profile (managers)."""

    view_action = Action.ACCOUNT_VIEW
    change_action = Action.SETTINGS_MANAGE
    fields = ("name", "description", "collective_profile")
    readonly_fields = ("name", "description")
    service_fields = ("collective_profile",)
    list_display = ("name", "profile_link")
    list_select_related = ("collective_profile",)

    @admin.display(description=gettext_lazy("collective invoice profile"))
    def profile_link(self, group: CustomerGroup) -> str:
        profile = group.collective_profile
        if profile is None:
            return "—"
        url = reverse("admin:billing_collectiveprofile_change", args=[profile.pk])
        return format_html('<a href="{}">{}</a>', url, profile.name)

    def update(
        self, *, actor: Any, obj: Any, expected_version: int | None, changes: dict
    ) -> models.Model:
        profile = changes["collective_profile"]
        return customer_group_set_profile(
            actor=actor, group_id=obj.pk, profile_id=profile.pk if profile else None
        )
