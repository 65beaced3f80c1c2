"""Celery tasks: thin wrappers that call one service; safe to run twice and at once."""

from __future__ import annotations

from celery import shared_task


@shared_task(acks_late=True)
def send_due_deliveries(limit: int = 500) -> dict[str, int]:
    """Periodic: schedule invoices whose documents are ready, re-queue stuck deliveries,
    send what is due. Returns the counts."""
    from kontor.delivery.services import deliveries_run

    result = deliveries_run(limit=limit)
    return {
        "finalized": result.finalized,
        "scheduled": result.scheduled,
        "requeued": result.requeued,
        "sent": len(result.sent.sent),
        "retrying": len(result.sent.retrying),
        "failed": len(result.sent.failed),
        "held": result.held,
    }
