"""Back-office pages for billing: runs, invoices and credit notes, charges.

Lists are Django admin change lists over the billing selectors; every page that writes is a
workflow view (views/runs.py, views/invoices.py, views/charges.py) calling one service.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from kontor.backoffice.permissions import RoleAdminMixin
from kontor.backoffice.views import charges as charge_views
from kontor.backoffice.views import collective as collective_views
from kontor.backoffice.views import deliveries as delivery_views
from kontor.backoffice.views import documents as document_views
from kontor.backoffice.views import invoices as invoice_views
from kontor.backoffice.views import runs as run_views
from kontor.backoffice.views.common import load_or_404
from kontor.billing.models import BillingRun, Charge
from kontor.billing.selectors import billing_run_list, charge_list
from kontor.core.permissions import Action, can
from kontor.customers.selectors import account_for_actor
from kontor.invoicing.models import Invoice
from kontor.invoicing.selectors import invoice_queryset


class BillingPagesAdmin(RoleAdminMixin, admin.ModelAdmin):
    actions = None

    def routes(self) -> list[tuple[str, Any, str]]:
        return []

    def get_urls(self) -> list[Any]:
        info = f"{self.opts.app_label}_{self.opts.model_name}"
        custom = [
            path(
                route,
                self.admin_site.admin_view(partial(func, self.admin_site)),
                name=f"{info}_{name}",
            )
            for route, func, name in self.routes()
        ]
        return custom + super().get_urls()

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # changes happen on the workflow pages, never through admin forms


def _account_link(account: Any) -> str:
    url = reverse("admin:customers_account_change", args=[account.pk])
    return format_html('<a href="{}">{}</a>', url, account.customer_number)


@admin.register(BillingRun)
class BillingRunAdmin(BillingPagesAdmin):
    view_action = Action.BILLING_RUN_VIEW
    add_action = Action.BILLING_RUN_START
    list_display = (
        "id",
        "as_of",
        "status",
        "dry_run",
        "finalize",
        "progress",
        "counts",
        "created_by",
    )
    list_filter = ("status", "dry_run")
    list_display_links = ("id", "as_of")

    def get_queryset(self, request: HttpRequest) -> Any:
        return billing_run_list(request.user)

    def routes(self) -> list[tuple[str, Any, str]]:
        return [("<int:run_id>/execute/", run_views.run_execute_view, "execute")]

    @admin.display(description=_("progress"))
    def progress(self, run: BillingRun) -> str:
        return f"{run.accounts_done}/{run.accounts_total}"

    @admin.display(description=_("charges / invoices / finalized"))
    def counts(self, run: BillingRun) -> str:
        return f"{run.charges_created} / {run.invoices_created} / {run.invoices_finalized}"

    def add_view(self, request: HttpRequest, form_url: str = "", extra_context: Any = None) -> Any:
        return run_views.run_new_view(self.admin_site, request)

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: Any = None
    ) -> Any:
        return run_views.run_detail_view(self.admin_site, request, object_id)


@admin.register(Invoice)
class InvoiceAdmin(BillingPagesAdmin):
    view_action = Action.INVOICE_VIEW
    list_display = (
        "__str__",
        "kind",
        "status",
        "customer",
        "issue_date",
        "period_start",
        "gross_total",
        "is_test",
    )
    list_filter = ("status", "kind", "is_test")
    search_fields = ("number", "account__customer_number")
    list_select_related = ("account",)
    change_list_template = "backoffice/billing/invoice_list.html"

    def get_queryset(self, request: HttpRequest) -> Any:
        return invoice_queryset(request.user)

    def routes(self) -> list[tuple[str, Any, str]]:
        return [
            ("<int:invoice_id>/finalize/", invoice_views.invoice_finalize_view, "finalize"),
            ("<int:invoice_id>/delete-draft/", invoice_views.invoice_delete_view, "delete_draft"),
            ("<int:invoice_id>/credit-note/", invoice_views.credit_note_view, "credit_note"),
            ("collective/", collective_views.collective_invoices_view, "collective"),
            ("collective/combine/", collective_views.combine_view, "combine"),
            ("<int:invoice_id>/send-date/", collective_views.send_date_view, "send_date"),
            *document_views.ROUTES,
            *delivery_views.ROUTES,
        ]

    @admin.display(description=_("customer number"), ordering="account__customer_number")
    def customer(self, invoice: Invoice) -> str:
        return _account_link(invoice.account)

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: Any = None
    ) -> Any:
        return invoice_views.invoice_detail_view(self.admin_site, request, object_id)


@admin.register(Charge)
class ChargeAdmin(BillingPagesAdmin):
    view_action = Action.BILLING_RUN_VIEW
    list_display = (
        "id",
        "customer",
        "kind",
        "description",
        "period_start",
        "period_end",
        "amount",
        "invoice",
    )
    list_filter = ("kind",)
    search_fields = ("account__customer_number", "description")
    change_list_template = "backoffice/billing/charge_list.html"

    def get_queryset(self, request: HttpRequest) -> Any:
        return charge_list(request.user)

    def routes(self) -> list[tuple[str, Any, str]]:
        return [
            ("account/<int:account_id>/add/", charge_views.charge_add_view, "account_add"),
            (
                "account/<int:account_id>/invoice-now/",
                charge_views.invoice_now_view,
                "account_invoice_now",
            ),
        ]

    @admin.display(description=_("customer number"), ordering="account__customer_number")
    def customer(self, charge: Charge) -> str:
        return _account_link(charge.account)

    @admin.display(description=_("invoice"))
    def invoice(self, charge: Charge) -> str:
        line = getattr(charge, "invoice_line", None)
        if line is None:
            return str(_("pending"))
        url = reverse("admin:invoicing_invoice_change", args=[line.invoice_id])
        return format_html('<a href="{}">{}</a>', url, line.invoice)

    def changelist_view(self, request: HttpRequest, extra_context: Any = None) -> Any:
        """Filtered to one account (?account__id__exact=…), the page offers that account's
        "add one-off charge" and "invoice now"."""
        context = dict(extra_context or {})
        account_id = request.GET.get("account__id__exact", "")
        if account_id.isdigit():
            actor = request.user
            context["kontor_account"] = load_or_404(account_for_actor, actor, int(account_id))
            context["may_add_charge"] = can(actor, Action.CHARGE_CREATE)
            context["may_invoice_now"] = can(actor, Action.INVOICE_EDIT_DRAFT)
        return super().changelist_view(request, extra_context=context)
