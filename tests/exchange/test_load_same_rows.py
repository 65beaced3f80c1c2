"""An import of a realistic file (tests/exchange/data/realistic-80.json, written by
`bench.import_load --accounts 80 --write-file`) writes exactly the rows it wrote before the
import was made faster: the same rows per table (business rows, change-log history, audit
entries), the same values, versions and order. The expected figures were recorded with the
per-row import (commit ea920e0); any change to them is a change of behaviour, not of speed.

Row ids differ between databases and runs, so every row is named by its place in its table
(in id order) and every reference by the place of the row it points to; users by username;
timestamps only by whether they are set."""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from django.db import models

from kontor.billing.models import BillingSettings
from kontor.contracts.models import EndReason, Subscription
from kontor.core.models import AuditEntry, Sequence
from kontor.customers.models import Account, Mandate, MandateStatus
from kontor.exchange.loader import data_import

FILE = Path(__file__).parent / "data" / "realistic-80.json"
APPS = ("catalog", "customers", "contracts", "core")
# Recorded with the per-row import (commit ea920e0) on SQLite and PostgreSQL.
RECORDED_ROWS = {
    "catalog.Article": 4,
    "catalog.ArticleType": 2,
    "catalog.HistoricalArticle": 4,
    "catalog.HistoricalModule": 4,
    "catalog.HistoricalTariff": 11,
    "catalog.HistoricalTariffVersion": 10,
    "catalog.HistoricalTariff_addons": 6,
    "catalog.HistoricalTaxCategory": 2,
    "catalog.HistoricalTaxRate": 4,
    "catalog.Module": 4,
    "catalog.Tariff": 8,
    "catalog.TariffVersion": 10,
    "catalog.Tariff_addons": 6,
    "catalog.TaxCategory": 2,
    "catalog.TaxRate": 4,
    "contracts.Contract": 101,
    "contracts.HistoricalContract": 101,
    "contracts.HistoricalSubscription": 133,
    "contracts.HistoricalSubscriptionAddon": 24,
    "contracts.Subscription": 124,
    "contracts.SubscriptionAddon": 24,
    "core.AuditEntry": 409,
    "core.Sequence": 1,
    "customers.Account": 80,
    "customers.BankAccount": 67,
    "customers.Branch": 3,
    "customers.ContractParty": 80,
    "customers.CustomerGroup": 4,
    "customers.HistoricalAccount": 80,
    "customers.HistoricalBankAccount": 67,
    "customers.HistoricalBranch": 3,
    "customers.HistoricalContractParty": 80,
    "customers.HistoricalCustomerGroup": 4,
    "customers.HistoricalInvoiceRecipient": 83,
    "customers.HistoricalMandate": 64,
    "customers.InvoiceRecipient": 83,
    "customers.Mandate": 60,
}
RECORDED_AUDIT = {
    "account.created": 80,
    "bank_account.added": 67,
    "branch.created": 3,
    "catalog.article_created": 4,
    "catalog.article_type_created": 2,
    "catalog.module_created": 4,
    "catalog.tariff_created": 8,
    "catalog.tariff_version_created": 10,
    "catalog.tax_category_created": 2,
    "catalog.tax_rate_created": 4,
    "customer_group.created": 4,
    "mandate.created": 60,
    "mandate.revoked": 4,
    "subscription.addon_booked": 24,
    "subscription.cancelled": 9,
    "subscription.created": 124,
}
RECORDED_DIGEST = "45ce208ae4b0078c27409686cb9faf0534d33bb3bab4c449cd0c3a56f2a8713c"
# With services refusing A-1002 add-ons and one IBAN (the last test), as reported before.
RECORDED_REFUSALS = [
    ("accounts[5].bank_accounts[0].iban", "refused"),
    ("accounts[5].subscriptions[0].addons[1].article", "refused"),
    ("accounts[15].subscriptions[1].addons[1].article", "refused"),
    ("accounts[17].subscriptions[0].addons[1].article", "refused"),
    ("accounts[45].subscriptions[1].addons[0].article", "refused"),
    ("accounts[56].subscriptions[0].addons[0].article", "refused"),
    ("accounts[66].subscriptions[1].addons[0].article", "refused"),
    ("accounts[72].subscriptions[0].addons[1].article", "refused"),
    ("accounts[72].subscriptions[1].addons[0].article", "refused"),
    ("accounts[76].subscriptions[1].addons[1].article", "refused"),
]
# Audit payload keys that hold the id of a subscription.
SUBSCRIPTION_KEYS = ("subscription", "successor")


def _models() -> list[type[models.Model]]:
    return [m for m in apps.get_models(include_auto_created=True) if m._meta.app_label in APPS]


def _ordinals() -> dict[str, dict[Any, int]]:
    """model label → pk → place in the table."""
    return {
        m._meta.label_lower: {
            pk: n
            for n, pk in enumerate(m._default_manager.order_by("pk").values_list("pk", flat=True))
        }
        for m in _models()
    }


def _value(field: models.Field, value: Any, places: dict[str, dict[Any, int]]) -> Any:
    if value is None:
        return None
    if isinstance(field, models.DateTimeField):
        return "set"
    if field.is_relation:
        target = field.related_model._meta.label_lower  # type: ignore[union-attr]
        if target == "auth.user":
            return field.related_model.objects.get(pk=value).get_username()  # type: ignore[union-attr]
        return f"{target}#{places[target][value]}" if target in places else value
    if field.primary_key:
        return None  # the place in the table names the row
    return str(value)


def _row(model: type[models.Model], row: dict[str, Any], places: dict[str, dict[Any, int]]) -> Any:
    values = {}
    for field in model._meta.concrete_fields:
        value = row[field.attname]
        if getattr(model, "instance_type", None) is not None and field.name == "id":
            original = model.instance_type._meta.label_lower  # type: ignore[attr-defined]
            values["id"] = f"{original}#{places[original][value]}"  # the row it is history of
            continue
        values[field.name] = _value(field, value, places)
    if model is AuditEntry:
        target = row["target_type"]
        values["target_id"] = f"{target}#{places.get(target, {}).get(int(row['target_id']))}"
        data = dict(row["data"])
        for key in SUBSCRIPTION_KEYS:
            if key in data:
                data[key] = f"subscription#{places['contracts.subscription'][data[key]]}"
        values["data"] = data
    return values


def snapshot() -> dict[str, list[Any]]:
    places = _ordinals()
    return {
        m._meta.label: [_row(m, row, places) for row in m._default_manager.order_by("pk").values()]
        for m in _models()
    }


def digest(data: dict[str, list[Any]]) -> str:
    text = json.dumps(data, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def test_realistic_import_writes_the_recorded_rows(manager):
    BillingSettings.objects.update_or_create(pk=1, defaults={"deviating_price_changeable": True})
    payload = json.loads(FILE.read_text(encoding="utf-8"))

    report = data_import(actor=manager, payload=payload)

    data = snapshot()
    counts = {label: len(rows) for label, rows in data.items() if rows}
    actions = Counter(entry["action"] for entry in data["core.AuditEntry"])
    assert report.counts == {
        "tax_categories": 2,
        "article_types": 2,
        "articles": 4,
        "modules": 4,
        "tariffs": 8,
        "customer_groups": 4,
        "branches": 3,
        "accounts": 80,
        "bank_accounts": 67,
        "mandates": 60,
        "subscriptions": 124,
        "addons": 24,
    }
    assert counts == RECORDED_ROWS
    assert dict(actions) == RECORDED_AUDIT
    assert digest(data) == RECORDED_DIGEST, "same counts, but some value, version or order differs"


def test_realistic_import_samples(manager):
    """A few of the recorded values spelled out, so a changed digest has a readable neighbour."""
    BillingSettings.objects.update_or_create(pk=1, defaults={"deviating_price_changeable": True})
    data_import(actor=manager, payload=json.loads(FILE.read_text(encoding="utf-8")))

    auto = Account.objects.get(customer_number="K-00001")
    assert auto.contract_party.company_name == "Firma 6 GmbH"
    assert (auto.version, auto.history.count()) == (1, 1)
    assert Sequence.objects.get(name="customer_number").last_value == 16

    expired = Mandate.objects.get(reference="MR-36-0")
    assert (expired.status, expired.ended_on) == (MandateStatus.EXPIRED, date(2024, 6, 9))
    assert [h.status for h in expired.history.order_by("history_id")] == ["active", "revoked"]

    cancelled = Subscription.objects.get(
        account__customer_number="IMP-000066", notice_given_on__isnull=False
    )
    assert (cancelled.end_reason, cancelled.version) == (EndReason.CANCELLED, 2)
    assert cancelled.notice_given_on == date(2024, 3, 26)
    addon = cancelled.addons.get()
    assert addon.end_date == cancelled.end_date
    assert [h.end_date for h in addon.history.all()] == [None]  # set by an update, no history
    assert [h.version for h in cancelled.history.order_by("history_id")] == [1, 2]
    assert AuditEntry.objects.filter(
        action="subscription.cancelled", target_id=str(cancelled.account_id)
    ).get().data["end_date"] == str(cancelled.end_date)


def test_refusals_during_the_write_are_reported_as_before_and_nothing_is_kept(manager, monkeypatch):
    """Services refuse after writing (as a spending limit does): every refusal is reported
    under its path, several in one account too, and nothing of the import is kept."""
    from kontor.core.errors import invalid
    from kontor.exchange import write_accounts
    from kontor.exchange.problems import ImportRejected

    book_addon, add_bank_account = (
        write_accounts.subscription_book_addon,
        write_accounts.bank_account_add,
    )

    def refuse_ssl(**kwargs: Any) -> Any:
        addon = book_addon(**kwargs)
        if addon.article.number == "A-1002":
            raise invalid("article", "refused", "refused")
        return addon

    def refuse_one_iban(**kwargs: Any) -> Any:
        row = add_bank_account(**kwargs)
        if row.iban == "DE82500105170001000050":
            raise invalid("iban", "refused", "refused")
        return row

    monkeypatch.setattr(write_accounts, "subscription_book_addon", refuse_ssl)
    monkeypatch.setattr(write_accounts, "bank_account_add", refuse_one_iban)
    BillingSettings.objects.update_or_create(pk=1, defaults={"deviating_price_changeable": True})
    before = {label: len(rows) for label, rows in snapshot().items()}

    with pytest.raises(ImportRejected) as caught:
        data_import(actor=manager, payload=json.loads(FILE.read_text(encoding="utf-8")))

    assert [(e.field, e.code) for e in caught.value.errors] == RECORDED_REFUSALS
    assert {label: len(rows) for label, rows in snapshot().items()} == before
