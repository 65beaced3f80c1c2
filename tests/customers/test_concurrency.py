"""Customer numbers stay gapless and unique when several users create accounts at once."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection, connections

from kontor.customers.models import Account
from tests.builders import account, party

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="row-lock concurrency needs PostgreSQL"
)


@pytest.mark.django_db(transaction=True)
def test_parallel_account_creation_gives_gapless_unique_numbers(manager):
    def create(index: int) -> str:
        try:
            return account(manager, party=party(company_name=f"Firma {index}")).customer_number
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=8) as pool:
        numbers = list(pool.map(create, range(40)))
    assert sorted(numbers) == [f"K-{n:05}" for n in range(1, 41)]
    assert Account.objects.count() == 40
