"""Fixtures for billing-run robustness tests: many accounts with subscriptions, built through
the services, and plain snapshots of what a run produced (charges, invoices, numbers)."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from django.contrib.auth.models import User
from django.db import connection, transaction

from kontor.billing.models import Charge
from kontor.billing.runs import billing_run_create, billing_run_execute
from kontor.contracts.services import subscription_create
from kontor.invoicing.models import Invoice, InvoiceLine
from tests.builders import account, tariff

BILLING_DATE = date(2026, 1, 15)

# (code, monthly price, interval in months): monthly, quarterly and yearly billing
TARIFFS = [("ROB-M", "12.90", 1), ("ROB-Q", "29.00", 3), ("ROB-Y", "99.00", 12)]
STARTS = [date(2025, 7, 1), date(2025, 9, 17), date(2025, 11, 3), date(2026, 1, 1)]


@pytest.fixture
def postgresql_only() -> None:
    if connection.vendor != "postgresql":
        pytest.skip(
            "needs PostgreSQL: row locks and concurrent connections (SQLite serialises writers)"
        )


def build_population(actor: User, count: int) -> list[int]:
    """`count` accounts, each with one to two subscriptions of varying tariff, quantity and
    start; every third account books a second module. Returns the account ids in order."""
    versions = [
        tariff(actor, code=code, price=price, interval=interval, module_code=code)
        for code, price, interval in TARIFFS
    ]
    account_ids = []
    for index in range(count):
        acc = account(actor)
        account_ids.append(acc.pk)
        bookings = [index % len(versions)] + ([(index + 1) % len(versions)] if index % 3 else [])
        for offset, version_index in enumerate(bookings):
            subscription_create(
                actor=actor,
                account_id=acc.pk,
                tariff_version_id=versions[version_index].pk,
                start_date=STARTS[(index + offset) % len(STARTS)],
                quantity=1 + index % 3,
            )
    return account_ids


@pytest.fixture
def population(manager: User) -> Callable[[int], list[int]]:
    """Build `count` billable accounts (see `build_population`)."""

    def build(count: int) -> list[int]:
        return build_population(manager, count)

    return build


class Facts:
    """Plain snapshots of what billing produced, comparable across databases and runs."""

    @staticmethod
    def charges() -> set[tuple[int, date, str, Decimal]]:
        """Every recurring charge as (subscription, period start, kind, amount)."""
        return set(
            Charge.objects.filter(subscription__isnull=False).values_list(
                "subscription_id", "period_start", "kind", "amount"
            )
        )

    @staticmethod
    def invoices() -> dict[int, list[tuple[Any, ...]]]:
        """Per account: its invoices as (kind, status, net, tax, gross, sorted line facts),
        independent of ids and numbers."""
        lines: dict[int, list[tuple[Any, ...]]] = {}
        for line in InvoiceLine.objects.order_by("invoice_id", "position"):
            lines.setdefault(line.invoice_id, []).append(
                (
                    line.description,
                    line.period_start,
                    line.period_end,
                    line.quantity,
                    line.unit_price,
                    line.net_amount,
                    line.tax_category,
                    line.tax_rate,
                )
            )
        facts: dict[int, list[tuple[Any, ...]]] = {}
        for invoice in Invoice.objects.order_by("account_id", "id"):
            facts.setdefault(invoice.account_id, []).append(
                (
                    invoice.kind,
                    invoice.status,
                    invoice.net_total,
                    invoice.tax_total,
                    invoice.gross_total,
                    tuple(sorted(lines.get(invoice.pk, []))),
                )
            )
        return {account_id: sorted(items) for account_id, items in facts.items()}

    @staticmethod
    def numbers() -> list[str]:
        """All invoice numbers, sorted; drafts have none and are left out."""
        return sorted(Invoice.objects.exclude(number=None).values_list("number", flat=True))

    @staticmethod
    def gapless(count: int, year: int = BILLING_DATE.year) -> list[str]:
        """The numbers 1..count of the default invoice series."""
        return [f"RE-{year}-{value:06}" for value in range(1, count + 1)]


@pytest.fixture
def facts() -> type[Facts]:
    return Facts


class _Rollback(Exception):
    pass


@pytest.fixture
def reference_run(manager: User, facts: type[Facts]) -> Callable[..., tuple[Any, Any, Any]]:
    """Bill in-process, uninterrupted, remember (charges, invoices, numbers), and roll it all
    back: the same data is then ready for the run under test. Needs a transactional test."""

    def run(as_of: date = BILLING_DATE) -> tuple[Any, Any, Any]:
        before = Charge.objects.count()
        try:
            with transaction.atomic():
                billing_run_execute(
                    actor=manager, run_id=billing_run_create(actor=manager, as_of=as_of).pk
                )
                result = (facts.charges(), facts.invoices(), facts.numbers())
                raise _Rollback
        except _Rollback:
            pass
        assert Charge.objects.count() == before, "the reference run was not rolled back"
        return result

    return run


RUNNER = Path(__file__).with_name("run_in_subprocess.py")


@pytest.fixture
def child_process_env() -> Callable[..., dict[str, str]]:
    """The environment for a Kontor process (runner, Celery worker) that works on this test's
    PostgreSQL database; keyword arguments add or override variables."""

    def env(**extra: str) -> dict[str, str]:
        db = connection.settings_dict
        url = "postgres://{}:{}@{}:{}/{}".format(
            quote(db["USER"] or "", safe=""),
            quote(db["PASSWORD"] or "", safe=""),
            db["HOST"] or "127.0.0.1",
            db["PORT"] or "5432",
            db["NAME"],
        )
        values = dict(os.environ, DATABASE_URL=url, KONTOR_BROKER_URL="")
        values["PYTHONPATH"] = os.pathsep.join(
            filter(None, [str(RUNNER.parents[2]), values.get("PYTHONPATH")])
        )
        values.update(extra)
        return values

    return env


def runner_command(run_id: int, actor_id: int, *options: str) -> list[str]:
    return [sys.executable, str(RUNNER), str(run_id), str(actor_id), *options]


@pytest.fixture
def runner() -> Callable[..., list[str]]:
    """The command line that executes a billing run in a child process."""
    return runner_command
