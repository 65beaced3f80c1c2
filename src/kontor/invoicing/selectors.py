"""Reads on invoices: staff see all, a customer only the finalized invoices of own accounts."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
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
