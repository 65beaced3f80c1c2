"""Reads on billing runs and charges: staff only (billing_run.view)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from kontor.billing.models import BillingRun, BillingRunEntry, Charge
from kontor.core.errors import NotFound
from kontor.core.permissions import Action, require


def billing_run_list(actor: Any) -> QuerySet[BillingRun]:
    require(actor, Action.BILLING_RUN_VIEW)
    return BillingRun.objects.select_related("created_by").order_by("-id")


def billing_run_for_actor(actor: Any, run_id: int) -> BillingRun:
    try:
        return billing_run_list(actor).get(pk=run_id)
    except (BillingRun.DoesNotExist, ValueError) as exc:
        raise NotFound(_("Billing run %s does not exist.") % run_id) from exc


def billing_run_entries(actor: Any, run_id: int) -> QuerySet[BillingRunEntry]:
    """The failed and refused accounts of a run, with their customer numbers."""
    run = billing_run_for_actor(actor, run_id)
    return run.entries.select_related("account").order_by("kind", "account__customer_number")


def charge_list(
    actor: Any, *, account_id: int | None = None, pending: bool | None = None
) -> QuerySet[Charge]:
    """Charges, newest first; `pending=True`: not invoiced yet."""
    require(actor, Action.BILLING_RUN_VIEW)
    qs = Charge.objects.select_related("account", "invoice_line__invoice").order_by("-id")
    if account_id is not None:
        qs = qs.filter(account_id=account_id)
    if pending is not None:
        qs = qs.filter(invoice_line__isnull=pending)
    return qs
