"""Shared helpers for the import/export tests."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from kontor.catalog.models import (
    Article,
    ArticleType,
    Module,
    Tariff,
    TariffVersion,
    TaxCategory,
    TaxRate,
)
from kontor.contracts.models import Contract, Subscription, SubscriptionAddon
from kontor.core.models import AuditEntry
from kontor.customers.models import (
    Account,
    BankAccount,
    Branch,
    ContractParty,
    CustomerGroup,
    InvoiceRecipient,
    Mandate,
)

EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "examples" / "import-example.json"
_EXAMPLE_DATA = json.loads(EXAMPLE.read_text(encoding="utf-8"))

MODELS = (
    TaxCategory,
    TaxRate,
    ArticleType,
    Article,
    Module,
    Tariff,
    TariffVersion,
    CustomerGroup,
    Branch,
    ContractParty,
    Account,
    InvoiceRecipient,
    BankAccount,
    Mandate,
    Contract,
    Subscription,
    SubscriptionAddon,
    AuditEntry,
)


def example() -> dict[str, Any]:
    """A fresh copy of docs/examples/import-example.json (tests may change it)."""
    return copy.deepcopy(_EXAMPLE_DATA)


def row_counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in MODELS}


def minimal_account(number: str | None = None, **overrides: Any) -> dict[str, Any]:
    account: dict[str, Any] = {
        "contract_party": {
            "kind": "company",
            "company_name": f"Firma {number}",
            "street": "Weg 1",
            "postal_code": "10115",
            "city": "Berlin",
        },
    }
    if number:
        account["customer_number"] = number
    account.update(overrides)
    return account
