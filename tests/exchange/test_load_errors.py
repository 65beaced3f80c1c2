"""Invalid files: every problem is reported with its JSON path and reason, and nothing at all
is written (the import is all or nothing)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from kontor.core.errors import PermissionDenied, invalid
from kontor.exchange import write_accounts
from kontor.exchange.loader import data_import
from kontor.exchange.problems import ImportRejected
from tests.exchange.helpers import example, minimal_account, row_counts


def _set(path: str, value: Any) -> Callable[[dict[str, Any]], None]:
    """Change one value of the example file, addressed like `accounts.0.vat_id`."""

    def change(payload: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        node: Any = payload
        for part in parents:
            node = node[int(part)] if part.isdigit() else node[part]
        if isinstance(node, list) and int(last) == len(node):
            node.append(value)
        else:
            node[int(last) if last.isdigit() else last] = value

    return change


CASES = [
    (
        "bad IBAN",
        _set("accounts.0.bank_accounts.0.iban", "DE89370400440532013001"),
        "accounts[0].bank_accounts[0].iban",
        "invalid_iban",
    ),
    (
        "bad VAT ID for reverse charge",
        _set("accounts.1.vat_id", "ATU13585628"),
        "accounts[1].vat_id",
        "invalid_vat_id",
    ),
    (
        "reverse charge without VAT ID",
        _set("accounts.1.vat_id", ""),
        "accounts[1].vat_id",
        "required",
    ),
    (
        "unknown tariff",
        _set("accounts.0.subscriptions.0.tariff", "WEB-XL"),
        "accounts[0].subscriptions[0].tariff",
        "not_found",
    ),
    (
        "customer number twice in the file",
        _set("accounts.1.customer_number", "K-10001"),
        "accounts[1].customer_number",
        "duplicate",
    ),
    (
        "float money",
        _set("catalog.articles.0.price", 2.5),
        "catalog.articles[0].price",
        "float_not_allowed",
    ),
    (
        "float quantity",
        _set("accounts.1.subscriptions.0.quantity", 3.0),
        "accounts[1].subscriptions[0].quantity",
        "float_not_allowed",
    ),
    (
        "two active mandates",
        _set("accounts.0.bank_accounts.1.mandate.status", "active"),
        "accounts[0].bank_accounts[1].mandate.status",
        "active_mandate_exists",
    ),
    (
        "unknown field",
        _set("accounts.0.contract_party.fax", "+49 30 1"),
        "accounts[0].contract_party.fax",
        "extra_forbidden",
    ),
    (
        "end before start",
        _set("accounts.1.subscriptions.0.end_date", "2023-05-14"),
        "accounts[1].subscriptions[0].end_date",
        "invalid",
    ),
    (
        "date not ISO",
        _set("accounts.0.subscriptions.0.start_date", "01.03.2023"),
        "accounts[0].subscriptions[0].start_date",
        "date_format",
    ),
    ("unknown group", _set("accounts.0.group", "Stammkunden"), "accounts[0].group", "not_found"),
    ("unknown branch", _set("accounts.0.branch", "M"), "accounts[0].branch", "not_found"),
    (
        "unknown add-on article",
        _set("accounts.0.subscriptions.0.addons.0.article", "A-9"),
        "accounts[0].subscriptions[0].addons[0].article",
        "not_found",
    ),
    (
        "article not an option of the tariff",
        _set(
            "accounts.0.subscriptions.1.addons", [{"article": "A-1001", "start_date": "2023-06-01"}]
        ),
        "accounts[0].subscriptions[1].addons[0].article",
        "not_an_addon",
    ),
    (
        "mandate reference twice",
        _set("accounts.2.bank_accounts.0.mandate.reference", "MR-10001-2"),
        "accounts[2].bank_accounts[0].mandate.reference",
        "duplicate",
    ),
    (
        "revoked mandate without end",
        _set("accounts.0.bank_accounts.1.mandate.ended_on", None),
        "accounts[0].bank_accounts[1].mandate.ended_on",
        "required",
    ),
    (
        "article number twice",
        _set(
            "catalog.articles.3",
            {
                "number": "A-1001",
                "name": "Doppelt",
                "type": "option",
                "tax_category": "S",
                "price": "1",
            },
        ),
        "catalog.articles[3].number",
        "duplicate",
    ),
    (
        "article of an unknown type",
        _set("catalog.articles.0.type", "hardware"),
        "catalog.articles[0].type",
        "not_found",
    ),
    (
        "tariff add-on is no add-on article",
        _set("catalog.modules.0.tariffs.1.addons.2", "A-2000"),
        "catalog.modules[0].tariffs[1].addons[2]",
        "not_an_addon",
    ),
    (
        "no tariff version at the start",
        _set("accounts.0.subscriptions.0.start_date", "2022-12-01"),
        "accounts[0].subscriptions[0].start_date",
        "tariff_not_valid",
    ),
    ("wrong format version", _set("format", "kontor/v2"), "format", "literal_error"),
    (
        "bad e-mail",
        _set("accounts.0.recipients.1.email", "chef(at)muster"),
        "accounts[0].recipients[1].email",
        "invalid_email",
    ),
    (
        "company without name",
        _set("accounts.1.contract_party.company_name", ""),
        "accounts[1].contract_party.company_name",
        "required",
    ),
    (
        "deviating price while switched off",
        _set("accounts.0.subscriptions.0.deviating_price", "5"),
        "accounts[0].subscriptions[0].deviating_price",
        "setting_off",
    ),
]


@pytest.mark.parametrize(
    ("change", "path", "code"), [case[1:] for case in CASES], ids=[case[0] for case in CASES]
)
def test_invalid_file_names_path_and_reason_and_writes_nothing(manager, change, path, code):
    payload = example()
    change(payload)
    before = row_counts()

    with pytest.raises(ImportRejected) as caught:
        data_import(actor=manager, payload=payload)

    assert [(e.field, e.code) for e in caught.value.errors] == [(path, code)]
    assert caught.value.errors[0].message
    assert row_counts() == before


def test_float_money_message_says_how_to_write_it(manager):
    payload = example()
    payload["catalog"]["articles"][0]["price"] = 2.5

    with pytest.raises(ImportRejected) as caught:
        data_import(actor=manager, payload=payload)

    assert "not as a float" in caught.value.errors[0].message
    assert '"12.90"' in caught.value.errors[0].message


def test_every_problem_is_reported_at_once(manager):
    payload = example()
    payload["catalog"]["articles"][0]["price"] = 2.5  # schema; A-1001 is still referenced
    payload["accounts"][0]["bank_accounts"][0]["iban"] = "DE00"
    payload["accounts"][1]["vat_id"] = "ATU1"
    payload["accounts"][1]["is_test"] = "no"  # schema
    payload["accounts"][2]["subscriptions"][0]["tariff"] = "NOPE"

    with pytest.raises(ImportRejected) as caught:
        data_import(actor=manager, payload=payload)

    assert [(e.field, e.code) for e in caught.value.errors] == [
        ("catalog.articles[0].price", "float_not_allowed"),
        ("accounts[1].is_test", "bool_type"),
        ("accounts[0].bank_accounts[0].iban", "invalid_iban"),
        ("accounts[2].subscriptions[0].tariff", "not_found"),
    ]


def test_loading_the_same_file_again_refuses_duplicates_and_changes_nothing(manager):
    data_import(actor=manager, payload=example())
    before = row_counts()

    with pytest.raises(ImportRejected) as caught:
        data_import(actor=manager, payload=example())

    fields = {e.field: e.code for e in caught.value.errors}
    assert fields["catalog.tax_categories[0].code"] == "duplicate"
    assert fields["catalog.articles[0].number"] == "duplicate"
    assert fields["catalog.modules[0].tariffs[0].code"] == "duplicate"
    assert fields["customer_groups[0].name"] == "duplicate"
    assert fields["accounts[0].customer_number"] == "duplicate"
    assert fields["accounts[0].external_customer_number"] == "duplicate"
    assert fields["accounts[0].bank_accounts[0].mandate.reference"] == "duplicate"
    assert "already exists in Kontor" in caught.value.errors[0].message
    assert row_counts() == before


def test_customer_number_already_in_kontor_is_refused(manager):
    data_import(
        actor=manager, payload={"format": "kontor/v1", "accounts": [minimal_account("K-1")]}
    )
    before = row_counts()

    with pytest.raises(ImportRejected) as caught:
        data_import(
            actor=manager,
            payload={
                "format": "kontor/v1",
                "accounts": [minimal_account("K-2"), minimal_account("K-1")],
            },
        )

    assert [(e.field, e.code) for e in caught.value.errors] == [
        ("accounts[1].customer_number", "duplicate")
    ]
    assert row_counts() == before


def test_a_service_refusal_during_the_write_rolls_back_everything(manager, monkeypatch):
    def refuse(**kwargs: Any) -> None:
        raise invalid("end_date", "refused by the service", "notice_period")

    monkeypatch.setattr(write_accounts, "subscription_cancel", refuse)
    before = row_counts()

    with pytest.raises(ImportRejected) as caught:
        data_import(actor=manager, payload=example())

    assert [(e.field, e.code) for e in caught.value.errors] == [
        ("accounts[0].subscriptions[1].end_date", "notice_period")
    ]
    assert row_counts() == before


@pytest.mark.parametrize("payload", [[], "kontor", None])
def test_a_file_that_is_not_an_object_is_refused(manager, payload):
    with pytest.raises(ImportRejected) as caught:
        data_import(actor=manager, payload=payload)
    assert caught.value.errors[0].field == ""


@pytest.mark.parametrize("role", ["clerk", "accountant"])
def test_only_managers_may_import(request, role):
    actor = request.getfixturevalue(role)
    before = row_counts()

    with pytest.raises(PermissionDenied):
        data_import(actor=actor, payload=example())

    assert row_counts() == before


def test_a_file_without_format_is_refused(manager):
    with pytest.raises(ImportRejected) as caught:
        data_import(actor=manager, payload={"accounts": []})
    assert [(e.field, e.code) for e in caught.value.errors] == [("format", "missing")]
