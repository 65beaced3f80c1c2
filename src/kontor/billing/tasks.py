"""Celery tasks: thin wrappers that take ids and call one service; safe to run twice."""

from __future__ import annotations

from celery import shared_task


@shared_task(acks_late=True, max_retries=3, default_retry_delay=10)
def process_billing_chunk(run_id: int, chunk_id: int) -> None:
    from kontor.billing.runs import billing_chunk_process

    billing_chunk_process(run_id=run_id, chunk_id=chunk_id)
