"""Reads on deliveries. Failed deliveries and the delivery log are staff matters; the
deliveries of an invoice follow the visibility of the invoice."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from kontor.core import clock
from kontor.core.errors import PermissionDenied
from kontor.core.permissions import Action, is_staff_actor, require
from kontor.delivery.models import (
    Delivery,
    DeliveryEvent,
    DeliveryEventKind,
    DeliverySchedule,
    DeliveryStatus,
)
from kontor.delivery.outbox import held_invoices
from kontor.invoicing.models import Invoice
from kontor.invoicing.selectors import invoice_for_actor


def _require_staff(actor: Any) -> None:
    require(actor, Action.INVOICE_VIEW)
    if not is_staff_actor(actor):
        raise PermissionDenied(_("Only staff see the delivery log."))


def deliveries_failed(actor: Any) -> QuerySet[Delivery]:
    """Deliveries that gave up (rejected for good, or out of attempts), newest first: for the
    dashboard. `permanent` tells a rejection (5xx, invalid address) from a long outage."""
    _require_staff(actor)
    return (
        Delivery.objects.filter(status=DeliveryStatus.FAILED)
        .select_related("invoice__account")
        .order_by("-pk")
    )


def postage_not_charged(actor: Any, *, days: int = 30) -> QuerySet[DeliveryEvent]:
    """Printed invoices whose postal surcharge could not be charged (e.g. the account was
    deleted before the print run) in the last `days` days, newest first: for the dashboard,
    so the postage can be billed another way or written off knowingly."""
    _require_staff(actor)
    return (
        DeliveryEvent.objects.filter(
            kind=DeliveryEventKind.SURCHARGE_FAILED, at__gte=clock.now() - timedelta(days=days)
        )
        .select_related("delivery__invoice__account")
        .order_by("-at", "-pk")
    )


def invoices_without_delivery(actor: Any) -> QuerySet[DeliverySchedule]:
    """Invoices scheduled with no channel at all (no invoice e-mail, not by post)."""
    _require_staff(actor)
    return (
        DeliverySchedule.objects.filter(deliveries=0)
        .select_related("invoice__account")
        .order_by("-scheduled_at")
    )


def invoices_held(actor: Any) -> QuerySet[Invoice]:
    """Finalized invoices not sent because they were finalized and due before delivery
    started (see `kontor.delivery.outbox`), oldest first; staff may release them."""
    _require_staff(actor)
    return held_invoices().select_related("account").order_by("pk")


def invoice_deliveries(actor: Any, invoice_id: int) -> QuerySet[Delivery]:
    invoice = invoice_for_actor(actor, invoice_id)
    return Delivery.objects.filter(invoice=invoice).order_by("channel", "recipient")


def invoice_delivery_log(actor: Any, invoice_id: int) -> QuerySet[DeliveryEvent]:
    """Every event of every delivery of the invoice, in order: sent (to whom, Message-ID),
    every failure, re-queues, downloads (time and IP), printing."""
    _require_staff(actor)
    invoice = invoice_for_actor(actor, invoice_id)
    return (
        DeliveryEvent.objects.filter(delivery__invoice=invoice)
        .select_related("delivery")
        .order_by("at", "pk")
    )
