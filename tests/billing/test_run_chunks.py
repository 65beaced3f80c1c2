"""Chunks make a run resumable without double counting, and duplicate tasks harmless."""

from __future__ import annotations

from datetime import date

import pytest

from kontor.billing.models import BillingRun, BillingRunChunk, Charge
from kontor.billing.runs import (
    _plan_chunks,
    billing_chunk_process,
    billing_run_create,
    billing_run_execute,
)
from kontor.contracts.services import subscription_create
from kontor.invoicing.models import Invoice
from tests.builders import account, party, tariff

DAY = date(2026, 2, 1)


@pytest.fixture
def five_accounts(manager, settings):
    settings.KONTOR_BILLING_CHUNK_SIZE = 2
    version = tariff(manager, code="WEB", price="10.00", minimum=0, renewal=1)
    for n in range(5):
        acc = account(manager, party=party(company_name=f"Firma {n}"))
        subscription_create(
            actor=manager,
            account_id=acc.pk,
            tariff_version_id=version.pk,
            start_date=date(2026, 1, 1),
        )


def test_resume_bills_only_open_chunks_and_counts_each_account_once(manager, five_accounts):
    run = billing_run_create(actor=manager, as_of=DAY)
    run.status = "running"
    run.save()
    first, *rest = _plan_chunks(run)
    assert len(rest) == 2  # 5 accounts in chunks of 2
    billing_chunk_process(run_id=run.pk, chunk_id=first)  # then the process "dies"
    run = billing_run_execute(actor=manager, run_id=run.pk)
    assert (run.status, run.accounts_done, run.accounts_total) == ("done", 5, 5)
    assert (run.charges_created, run.invoices_created) == (10, 5)
    assert Invoice.objects.count() == 5
    assert BillingRunChunk.objects.filter(run=run, done_at__isnull=True).count() == 0


def test_a_duplicate_task_for_a_done_chunk_changes_nothing(manager, five_accounts):
    run = billing_run_execute(actor=manager, run_id=billing_run_create(actor=manager, as_of=DAY).pk)
    chunk = BillingRunChunk.objects.filter(run=run).first()
    billing_chunk_process(run_id=run.pk, chunk_id=chunk.pk)
    again = BillingRun.objects.get(pk=run.pk)
    assert (again.accounts_done, again.charges_created, again.invoices_created) == (5, 10, 5)
    assert Charge.objects.count() == 10
