"""Registers every model the back office shows. Domain apps never import this package."""

from __future__ import annotations

from functools import partial
from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from kontor.backoffice import (
    billing_admin,  # noqa: F401 - registers the billing pages
    catalog_admin,  # noqa: F401 - registers the catalog pages
    collective_admin,  # noqa: F401 - registers collective invoice profiles
    customer_setup_admin,  # noqa: F401 - registers customer groups, branches, legal documents
    settings_admin,  # noqa: F401 - registers the settings pages
)
from kontor.backoffice.permissions import RoleAdminMixin
from kontor.backoffice.service_admin import ReadOnlyAdmin
from kontor.backoffice.views import account as account_views
from kontor.backoffice.views import (
    banking,
    booking,
    collective_account,
    lifecycle,
    party,
    subscriptions,
)
from kontor.contracts.models import Subscription
from kontor.contracts.selectors import subscription_queryset
from kontor.core.models import AuditEntry
from kontor.core.permissions import Action
from kontor.customers.models import Account, ContractPartyChangeRequest
from kontor.customers.selectors import account_queryset


@admin.register(Account)
class AccountAdmin(RoleAdminMixin, admin.ModelAdmin):
    view_action = Action.ACCOUNT_VIEW
    add_action = Action.ACCOUNT_CREATE
    change_action = Action.ACCOUNT_UPDATE
    delete_action = Action.ACCOUNT_DELETE
    actions = None
    list_display = ("customer_number", "party_name", "status", "group", "branch", "is_test")
    list_filter = ("status", "is_test", "group", "branch")
    search_fields = (
        "customer_number",
        "external_customer_number",
        "contract_party__company_name",
        "contract_party__last_name",
    )
    list_select_related = ("contract_party", "group", "branch")

    @admin.display(description=_("contract party"), ordering="contract_party__company_name")
    def party_name(self, obj: Account) -> str:
        return obj.contract_party.display_name

    def get_queryset(self, request: HttpRequest) -> Any:
        return account_queryset(request.user)

    def get_urls(self) -> list[Any]:
        def view(func: Any) -> Any:
            return self.admin_site.admin_view(partial(func, self.admin_site))

        routes = [
            ("recipients/", account_views.recipients_save, "recipients"),
            ("party-change/", party.party_change_request_view, "party_change"),
            ("bank-accounts/add/", banking.bank_account_add_view, "bank_account_add"),
            ("mandates/add/", banking.mandate_add_view, "mandate_add"),
            ("mandates/<int:mandate_id>/revoke/", banking.mandate_revoke_view, "mandate_revoke"),
            ("subscriptions/add/", booking.subscription_add_view, "subscription_add"),
            (
                "subscriptions/<int:subscription_id>/cancel/",
                subscriptions.subscription_cancel_view,
                "subscription_cancel",
            ),
            (
                "subscriptions/<int:subscription_id>/change-tariff/",
                subscriptions.subscription_change_tariff_view,
                "subscription_change_tariff",
            ),
            (
                "subscriptions/<int:subscription_id>/book-addon/",
                subscriptions.subscription_book_addon_view,
                "subscription_book_addon",
            ),
            ("bill-now/", collective_account.bill_now_view, "bill_now"),
            (
                "contracts/<int:contract_id>/invoices-in-advance/",
                collective_account.invoices_in_advance_view,
                "invoices_in_advance",
            ),
        ]
        custom = [
            path(f"<int:account_id>/{route}", view(func), name=f"customers_account_{name}")
            for route, func, name in routes
        ]
        return custom + super().get_urls()

    def add_view(self, request: HttpRequest, form_url: str = "", extra_context: Any = None) -> Any:
        return account_views.account_add(self.admin_site, request)

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: Any = None
    ) -> Any:
        return account_views.account_page(self.admin_site, request, object_id)

    def delete_view(self, request: HttpRequest, object_id: str, extra_context: Any = None) -> Any:
        return lifecycle.account_delete_view(self.admin_site, request, object_id)

    def history_view(self, request: HttpRequest, object_id: str, extra_context: Any = None) -> Any:
        return lifecycle.account_changelog_view(self.admin_site, request, object_id)


@admin.register(ContractPartyChangeRequest)
class ContractPartyChangeRequestAdmin(ReadOnlyAdmin):
    view_action = Action.ACCOUNT_VIEW
    list_display = ("id", "account", "status", "requested_by", "requested_at", "decided_by")
    list_filter = ("status",)
    list_select_related = ("account__contract_party", "requested_by", "decided_by")

    def get_urls(self) -> list[Any]:
        download = self.admin_site.admin_view(
            partial(party.evidence_download_view, self.admin_site)
        )
        return [
            path(
                "<int:request_id>/evidence/<int:evidence_id>/",
                download,
                name="customers_contractpartychangerequest_evidence",
            ),
            *super().get_urls(),
        ]

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: Any = None
    ) -> Any:
        return party.party_change_decide_view(self.admin_site, request, object_id)


@admin.register(Subscription)
class SubscriptionAdmin(ReadOnlyAdmin):
    view_action = Action.SUBSCRIPTION_VIEW
    list_display = ("id", "account_link", "tariff_version", "quantity", "start_date", "end_date")
    list_filter = ("end_reason", "module")
    search_fields = ("account__customer_number", "tariff_version__tariff__code")
    exclude = ("predecessor",)

    def get_queryset(self, request: HttpRequest) -> Any:
        return subscription_queryset(request.user)

    @admin.display(description=_("account"), ordering="account__customer_number")
    def account_link(self, obj: Subscription) -> str:
        url = reverse("admin:customers_account_change", args=[obj.account_id])
        return format_html('<a href="{}">{}</a>', url, obj.account.customer_number)


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    view_action = Action.HISTORY_VIEW
    list_display = ("created_at", "actor", "action", "target_type", "target_id")
    list_filter = ("action", "target_type")
    search_fields = ("target_id", "action")
