from __future__ import annotations

from datetime import date

import pytest
from django.db import IntegrityError, transaction

from kontor.core.errors import Conflict, ValidationFailed
from kontor.customers.models import BankAccount, Mandate, MandateStatus
from kontor.customers.services import bank_account_add, mandate_create, mandate_revoke
from tests.builders import account


@pytest.fixture
def bank(manager):
    acc = account(manager)
    return bank_account_add(
        actor=manager, account_id=acc.pk, holder="Muster GmbH", iban="de89 3704 0044 0532 0130 00"
    )


def test_iban_is_normalised_and_bic_derived(bank):
    assert (bank.iban, bank.bic) == ("DE89370400440532013000", "COBADEFFXXX")


@pytest.mark.parametrize("iban", ["DE89370400440532013001", "XX00", "DE8937040044053201300"])
def test_invalid_iban_is_refused(manager, iban):
    acc = account(manager)
    with pytest.raises(ValidationFailed) as error:
        bank_account_add(actor=manager, account_id=acc.pk, holder="X", iban=iban)
    assert error.value.errors[0].field == "iban"
    assert BankAccount.objects.count() == 0


def test_second_active_mandate_is_refused_with_a_clear_error(manager, bank):
    mandate_create(
        actor=manager,
        account_id=bank.account_id,
        bank_account_id=bank.pk,
        reference="KONTOR-1",
        signed_on=date(2026, 1, 5),
    )
    with pytest.raises(Conflict) as error:
        mandate_create(
            actor=manager,
            account_id=bank.account_id,
            bank_account_id=bank.pk,
            reference="KONTOR-2",
            signed_on=date(2026, 2, 5),
        )
    assert error.value.code == "active_mandate_exists"
    assert "KONTOR-1" in error.value.message
    assert list(Mandate.objects.values_list("reference", flat=True)) == ["KONTOR-1"]


def test_after_revoking_a_new_mandate_can_be_added(manager, bank):
    first = mandate_create(
        actor=manager,
        account_id=bank.account_id,
        bank_account_id=bank.pk,
        reference="KONTOR-1",
        signed_on=date(2026, 1, 5),
    )
    mandate_revoke(actor=manager, mandate_id=first.pk, ended_on=date(2026, 3, 1))
    second = mandate_create(
        actor=manager,
        account_id=bank.account_id,
        bank_account_id=bank.pk,
        reference="KONTOR-2",
        signed_on=date(2026, 3, 2),
    )
    assert Mandate.objects.get(status=MandateStatus.ACTIVE) == second


def test_database_itself_refuses_two_active_mandates(manager, bank):
    """The rule holds even for writes that bypass the service (a constraint, not a check)."""
    Mandate.objects.create(
        account_id=bank.account_id, bank_account=bank, reference="A", signed_on=date(2026, 1, 1)
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        Mandate.objects.create(
            account_id=bank.account_id, bank_account=bank, reference="B", signed_on=date(2026, 1, 1)
        )


@pytest.mark.parametrize("reference", ["", "Ä-UMLAUT", "X" * 36, "A*B"])
def test_invalid_mandate_reference_is_refused(manager, bank, reference):
    with pytest.raises(ValidationFailed) as error:
        mandate_create(
            actor=manager,
            account_id=bank.account_id,
            bank_account_id=bank.pk,
            reference=reference,
            signed_on=date(2026, 1, 5),
        )
    assert error.value.errors[0].field == "reference"
