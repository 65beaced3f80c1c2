from __future__ import annotations

from datetime import date

import pytest

from kontor.contracts.services import subscription_cancel, subscription_create
from kontor.core.errors import Conflict, PermissionDenied, ValidationFailed
from kontor.core.history import record_changes
from kontor.customers.models import (
    Account,
    AccountStatus,
    ChangeRequestStatus,
    ContractParty,
    ContractPartyChangeRequest,
    EvidenceDocument,
)
from kontor.customers.services import (
    account_delete,
    bank_account_add,
    party_change_approve,
    party_change_reject,
    party_change_request,
)
from kontor.customers.types import UploadedDocument
from tests.builders import account, party, tariff

EVIDENCE = [UploadedDocument("handelsregister.pdf", b"%PDF-1.4 Umfirmierung", "HR-Auszug")]


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def test_contract_party_changes_only_after_a_managers_approval(manager):
    acc = account(manager)
    request = party_change_request(
        actor=manager,
        account_id=acc.pk,
        proposed=party(company_name="Muster Holding AG"),
        reason="Umfirmierung lt. HR-Eintrag",
        evidence=EVIDENCE,
    )
    assert ContractParty.objects.get(pk=acc.contract_party_id).company_name == "Muster GmbH"
    party_change_approve(actor=manager, request_id=request.pk, note="geprüft")
    request.refresh_from_db()
    assert request.status == ChangeRequestStatus.APPROVED
    assert request.previous["company_name"] == "Muster GmbH"
    assert ContractParty.objects.get(pk=acc.contract_party_id).company_name == "Muster Holding AG"
    evidence = EvidenceDocument.objects.get(change_request=request)
    assert evidence.file.read() == b"%PDF-1.4 Umfirmierung"
    changes = record_changes(manager, ContractParty.objects.get(pk=acc.contract_party_id))
    field = str(ContractParty._meta.get_field("company_name").verbose_name)
    assert (field, "Muster GmbH", "Muster Holding AG") in [(c.field, c.old, c.new) for c in changes]


@pytest.mark.parametrize(
    ("reason", "evidence", "field"),
    [
        ("", EVIDENCE, "reason"),
        ("Umzug", [], "evidence"),
        ("Umzug", [UploadedDocument("leer.pdf", b"")], "evidence[0]"),
    ],
)
def test_change_request_needs_reason_and_evidence(manager, reason, evidence, field):
    acc = account(manager)
    with pytest.raises(ValidationFailed) as error:
        party_change_request(
            actor=manager,
            account_id=acc.pk,
            proposed=party(city="Hamburg"),
            reason=reason,
            evidence=evidence,
        )
    assert error.value.errors[0].field == field
    assert ContractPartyChangeRequest.objects.count() == 0


def test_clerk_can_neither_request_nor_approve(manager, clerk):
    acc = account(manager)
    with pytest.raises(PermissionDenied):
        party_change_request(
            actor=clerk,
            account_id=acc.pk,
            proposed=party(city="Hamburg"),
            reason="Umzug",
            evidence=EVIDENCE,
        )
    request = party_change_request(
        actor=manager,
        account_id=acc.pk,
        proposed=party(city="Hamburg"),
        reason="Umzug",
        evidence=EVIDENCE,
    )
    with pytest.raises(PermissionDenied):
        party_change_approve(actor=clerk, request_id=request.pk)
    assert ContractParty.objects.get(pk=acc.contract_party_id).city == "Berlin"


def test_decided_request_cannot_be_decided_again(manager):
    acc = account(manager)
    request = party_change_request(
        actor=manager,
        account_id=acc.pk,
        proposed=party(city="Hamburg"),
        reason="Umzug",
        evidence=EVIDENCE,
    )
    party_change_reject(actor=manager, request_id=request.pk, note="Beleg unleserlich")
    with pytest.raises(Conflict):
        party_change_approve(actor=manager, request_id=request.pk)
    assert ContractParty.objects.get(pk=acc.contract_party_id).city == "Berlin"


def test_delete_is_refused_while_a_module_runs_and_names_it(manager):
    acc = account(manager)
    version = tariff(manager, code="WEB-M", minimum=0, renewal=1)
    sub = subscription_create(
        actor=manager, account_id=acc.pk, tariff_version_id=version.pk, start_date=date(2026, 1, 1)
    )
    with pytest.raises(Conflict) as error:
        account_delete(actor=manager, account_id=acc.pk, today=date(2026, 11, 24))
    assert "Tarif WEB-M" in error.value.message
    subscription_cancel(
        actor=manager,
        subscription_id=sub.pk,
        expected_version=1,
        notice_given_on=date(2026, 11, 24),
    )  # ends 2026-12-31
    with pytest.raises(Conflict) as error:
        account_delete(actor=manager, account_id=acc.pk, today=date(2026, 12, 31))
    assert "2026-12-31" in error.value.message
    assert Account.objects.get(pk=acc.pk).status == AccountStatus.ACTIVE
    account_delete(actor=manager, account_id=acc.pk, today=date(2027, 1, 1))


def test_delete_anonymises_personal_data_but_keeps_the_account_row(manager):
    acc = account(manager, po_number="PO-1", vat_id="DE136695976")
    bank_account_add(
        actor=manager, account_id=acc.pk, holder="Erika Muster", iban="DE89370400440532013000"
    )
    account_delete(actor=manager, account_id=acc.pk, today=date(2026, 11, 24))
    acc = Account.objects.get(pk=acc.pk)
    assert acc.status == AccountStatus.DELETED
    assert acc.customer_number == "K-00001"
    assert (acc.vat_id, acc.po_number, acc.recipients.count()) == ("", "", 0)
    party_row = acc.contract_party
    assert (party_row.street, party_row.email, party_row.contact_person) == ("", "", "")
    assert "Muster" not in party_row.company_name
    bank = acc.bank_accounts.get()
    assert "DE89" not in bank.iban and bank.holder != "Erika Muster"
    old_values = {
        str(v)
        for row in ContractParty.history.filter(id=party_row.pk)
        for v in row.__dict__.values()
    }
    assert "Hauptstraße 1" not in old_values
