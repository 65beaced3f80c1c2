"""A billing run is idempotent and resumable: running the same date twice bills nothing the
second time, and a run killed in the middle and started again bills exactly what an
uninterrupted run bills."""

from __future__ import annotations

import signal
import subprocess
import time
from datetime import date

import pytest
from django.db import connection

from kontor.billing.models import BillingRun, Charge, RunStatus
from kontor.billing.runs import billing_run_create, billing_run_execute
from kontor.invoicing.models import Invoice

AS_OF = date(2026, 1, 15)
CHILD_APP = "kontor-robustness-run"


def run_billing(actor, as_of: date = AS_OF) -> BillingRun:
    run = billing_run_create(actor=actor, as_of=as_of)
    return billing_run_execute(actor=actor, run_id=run.pk)


@pytest.mark.django_db
def test_billing_the_same_date_twice_creates_nothing_the_second_time(manager, population, facts):
    population(12)
    first = run_billing(manager)
    charges, invoices, numbers = facts.charges(), facts.invoices(), facts.numbers()
    charge_count, invoice_count = Charge.objects.count(), Invoice.objects.count()

    second = run_billing(manager)

    assert (first.status, first.accounts_done, first.invoices_created) == (RunStatus.DONE, 12, 12)
    assert first.charges_created == charge_count > 12
    assert (second.status, second.accounts_done) == (RunStatus.DONE, 12)
    assert (second.charges_created, second.invoices_created, second.invoices_finalized) == (0, 0, 0)
    assert (Charge.objects.count(), Invoice.objects.count()) == (charge_count, invoice_count)
    assert not Charge.objects.filter(billing_run_id=second.pk).exists()
    assert not Invoice.objects.filter(billing_run_id=second.pk).exists()
    assert (facts.charges(), facts.invoices(), facts.numbers()) == (charges, invoices, numbers)
    assert numbers == facts.gapless(12)


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("postgresql_only")
def test_a_run_killed_in_the_middle_and_resumed_bills_like_an_uninterrupted_run(
    manager, population, facts, reference_run, child_process_env, runner
):
    accounts = population(30)
    expected_charges, expected_invoices, expected_numbers = reference_run(AS_OF)
    run = billing_run_create(actor=manager, as_of=AS_OF)
    child = subprocess.Popen(
        runner(run.pk, manager.pk, "--pause-in-chunk", "0.25"),
        env=child_process_env(KONTOR_BILLING_CHUNK_SIZE="4", PGAPPNAME=CHILD_APP),
    )
    try:
        done = wait_for_progress(run.pk, child)
        wait_until_inside_a_chunk(child)
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=10)
    killed = BillingRun.objects.get(pk=run.pk)
    assert 0 < done < len(accounts) and killed.status == RunStatus.RUNNING
    assert 0 < Invoice.objects.count() < len(accounts)

    resumed = billing_run_execute(actor=manager, run_id=run.pk)

    assert (resumed.status, resumed.accounts_done) == (RunStatus.DONE, len(accounts))
    assert facts.charges() == expected_charges
    assert Charge.objects.count() == len(expected_charges)
    assert not Charge.objects.filter(invoice_line__isnull=True).exists()
    assert facts.invoices() == expected_invoices
    assert facts.numbers() == expected_numbers == facts.gapless(len(accounts))


def wait_for_progress(run_id: int, child: subprocess.Popen, timeout: float = 60) -> int:
    """Poll the run until the child has committed some chunks but not all; the count."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert child.poll() is None, "the run finished before it could be killed"
        done = BillingRun.objects.values_list("accounts_done", flat=True).get(pk=run_id)
        if done > 0:
            return done
        time.sleep(0.02)
    raise AssertionError(f"billing run {run_id} made no progress in {timeout} s")


def wait_until_inside_a_chunk(child: subprocess.Popen, timeout: float = 30) -> None:
    """Wait until the child sits in an open transaction that has written (the pause after a
    chunk's invoices are numbered), so the kill loses uncommitted numbers."""
    deadline = time.monotonic() + timeout
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            assert child.poll() is None, "the run finished before it could be killed"
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE application_name = %s"
                " AND datname = current_database()"
                " AND state = 'idle in transaction' AND backend_xid IS NOT NULL"
                " AND clock_timestamp() - state_change > interval '50 milliseconds'",
                [CHILD_APP],
            )
            if cursor.fetchone()[0]:
                return
            time.sleep(0.01)
    raise AssertionError(f"the billing run never paused inside a chunk in {timeout} s")


@pytest.mark.django_db
def test_a_run_with_nothing_to_bill_is_done_at_once(manager):
    run = run_billing(manager)

    assert (run.status, run.accounts_total, run.accounts_done) == (RunStatus.DONE, 0, 0)
    assert run.finished_at is not None
    assert not Charge.objects.exists() and not Invoice.objects.exists()
