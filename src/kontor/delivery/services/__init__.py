"""Writes on deliveries. Scheduling (`schedule`), sending and the sweeper (`send`), signed
links (`links`) and the print queue (`post`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone

from kontor.core import clock
from kontor.delivery.outbox import held_invoices
from kontor.delivery.services.links import LinkDownload, delivery_link_open
from kontor.delivery.services.post import PrintBundle, print_bundle_create
from kontor.delivery.services.schedule import (
    deliveries_release_held,
    deliveries_schedule,
    delivery_add,
    delivery_outbox_process,
    delivery_start_record,
    planned_deliveries,
)
from kontor.delivery.services.send import (
    SendResult,
    backoff,
    deliveries_send_due,
    deliveries_sweep,
    delivery_retry,
)
from kontor.invoicing.collective import drafts_finalize_due


@dataclass(frozen=True)
class RunResult:
    scheduled: int
    requeued: int
    sent: SendResult
    finalized: int = 0  # drafts whose send date had come
    held: int = 0  # invoices not sent because they predate delivery (outbox.held_back)


def deliveries_run(now: datetime | None = None, *, limit: int = 500) -> RunResult:
    """One round of `kontor send-due` and the periodic task: schedule the invoices whose
    documents are ready, re-queue stuck deliveries, send what is due. Drafts whose send date
    has come are finalized first, so they go out the same round."""
    now = now or clock.now()
    finalized = drafts_finalize_due(today=timezone.localdate(now), limit=limit)
    scheduled = delivery_outbox_process(limit, today=timezone.localdate(now))
    requeued = deliveries_sweep(now)
    sent = deliveries_send_due(now, limit=limit)
    return RunResult(scheduled, len(requeued), sent, len(finalized), held_invoices().count())


__all__ = [
    "LinkDownload",
    "PrintBundle",
    "RunResult",
    "SendResult",
    "backoff",
    "deliveries_release_held",
    "deliveries_run",
    "deliveries_schedule",
    "deliveries_send_due",
    "deliveries_sweep",
    "delivery_add",
    "delivery_link_open",
    "delivery_outbox_process",
    "delivery_retry",
    "delivery_start_record",
    "planned_deliveries",
    "print_bundle_create",
]
