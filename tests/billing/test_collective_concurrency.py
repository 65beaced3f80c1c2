"""The spending limit holds when orders arrive at once (PostgreSQL: concurrent connections)."""

from __future__ import annotations

from datetime import date

import pytest
import time_machine

from kontor.billing.charges import charge_create
from kontor.billing.collective_limits import SpendingLimitExceeded
from kontor.billing.models import Charge
from tests.billing.test_collective_invoices import collecting_account
from tests.billing.test_numbering_concurrency import in_threads
from tests.builders import tariff

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("postgresql_only")]
DAY = date(2026, 11, 10)


def test_concurrent_orders_cannot_share_the_same_remaining_credit(manager):
    category = tariff(manager).tax_category_id
    acc, _profile = collecting_account(manager, spending_limit="100.00")

    def order(index: int):
        def job() -> None:
            with time_machine.travel(DAY, tick=False):
                charge_create(
                    actor=manager,
                    account_id=acc.pk,
                    description=f"Auftrag {index}",
                    unit_price="60.00",
                    tax_category_id=category,
                    service_date=DAY,
                )

        return job

    errors = in_threads([order(i) for i in range(4)])
    assert len(errors) == 3 and all(isinstance(e, SpendingLimitExceeded) for e in errors), errors
    assert Charge.objects.filter(account=acc).count() == 1
