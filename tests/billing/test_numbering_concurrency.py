"""Invoice numbers stay gapless and unique when many transactions number at once, and two
billing runs for the same date bill every period and every charge exactly once
(PostgreSQL: real concurrent connections and row locks)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection

from kontor.billing.charges import account_invoice_now, charge_create
from kontor.billing.models import BillingRun, BillingRunEntry, Charge, RunStatus
from kontor.billing.runs import billing_run_create, billing_run_execute
from kontor.core.models import Sequence
from kontor.invoicing.models import Invoice, InvoiceLine, InvoiceStatus, OutboxEntry
from kontor.invoicing.services import invoice_finalize
from tests.builders import account, tariff

AS_OF = date(2026, 1, 15)
THREADS = 6
DRAFTS = 60

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("postgresql_only")]


def in_threads(work: list[Callable[[], Any]]) -> list[BaseException]:
    """Run each callable in its own thread (and database connection), all released at
    once; the exceptions they raised."""
    barrier = threading.Barrier(len(work))
    errors: list[BaseException] = []

    def worker(job: Callable[[], Any]) -> None:
        try:
            barrier.wait(timeout=30)
            job()
        except BaseException as exc:  # noqa: BLE001 - reported by the test
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(job,)) for job in work]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a thread hangs"
    return errors


def one_off_drafts(actor, count: int) -> list[int]:
    """`count` draft invoices of one account, each with one one-off charge."""
    category_id = tariff(actor).tax_category_id
    acc = account(actor)
    drafts = []
    for index in range(1, count + 1):
        charge_create(
            actor=actor,
            account_id=acc.pk,
            description=f"Support hour {index}",
            unit_price=Decimal("80.00"),
            quantity=Decimal(index % 4 + 1),
            tax_category_id=category_id,
            service_date=AS_OF,
        )
        [draft] = account_invoice_now(actor=actor, account_id=acc.pk, as_of=AS_OF, finalize=False)
        drafts.append(draft.pk)
    return drafts


def test_concurrent_finalizers_take_gapless_unique_numbers(manager, facts):
    drafts = one_off_drafts(manager, DRAFTS)
    assert not facts.numbers()

    def finalize_all(invoice_ids: list[int]) -> Callable[[], None]:
        def job() -> None:
            for invoice_id in invoice_ids:
                invoice_finalize(actor=manager, invoice_id=invoice_id, issue_date=AS_OF)

        return job

    errors = in_threads([finalize_all(drafts[start::THREADS]) for start in range(THREADS)])

    assert errors == []
    assert facts.numbers() == facts.gapless(DRAFTS)
    assert set(Invoice.objects.values_list("status", flat=True)) == {InvoiceStatus.FINALIZED}
    assert Sequence.objects.get(name=f"invoice:RE:{AS_OF.year}").last_value == DRAFTS
    assert OutboxEntry.objects.filter(topic="invoice.finalized").count() == DRAFTS


def test_two_runs_for_the_same_date_at_once_bill_each_period_and_charge_once(
    manager, population, facts, reference_run, settings
):
    accounts = population(200)
    pending = one_off_charges(manager, accounts[::10])
    expected_charges, expected_invoices, expected_numbers = reference_run(AS_OF)
    settings.KONTOR_BILLING_CHUNK_SIZE = 25
    runs = [billing_run_create(actor=manager, as_of=AS_OF) for _ in range(2)]

    errors = in_threads(
        [lambda run=run: billing_run_execute(actor=manager, run_id=run.pk) for run in runs]
    )

    assert errors == []
    assert not BillingRunEntry.objects.exists()
    finished = list(BillingRun.objects.filter(pk__in=[r.pk for r in runs]))
    assert {(r.status, r.accounts_done) for r in finished} == {(RunStatus.DONE, len(accounts))}
    assert facts.charges() == expected_charges
    assert Charge.objects.count() == len(expected_charges) + len(pending)
    assert sum(r.charges_created for r in finished) == len(expected_charges)
    assert InvoiceLine.objects.filter(charge__isnull=False).count() == Charge.objects.count()
    assert sum(r.invoices_finalized for r in finished) == Invoice.objects.count() == len(accounts)
    assert facts.invoices() == expected_invoices
    assert facts.numbers() == expected_numbers == facts.gapless(len(accounts))


def one_off_charges(actor, account_ids: list[int]) -> list[int]:
    """A pending one-off charge on each of the accounts, for the runs to invoice."""
    category_id = tariff(actor, code="ROB-FEE", module_code="FEE").tax_category_id
    return [
        charge_create(
            actor=actor,
            account_id=account_id,
            description="Domain transfer",
            unit_price=Decimal("15.00"),
            tax_category_id=category_id,
            service_date=AS_OF,
        ).pk
        for account_id in account_ids
    ]
