"""Branches: create with a code and a name, rename, change the code only while nothing uses the
branch, delete only unused branches; codes unique case-insensitively."""

from __future__ import annotations

from datetime import date

import pytest

from kontor.billing.charges import account_invoice_now, charge_create
from kontor.contracts.models import Contract
from kontor.contracts.services import subscription_create
from kontor.core.errors import ConcurrentEdit, Conflict, NotFound, ValidationFailed
from kontor.core.models import AuditEntry
from kontor.customers.models import Branch
from kontor.customers.services import (
    account_update,
    branch_create,
    branch_delete,
    branch_update,
)
from kontor.invoicing.models import Invoice
from tests.builders import account, party, tariff

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def errors(exc: pytest.ExceptionInfo) -> list[tuple[str | None, str]]:
    return [(e.field, e.code) for e in exc.value.errors]


def test_create_trims_and_records_who(manager):
    branch = branch_create(actor=manager, code=" HH ", name=" Hamburg ")

    assert (branch.code, branch.name, branch.version) == ("HH", "Hamburg", 1)
    assert AuditEntry.objects.get(action="branch.created").data == {
        "code": "HH",
        "name": "Hamburg",
    }
    assert branch.history.get().history_user == manager


@pytest.mark.parametrize(
    "code, name, expected",
    [
        ("", "Hamburg", [("code", "required")]),
        ("H H", "Hamburg", [("code", "invalid")]),
        ("HH/1", "Hamburg", [("code", "invalid")]),
        ("Ä", "Hamburg", [("code", "invalid")]),
        ("X" * 21, "Hamburg", [("code", "too_long")]),
        ("HH", "  ", [("name", "required")]),
        ("HH", "x" * 101, [("name", "too_long")]),
        ("H H", "", [("code", "invalid"), ("name", "required")]),
    ],
)
def test_create_refuses_bad_input_naming_each_field(manager, code, name, expected):
    with pytest.raises(ValidationFailed) as exc:
        branch_create(actor=manager, code=code, name=name)

    assert errors(exc) == expected
    assert not Branch.objects.exists()
    assert not AuditEntry.objects.exists()


def test_code_pattern_allows_letters_digits_dash_and_underscore(manager):
    branch = branch_create(actor=manager, code="hh_2-Nord", name="Hamburg Nord")

    assert branch.code == "hh_2-Nord"


@pytest.mark.parametrize("code", ["HH", "hh", " Hh"])
def test_codes_are_unique_case_insensitively(manager, code):
    branch_create(actor=manager, code="HH", name="Hamburg")

    with pytest.raises(ValidationFailed) as exc:
        branch_create(actor=manager, code=code, name="Harburg")

    assert errors(exc) == [("code", "duplicate")]
    assert exc.value.errors[0].message == "A branch with the code HH exists already."


def test_name_is_editable_while_the_branch_is_in_use(manager):
    branch = branch_create(actor=manager, code="HH", name="Hamburg")
    account(manager, branch=branch.pk)

    renamed = branch_update(
        actor=manager, branch_id=branch.pk, expected_version=1, changes={"name": "Hamburg-Mitte"}
    )

    assert (renamed.code, renamed.name, renamed.version) == ("HH", "Hamburg-Mitte", 2)
    assert AuditEntry.objects.get(action="branch.updated").data == {
        "changes": {"name": ["Hamburg", "Hamburg-Mitte"]}
    }
    assert branch.history.first().name == "Hamburg-Mitte"


def test_code_is_editable_while_nothing_uses_the_branch(manager):
    branch = branch_create(actor=manager, code="HH", name="Hamburg")

    changed = branch_update(
        actor=manager, branch_id=branch.pk, expected_version=1, changes={"code": "HAM"}
    )

    assert (changed.code, changed.version) == ("HAM", 2)


def test_code_is_fixed_once_an_account_uses_the_branch(manager):
    branch = branch_create(actor=manager, code="HH", name="Hamburg")
    account(manager, branch=branch.pk)
    account(manager, branch=branch.pk, party=party(company_name="Zweite GmbH"))

    with pytest.raises(ValidationFailed) as exc:
        branch_update(
            actor=manager,
            branch_id=branch.pk,
            expected_version=1,
            changes={"code": "HAM", "name": "Hamburg-Mitte"},
        )

    assert errors(exc) == [("code", "in_use")]
    assert exc.value.errors[0].message == (
        "The code cannot be changed: the branch is used by 2 account(s), and import files and "
        "issued invoices refer to it by its code."
    )
    branch.refresh_from_db()
    assert (branch.code, branch.name, branch.version) == ("HH", "Hamburg", 1)


def test_code_and_delete_are_refused_for_contracts_and_invoices_too(manager):
    version = tariff(manager, price="10.00", minimum=0, renewal=1)
    branch = branch_create(actor=manager, code="HH", name="Hamburg")
    customer = account(manager, branch=branch.pk)
    subscription_create(
        actor=manager,
        account_id=customer.pk,
        tariff_version_id=version.pk,
        start_date=date(2026, 1, 1),
    )
    Contract.objects.update(branch=branch)
    charge_create(
        actor=manager,
        account_id=customer.pk,
        description="Einrichtung",
        unit_price="50.00",
        tax_category_id=version.tax_category_id,
        service_date=date(2026, 1, 1),
    )
    account_invoice_now(
        actor=manager, account_id=customer.pk, as_of=date(2026, 1, 31), finalize=False
    )
    assert Invoice.objects.filter(branch=branch).count() == 1
    account_update(
        actor=manager, account_id=customer.pk, expected_version=None, changes={"branch": None}
    )

    with pytest.raises(Conflict) as exc:
        branch_delete(actor=manager, branch_id=branch.pk)

    assert exc.value.code == "branch_in_use"
    assert exc.value.message == (
        "The branch is used by 1 contract(s), 1 invoice(s); it cannot be deleted."
    )
    with pytest.raises(ValidationFailed):
        branch_update(actor=manager, branch_id=branch.pk, expected_version=1, changes={"code": "X"})


def test_a_stale_version_is_refused(manager):
    branch = branch_create(actor=manager, code="HH", name="Hamburg")
    branch_update(actor=manager, branch_id=branch.pk, expected_version=1, changes={"name": "A"})

    with pytest.raises(ConcurrentEdit):
        branch_update(actor=manager, branch_id=branch.pk, expected_version=1, changes={"name": "B"})

    branch.refresh_from_db()
    assert (branch.name, branch.version) == ("A", 2)


def test_renaming_the_code_to_one_taken_is_refused(manager):
    branch_create(actor=manager, code="HH", name="Hamburg")
    branch = branch_create(actor=manager, code="B", name="Berlin")

    with pytest.raises(ValidationFailed) as exc:
        branch_update(
            actor=manager, branch_id=branch.pk, expected_version=1, changes={"code": "hh"}
        )

    assert errors(exc) == [("code", "duplicate")]


def test_delete_of_an_unused_branch(manager):
    branch = branch_create(actor=manager, code="HH", name="Hamburg")

    branch_delete(actor=manager, branch_id=branch.pk)

    assert not Branch.objects.exists()
    assert AuditEntry.objects.get(action="branch.deleted").data == {
        "code": "HH",
        "name": "Hamburg",
    }
    assert Branch.history.get(history_type="-").history_user == manager


def test_delete_is_refused_while_accounts_use_the_branch(manager):
    branch = branch_create(actor=manager, code="HH", name="Hamburg")
    for name in ("Eins GmbH", "Zwei GmbH", "Drei GmbH"):
        account(manager, branch=branch.pk, party=party(company_name=name))

    with pytest.raises(Conflict) as exc:
        branch_delete(actor=manager, branch_id=branch.pk)

    assert exc.value.message == "The branch is used by 3 account(s); it cannot be deleted."
    assert Branch.objects.filter(pk=branch.pk).exists()
    assert not AuditEntry.objects.filter(action="branch.deleted").exists()


def test_missing_branch(manager):
    with pytest.raises(NotFound):
        branch_update(actor=manager, branch_id=999999, expected_version=1, changes={"name": "X"})
    with pytest.raises(NotFound):
        branch_delete(actor=manager, branch_id=999999)
