from __future__ import annotations

from datetime import date

import pytest

from kontor.core.errors import ConcurrentEdit, PermissionDenied, ValidationFailed
from kontor.core.models import AuditEntry
from kontor.customers.models import Account, ContractParty
from kontor.customers.selectors import account_snapshot, effective_payment_term_days
from kontor.customers.services import account_create, account_set_recipients, account_update
from kontor.customers.types import RecipientData
from tests.builders import account, party


def test_customer_numbers_follow_the_configured_format(manager):
    first, second = account(manager), account(manager)
    assert (first.customer_number, second.customer_number) == ("K-00001", "K-00002")


def test_given_customer_number_is_kept_and_skipped_by_the_sequence(manager):
    account_create(actor=manager, party=party(), customer_number="K-00001")
    assert account(manager).customer_number == "K-00002"


def test_duplicate_customer_number_is_refused(manager):
    account_create(actor=manager, party=party(), customer_number="A-1")
    with pytest.raises(ValidationFailed) as error:
        account_create(actor=manager, party=party(), customer_number="A-1")
    assert error.value.field == "customer_number"
    assert Account.objects.count() == 1


@pytest.mark.parametrize(
    ("fields", "field", "code"),
    [
        ({"vat_treatment": "reverse_charge"}, "vat_id", "required"),
        ({"vat_treatment": "reverse_charge", "vat_id": "ATU1234567"}, "vat_id", "invalid_vat_id"),
        ({"vat_id": "DE136695977"}, "vat_id", "invalid_vat_id"),
        ({"leitweg_id": "04011000-1234512345-07"}, "leitweg_id", "invalid_leitweg_id"),
        ({"deviating_invoice_email": "kasse@"}, "deviating_invoice_email", "invalid_email"),
        ({"billing_street": "Nebenweg 2"}, "billing_name", "required"),
        ({"vat_treatment": "exempt"}, "vat_treatment", "invalid_choice"),
        ({"currency": "EURO"}, "currency", "invalid"),
    ],
)
def test_invalid_account_fields_are_refused_and_nothing_is_written(manager, fields, field, code):
    with pytest.raises(ValidationFailed) as error:
        account(manager, **fields)
    assert (error.value.errors[0].field, error.value.errors[0].code) == (field, code)
    assert Account.objects.count() == 0
    assert ContractParty.objects.count() == 0


def test_reverse_charge_with_valid_eu_vat_id_is_normalised(manager):
    acc = account(manager, vat_treatment="reverse_charge", vat_id="atu 1347 2008")
    # python-stdnum validates the Austrian check digit; spaces go, letters are upper case.
    assert acc.vat_id == "ATU13472008"


def test_contract_party_is_not_editable_through_account_update(manager):
    acc = account(manager)
    with pytest.raises(ValidationFailed) as error:
        account_update(
            actor=manager,
            account_id=acc.pk,
            expected_version=acc.version,
            changes={"contract_party": 5},
        )
    assert (error.value.errors[0].field, error.value.errors[0].code) == (
        "contract_party",
        "not_editable",
    )


@pytest.mark.parametrize(
    "field,value",
    [("payment_term_days", 30), ("is_test", True), ("contract_period_start", date(2024, 1, 1))],
)
def test_clerk_cannot_change_manager_only_fields(manager, clerk, field, value):
    acc = account(manager)
    with pytest.raises(PermissionDenied):
        account_update(
            actor=clerk,
            account_id=acc.pk,
            expected_version=acc.version,
            changes={"po_number": "PO-9", field: value},
        )
    acc.refresh_from_db()
    assert (acc.po_number, acc.version) == ("", 1)


def test_payment_terms_default_and_override(manager):
    acc = account(manager)
    assert effective_payment_term_days(acc) == 14
    acc = account_update(
        actor=manager, account_id=acc.pk, expected_version=1, changes={"payment_term_days": 30}
    )
    assert effective_payment_term_days(acc) == 30


def test_stale_version_is_refused_and_keeps_the_other_users_change(manager, clerk):
    acc = account(manager)
    account_update(
        actor=clerk, account_id=acc.pk, expected_version=1, changes={"po_number": "PO-CLERK"}
    )
    with pytest.raises(ConcurrentEdit) as error:
        account_update(
            actor=manager,
            account_id=acc.pk,
            expected_version=1,
            changes={"po_number": "PO-MANAGER"},
        )
    assert error.value.status == 409
    acc.refresh_from_db()
    assert (acc.po_number, acc.version) == ("PO-CLERK", 2)


def test_update_without_change_keeps_the_version_and_writes_no_audit(manager):
    acc = account(manager, po_number="PO-1")
    before = AuditEntry.objects.count()
    account_update(
        actor=manager, account_id=acc.pk, expected_version=1, changes={"po_number": "PO-1"}
    )
    acc.refresh_from_db()
    assert acc.version == 1
    assert AuditEntry.objects.count() == before


def test_recipients_are_replaced_and_duplicates_refused(manager):
    acc = account(manager)
    account_set_recipients(
        actor=manager,
        account_id=acc.pk,
        expected_version=1,
        recipients=[
            RecipientData("a@example.org", "attachment"),
            RecipientData("b@example.org", "link"),
        ],
    )
    assert sorted(acc.recipients.values_list("email", "delivery_mode")) == [
        ("a@example.org", "attachment"),
        ("b@example.org", "link"),
    ]
    with pytest.raises(ValidationFailed) as error:
        account_set_recipients(
            actor=manager,
            account_id=acc.pk,
            expected_version=2,
            recipients=[RecipientData("c@example.org"), RecipientData("C@example.org")],
        )
    assert error.value.errors[0].field == "recipients[1].email"
    assert acc.recipients.count() == 2


def test_snapshot_freezes_billing_address_and_is_unchanged_by_later_edits(manager):
    acc = account(
        manager,
        billing_name="Muster GmbH Buchhaltung",
        billing_street="Postfach 12",
        billing_postal_code="10001",
        billing_city="Berlin",
        billing_country="DE",
        deviating_invoice_email="kasse@muster.example",
        po_number="PO-2026-7",
    )
    snapshot = account_snapshot(acc).as_dict()
    account_update(
        actor=manager,
        account_id=acc.pk,
        expected_version=1,
        changes={"billing_street": "Neue Straße 5", "po_number": "PO-2027-1"},
    )
    assert snapshot["billing_address"]["street"] == "Postfach 12"
    assert snapshot["po_number"] == "PO-2026-7"
    assert snapshot["invoice_emails"] == (
        ("rechnung@muster.example", "attachment"),
        ("kasse@muster.example", "attachment"),
    )
    new = account_snapshot(Account.objects.get(pk=acc.pk))
    assert (new.billing_address.street, new.po_number) == ("Neue Straße 5", "PO-2027-1")


def test_snapshot_survives_a_json_round_trip(manager):
    import json

    from kontor.customers.types import AccountSnapshot

    snapshot = account_snapshot(account(manager))
    assert AccountSnapshot.from_dict(json.loads(json.dumps(snapshot.as_dict()))) == snapshot


def test_change_log_names_who_changed_the_recipients(manager, clerk):
    from kontor.core.history import record_changes
    from kontor.customers.models import InvoiceRecipient

    acc = account(manager)
    account_set_recipients(
        actor=clerk,
        account_id=acc.pk,
        expected_version=1,
        recipients=[RecipientData("rechnung@muster.example", "link")],
    )
    changes = record_changes(manager, InvoiceRecipient.objects.get(account=acc))
    assert [(c.user, c.field, c.old, c.new) for c in changes][-1] == (
        "clerk",
        str(InvoiceRecipient._meta.get_field("delivery_mode").verbose_name),
        "attachment",
        "link",
    )


@pytest.mark.parametrize("code", ["ZZ", "EU", "UN", "D"])
def test_country_must_be_an_iso_3166_code(manager, code):
    with pytest.raises(ValidationFailed) as error:
        account(manager, party=party(country=code))
    assert error.value.errors[0].field == "contract_party.country"
