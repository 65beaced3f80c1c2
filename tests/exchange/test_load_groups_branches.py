"""The import creates customer groups and branches through the customers services: the same
rules as in the back office, each refusal under the item's JSON path, nothing written."""

from __future__ import annotations

import pytest

from kontor.customers.services import branch_create, customer_group_create
from kontor.exchange.loader import data_import
from kontor.exchange.problems import ImportRejected
from tests.exchange.helpers import example, row_counts


def test_names_and_codes_taken_in_another_case_are_refused(manager):
    customer_group_create(actor=manager, name="WIEDERVERKÄUFER")  # Ä: not ASCII
    branch_create(actor=manager, code="hh", name="Hamburg")
    before = row_counts()

    with pytest.raises(ImportRejected) as caught:
        data_import(actor=manager, payload=example())

    fields = {e.field: e.code for e in caught.value.errors}
    assert fields["customer_groups[0].name"] == "duplicate"
    assert fields["branches[0].code"] == "duplicate"
    assert row_counts() == before


def test_a_branch_code_outside_the_pattern_is_refused(manager):
    payload = example()
    payload["branches"][1]["code"] = "B 1"
    payload["accounts"] = []
    before = row_counts()

    with pytest.raises(ImportRejected) as caught:
        data_import(actor=manager, payload=payload)

    assert [(e.field, e.code) for e in caught.value.errors] == [("branches[1].code", "invalid")]
    assert row_counts() == before


def test_groups_and_branches_are_audited_and_versioned_like_manual_ones(manager):
    payload = example()
    payload["accounts"] = []

    data_import(actor=manager, payload=payload)

    from kontor.core.models import AuditEntry
    from kontor.customers.models import Branch

    assert AuditEntry.objects.filter(action="branch.created").count() == 2
    assert AuditEntry.objects.filter(action="customer_group.created").count() == 2
    assert Branch.objects.get(code="HH").history.get().history_user == manager
