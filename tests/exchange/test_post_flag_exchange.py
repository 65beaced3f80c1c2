"""The account's post flag in the import format: true, false or empty (null or left out: the
billing settings' default); it is exported as it is stored, so a round trip keeps it."""

from __future__ import annotations

import pytest
from django.db import transaction

from kontor.customers.models import Account
from kontor.exchange.exporter import accounts_export
from kontor.exchange.loader import data_import
from kontor.exchange.problems import ImportRejected
from tests.exchange.helpers import example, row_counts


def test_post_flag_is_imported_and_exported_as_stored(manager):
    payload = example()
    payload["accounts"][0]["deliver_by_post"] = False
    payload["accounts"][1].pop("deliver_by_post", None)  # left out: the default
    assert payload["accounts"][2]["deliver_by_post"] is True  # as in the example file
    data_import(actor=manager, payload=payload)
    stored = dict(Account.objects.values_list("customer_number", "deliver_by_post"))
    assert stored == {"K-00001": True, "K-10001": False, "K-10002": None}
    exported = accounts_export(actor=manager)
    assert [(a["customer_number"], a["deliver_by_post"]) for a in exported["accounts"]] == [
        ("K-00001", True),
        ("K-10001", False),
        ("K-10002", None),
    ]


def test_round_trip_keeps_the_post_flag(manager):
    payload = example()
    payload["accounts"][0]["deliver_by_post"] = False
    savepoint = transaction.savepoint()
    data_import(actor=manager, payload=payload)
    exported = accounts_export(actor=manager)
    transaction.savepoint_rollback(savepoint)
    assert not Account.objects.exists()

    data_import(actor=manager, payload=exported)
    stored = dict(Account.objects.values_list("customer_number", "deliver_by_post"))
    assert stored == {"K-00001": True, "K-10001": False, "K-10002": None}
    assert accounts_export(actor=manager) == exported


@pytest.mark.parametrize("value", ["yes", 1, "true"])
def test_a_post_flag_that_is_not_a_boolean_is_refused(manager, value):
    payload = example()
    payload["accounts"][0]["deliver_by_post"] = value
    before = row_counts()
    with pytest.raises(ImportRejected) as caught:
        data_import(actor=manager, payload=payload)
    assert [e.field for e in caught.value.errors] == ["accounts[0].deliver_by_post"]
    assert row_counts() == before
