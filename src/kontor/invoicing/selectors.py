"""Reads on invoices: staff see all, a customer only the finalized invoices of own accounts."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from kontor.core.errors import NotFound
from kontor.core.permissions import Action, is_staff_actor, require
from kontor.invoicing.models import Invoice, InvoiceStatus


def invoice_queryset(actor: Any) -> QuerySet[Invoice]:
    require(actor, Action.INVOICE_VIEW)
    qs = Invoice.objects.select_related("account", "series")
    if is_staff_actor(actor):
        return qs
    return qs.filter(account__owner=actor, status=InvoiceStatus.FINALIZED)


def invoice_for_actor(actor: Any, invoice_id: int) -> Invoice:
    try:
        return invoice_queryset(actor).get(pk=invoice_id)
    except (Invoice.DoesNotExist, ValueError) as exc:
        raise NotFound(_("Invoice %s does not exist.") % invoice_id) from exc


def invoice_list(
    actor: Any,
    *,
    account_id: int | None = None,
    status: str = "",
    kind: str = "",
    is_test: bool | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    search: str = "",
) -> QuerySet[Invoice]:
    """Invoices the actor may see, newest first; dates filter the invoice date, `search` the
    number and the customer number."""
    qs = invoice_queryset(actor)
    if account_id is not None:
        qs = qs.filter(account_id=account_id)
    if status:
        qs = qs.filter(status=status)
    if kind:
        qs = qs.filter(kind=kind)
    if is_test is not None:
        qs = qs.filter(is_test=is_test)
    if date_from:
        qs = qs.filter(issue_date__gte=date_from)
    if date_to:
        qs = qs.filter(issue_date__lte=date_to)
    if search:
        qs = qs.filter(Q(number__icontains=search) | Q(account__customer_number__icontains=search))
    return qs.order_by("-id")
