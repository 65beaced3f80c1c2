"""Write batches (core/batch.py): reads once per batch, never across batches; history rows and
audit entries collected and written as one by one would write them."""

from __future__ import annotations

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from kontor.core import batch
from kontor.core.audit import audit
from kontor.core.batch import remembered, write_batch
from kontor.core.models import AuditEntry
from kontor.customers.models import CustomerGroup
from kontor.customers.services import customer_group_create


def _load_counter() -> tuple[list[int], object]:
    calls: list[int] = []

    def load() -> int:
        calls.append(1)
        return len(calls)

    return calls, load


def test_outside_a_batch_every_read_goes_to_the_source(db):
    calls, load = _load_counter()

    assert [remembered(CustomerGroup, 1, "x", load) for _ in range(3)] == [1, 2, 3]


def test_inside_a_batch_a_read_happens_once_and_never_leaks_into_the_next_batch(db):
    calls, load = _load_counter()
    with transaction.atomic():
        with write_batch():
            assert [remembered(CustomerGroup, 1, "x", load) for _ in range(3)] == [1, 1, 1]
        with write_batch():
            assert remembered(CustomerGroup, 1, "x", load) == 2
    assert remembered(CustomerGroup, 1, "x", load) == 3
    assert batch.current() is None


def test_saving_a_row_forgets_what_the_batch_remembered_about_it(manager):
    group = customer_group_create(actor=manager, name="Agenturen")
    calls, load = _load_counter()
    with transaction.atomic(), write_batch():
        remembered(CustomerGroup, group.pk, "x", load)
        remembered(CustomerGroup, None, "about the table", load)
        group.description = "changed"
        group.save()
        assert remembered(CustomerGroup, group.pk, "x", load) == 3
        assert remembered(CustomerGroup, None, "about the table", load) == 4


def test_batches_do_not_nest(db):
    with transaction.atomic(), write_batch():
        with pytest.raises(RuntimeError, match="do not nest"), write_batch():
            pass


def test_history_rows_and_audit_entries_are_the_ones_written_one_by_one(manager):
    with transaction.atomic():
        one = customer_group_create(actor=manager, name="Eins", description="a")
    with transaction.atomic(), write_batch():
        two = customer_group_create(actor=manager, name="Zwei", description="b")
        with CaptureQueriesContext(connection) as queries:
            audit(manager, "customer_group.checked", two, note="x")
        assert not queries.captured_queries  # collected, not yet written
        assert not two.history.exists()

    def history(group: CustomerGroup) -> list[tuple[object, ...]]:
        return list(
            group.history.values_list(
                "name", "description", "version", "history_type", "history_user__username"
            )
        )

    assert history(one) == [("Eins", "a", 1, "+", "manager")]
    assert history(two) == [("Zwei", "b", 1, "+", "manager")]
    entries = AuditEntry.objects.filter(
        target_id=str(two.pk), target_type="customers.customergroup"
    )
    assert list(entries.order_by("pk").values_list("action", "actor__username", "data")) == [
        ("customer_group.created", "manager", {"name": "Zwei"}),
        ("customer_group.checked", "manager", {"note": "x"}),
    ]
    created, checked = entries.order_by("pk")
    assert created.created_at <= checked.created_at  # the time of each call


def test_a_batch_that_ends_with_an_error_writes_nothing_it_collected(manager):
    with pytest.raises(ZeroDivisionError), transaction.atomic(), write_batch():
        customer_group_create(actor=manager, name="Drei")
        audit(manager, "customer_group.checked", CustomerGroup(pk=1))
        1 / 0  # noqa: B018

    assert not CustomerGroup.history.exists()
    assert not AuditEntry.objects.exists()


def test_in_a_unit_services_share_one_savepoint_and_a_refusal_undoes_the_unit(manager):
    from kontor.core.errors import ValidationFailed, invalid
    from kontor.customers.models import Account
    from kontor.customers.services import account_create
    from kontor.customers.types import PartyData

    party = PartyData(
        kind="company", company_name="Muster GmbH", street="Weg 1", postal_code="10115", city="B"
    )
    with transaction.atomic(), write_batch() as current:
        with CaptureQueriesContext(connection) as queries, current.unit():
            kept = account_create(actor=manager, party=party, customer_number="K-1")
        savepoints = [q["sql"] for q in queries.captured_queries if "SAVEPOINT" in q["sql"]]
        assert len(savepoints) == 2  # the unit's own, and its release

        with pytest.raises(ValidationFailed), current.unit():
            account_create(actor=manager, party=party, customer_number="K-2")
            raise invalid("x", "refused", "refused")
        assert batch.kept(Account, kept.pk, "created") is None  # forgotten with the unit
    assert list(Account.objects.values_list("customer_number", flat=True)) == ["K-1"]
    assert list(
        AuditEntry.objects.filter(action="account.created").values_list("data", flat=True)
    ) == [{"customer_number": "K-1"}]


def test_in_a_batch_an_iban_twice_on_a_new_account_is_still_refused(manager):
    from kontor.core.errors import ValidationFailed
    from kontor.customers.services import account_create, bank_account_add
    from kontor.customers.types import PartyData

    party = PartyData(
        kind="company", company_name="Muster GmbH", street="Weg 1", postal_code="10115", city="B"
    )
    with transaction.atomic(), write_batch():
        account = account_create(actor=manager, party=party, customer_number="K-1")
        iban = "DE89370400440532013000"
        bank_account_add(actor=manager, account_id=account.pk, holder="M", iban=iban)
        with CaptureQueriesContext(connection) as queries, pytest.raises(ValidationFailed) as err:
            bank_account_add(actor=manager, account_id=account.pk, holder="M", iban=iban)
    assert err.value.errors[0].code == "duplicate"
    assert not [q for q in queries.captured_queries if "SELECT" in q["sql"]]
