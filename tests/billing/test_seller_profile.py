"""`seller_profile_update`: the provider's own data printed on every document."""

from __future__ import annotations

import pytest

from kontor.billing.models import SellerProfile
from kontor.billing.services import seller_profile_update
from kontor.core.errors import ConcurrentEdit, PermissionDenied, ValidationFailed
from kontor.core.models import AuditEntry

VALID = {
    "name": "Kontor Hosting GmbH",
    "street": "Friedrichstraße 10",
    "postal_code": "10117",
    "city": "Berlin",
    "country": "de",
    "vat_id": "DE 136 695 976",
    "tax_number": "30/123/45678",
    "email": "rechnung@kontor.example",
    "bank_name": "Commerzbank",
    "iban": "DE89 3704 0044 0532 0130 00",
    "bic": "COBADEFFXXX",
    "creditor_id": "DE98 ZZZ 09999999999",
    "register": "Amtsgericht Charlottenburg HRB 12345",
    "managing_directors": "Erika Muster",
}


def test_manager_saves_the_profile_normalised(manager):
    seller_profile_update(actor=manager, expected_version=1, changes=VALID)
    row = SellerProfile.load()
    assert (row.name, row.country, row.vat_id, row.iban, row.bic, row.creditor_id) == (
        "Kontor Hosting GmbH",
        "DE",
        "DE136695976",
        "DE89370400440532013000",
        "COBADEFFXXX",
        "DE98ZZZ09999999999",
    )
    assert row.version == 2
    entry = AuditEntry.objects.get(action="seller_profile.updated")
    assert entry.data["fields"] == sorted(set(VALID) - {"country"})  # DE was the default


def test_optional_identifiers_may_be_empty(manager):
    seller_profile_update(actor=manager, expected_version=1, changes=VALID)
    seller_profile_update(
        actor=manager,
        expected_version=2,
        changes={"vat_id": "", "creditor_id": "", "iban": "", "bic": ""},
    )
    row = SellerProfile.load()
    assert (row.vat_id, row.creditor_id, row.iban, row.bic, row.version) == ("", "", "", "", 3)


def test_saving_unchanged_values_keeps_the_version(manager):
    seller_profile_update(actor=manager, expected_version=1, changes=VALID)
    seller_profile_update(actor=manager, expected_version=2, changes={"city": "Berlin"})
    assert SellerProfile.load().version == 2


@pytest.mark.parametrize(
    ("field", "value", "code"),
    [
        ("iban", "DE89370400440532013001", "invalid_iban"),
        ("bic", "NOTABIC", "invalid_bic"),
        ("vat_id", "DE123456789", "invalid_vat_id"),
        ("vat_id", "CHE-123.456.788", "invalid_vat_id"),
        ("creditor_id", "DE00ZZZ09999999999", "invalid_creditor_id"),
        ("country", "XX", "invalid_country"),
        ("email", "rechnung@", "invalid_email"),
        ("name", "  ", "required"),
        ("city", "B" * 101, "too_long"),
        ("password", "secret", "unknown_field"),
    ],
)
def test_each_invalid_field_is_named_and_nothing_changes(manager, field, value, code):
    with pytest.raises(ValidationFailed) as error:
        seller_profile_update(actor=manager, expected_version=1, changes={**VALID, field: value})
    assert [(e.field, e.code) for e in error.value.errors] == [(field, code)]
    row = SellerProfile.load()
    assert (row.name, row.version) == ("", 1)
    assert not AuditEntry.objects.filter(action="seller_profile.updated").exists()


def test_all_invalid_fields_are_reported_at_once(manager):
    with pytest.raises(ValidationFailed) as error:
        seller_profile_update(
            actor=manager, expected_version=1, changes={"iban": "DE00", "country": "XX"}
        )
    assert sorted(e.field for e in error.value.errors) == ["country", "iban"]


@pytest.mark.parametrize("role", ["clerk", "accountant"])
def test_only_managers_may_edit(request, role):
    with pytest.raises(PermissionDenied):
        seller_profile_update(
            actor=request.getfixturevalue(role), expected_version=1, changes={"name": "Andere AG"}
        )
    assert SellerProfile.load().name == ""


def test_stale_version_is_refused(manager):
    seller_profile_update(actor=manager, expected_version=1, changes={"name": "Erste GmbH"})
    with pytest.raises(ConcurrentEdit):
        seller_profile_update(actor=manager, expected_version=1, changes={"name": "Zweite GmbH"})
    assert SellerProfile.load().name == "Erste GmbH"
