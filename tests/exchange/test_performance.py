"""Loading a few thousand accounts takes seconds: references come from preloaded maps."""

from __future__ import annotations

from typing import Any

from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from kontor.core.permissions import roles_of
from kontor.exchange.loader import data_import
from tests.exchange.helpers import example


def _accounts(count: int) -> list[dict[str, Any]]:
    return [
        {
            "customer_number": f"M-{n:05}",
            "contract_party": {
                "kind": "company",
                "company_name": f"Firma {n}",
                "street": "Weg 1",
                "postal_code": "10115",
                "city": "Berlin",
            },
            "recipients": [{"email": f"rechnung{n}@example.org"}],
            "group": "Direktkunden",
            "branch": "HH",
            "bank_accounts": [
                {
                    "holder": f"Firma {n}",
                    "iban": "DE89370400440532013000",
                    "mandate": {"reference": f"MR-M-{n:05}", "signed_on": "2024-01-02"},
                }
            ],
            "subscriptions": [
                {
                    "tariff": "WEB-M",
                    "start_date": "2024-02-01",
                    "addons": [{"article": "A-1001", "start_date": "2024-02-01"}],
                }
            ],
        }
        for n in range(count)
    ]


def _queries_for(manager: Any, count: int) -> int:
    payload = example()
    payload["accounts"] = _accounts(count)
    savepoint = transaction.savepoint()
    with CaptureQueriesContext(connection) as queries:
        data_import(actor=manager, payload=payload)
    transaction.savepoint_rollback(savepoint)
    return len(queries.captured_queries)


def test_queries_grow_by_a_constant_per_account(manager):
    """References (groups, branches, tariffs, articles, numbers, mandate references) come from
    maps loaded once; in the import's write batch the services read settings, catalog rows and
    the rows the batch created once, history rows and audit entries are inserted together, and
    an account shares one savepoint. What is left per account are the services' own inserts
    and uniqueness reads (53 queries per account before the batch, 15 with it)."""
    roles_of(manager)  # the actor's roles are read once and cached
    ten, thirty = _queries_for(manager, 10), _queries_for(manager, 30)

    per_account, remainder = divmod(thirty - ten, 20)
    assert remainder == 0
    assert per_account <= 16
