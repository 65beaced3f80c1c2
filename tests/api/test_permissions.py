"""Role × write endpoint: allowed → 2xx, denied → 403 with the service's message and nothing
written (no audit entry, no row, no version bump). Customers act on their own account."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from kontor.catalog.models import Article, ArticleType, Module, Tariff, TariffVersion, TaxCategory
from kontor.contracts.models import Subscription, SubscriptionAddon
from kontor.core.models import AuditEntry
from kontor.customers.models import (
    Account,
    BankAccount,
    ContractPartyChangeRequest,
    LegalAcceptance,
    LegalDocument,
    Mandate,
)
from kontor.customers.services import bank_account_add, mandate_create, party_change_request
from kontor.customers.types import UploadedDocument
from tests.api.conftest import ApiClient, Response, World, party

IBAN = "DE89370400440532013000"
M, C, A, U = "manager", "clerk", "accountant", "customer"
Call = Callable[[ApiClient], Response]


def _bank(w: World) -> BankAccount:
    return bank_account_add(actor=w.manager, account_id=w.own.pk, holder="M", iban=IBAN)


def _mandate(w: World) -> Mandate:
    return mandate_create(
        actor=w.manager,
        account_id=w.own.pk,
        bank_account_id=_bank(w).pk,
        reference="MR-1",
        signed_on=date(2025, 1, 1),
    )


def _change_request(w: World) -> int:
    return party_change_request(
        actor=w.manager,
        account_id=w.own.pk,
        proposed=party(company_name="Neu GmbH"),
        reason="Umfirmierung",
        evidence=[UploadedDocument("beleg.pdf", b"%PDF")],
    ).pk


def _document(w: World) -> int:
    return LegalDocument.objects.create(
        doc_type="terms", version="1", valid_from=date(2025, 1, 1)
    ).pk


def create_account(w: World) -> Call:
    body = {"contract_party": {**party().as_dict(), "company_name": "Neu AG"}}
    return lambda api: api.post("/accounts", body)


def update_account(w: World) -> Call:
    return lambda api: api.patch(f"/accounts/{w.own.pk}", {"po_number": "PO"}, HTTP_IF_MATCH='"1"')


def set_payment_terms(w: World) -> Call:
    return lambda api: api.patch(f"/accounts/{w.own.pk}", {"payment_term_days": 30, "version": 1})


def delete_account(w: World) -> Call:
    return lambda api: api.delete(f"/accounts/{w.other.pk}")


def set_recipients(w: World) -> Call:
    body = {"recipients": [{"email": "neu@example.org"}]}
    return lambda api: api.put(f"/accounts/{w.own.pk}/recipients", body)


def add_bank_account(w: World) -> Call:
    body = {"holder": "Muster", "iban": IBAN}
    return lambda api: api.post(f"/accounts/{w.own.pk}/bank-accounts", body)


def create_mandate(w: World) -> Call:
    body = {"bank_account_id": _bank(w).pk, "reference": "MR-9", "signed_on": "2025-01-01"}
    return lambda api: api.post(f"/accounts/{w.own.pk}/mandates", body)


def revoke_mandate(w: World) -> Call:
    mandate_id = _mandate(w).pk
    return lambda api: api.post(f"/mandates/{mandate_id}/revoke", {"ended_on": "2025-03-31"})


def request_party_change(w: World) -> Call:
    def call(api: ApiClient) -> Response:
        return api.multipart(
            f"/accounts/{w.own.pk}/party-change-requests",
            {
                "reason": "Umfirmierung",
                "proposed": json.dumps(party(company_name="Neu GmbH").as_dict()),
                "evidence": [SimpleUploadedFile("beleg.pdf", b"%PDF")],
            },
        )

    return call


def approve_party_change(w: World) -> Call:
    request_id = _change_request(w)
    return lambda api: api.post(f"/party-change-requests/{request_id}/approve", {})


def reject_party_change(w: World) -> Call:
    request_id = _change_request(w)
    return lambda api: api.post(f"/party-change-requests/{request_id}/reject", {"note": "nein"})


def record_legal_acceptance(w: World) -> Call:
    body = {"document_id": _document(w), "accepted_at": "2025-03-01T10:00:00Z"}
    return lambda api: api.post(f"/accounts/{w.own.pk}/legal-acceptances", body)


def create_tax_category(w: World) -> Call:
    return lambda api: api.post("/catalog/tax-categories", {"code": "Z", "name": "Null"})


def create_tax_rate(w: World) -> Call:
    path = f"/catalog/tax-categories/{w.small.tax_category_id}/rates"
    return lambda api: api.post(path, {"rate": "16.00", "valid_from": "2020-07-01"})


def create_article_type(w: World) -> Call:
    return lambda api: api.post("/catalog/article-types", {"code": "x", "name": "X"})


def create_article(w: World) -> Call:
    body = {
        "number": "ART-2",
        "name": "Kabel",
        "article_type_id": ArticleType.objects.get().pk,
        "tax_category_id": w.small.tax_category_id,
        "price": "3.00",
    }
    return lambda api: api.post("/catalog/articles", body)


def create_module(w: World) -> Call:
    return lambda api: api.post("/catalog/modules", {"code": "NEW", "name": "Neu"})


def create_tariff(w: World) -> Call:
    body = {"module_id": w.small.tariff.module_id, "code": "WEB-XL", "name": "XL"}
    return lambda api: api.post("/catalog/tariffs", body)


def create_tariff_version(w: World) -> Call:
    body = {"valid_from": "2026-01-01", "price": "6.00", "tax_category_id": w.small.tax_category_id}
    return lambda api: api.post(f"/catalog/tariffs/{w.small.tariff_id}/versions", body)


def create_subscription(w: World) -> Call:
    body = {"tariff_version_id": w.large.pk, "start_date": "2025-04-01"}
    return lambda api: api.post(f"/accounts/{w.own.pk}/subscriptions", body)


def cancel_subscription(w: World) -> Call:
    return lambda api: api.post(f"/subscriptions/{w.subscription.pk}/cancel", {})


def change_tariff(w: World) -> Call:
    body = {"tariff_version_id": w.large.pk}
    return lambda api: api.post(f"/subscriptions/{w.subscription.pk}/change-tariff", body)


def book_addon(w: World) -> Call:
    body = {"article_id": w.addon_id, "start_date": "2025-04-01"}
    return lambda api: api.post(f"/subscriptions/{w.subscription.pk}/addons", body)


# endpoint, allowed roles, the action named in the 403 message
TABLE: list[tuple[Callable[[World], Call], set[str], str]] = [
    (create_account, {M, C}, "account.create"),
    (update_account, {M, C}, "account.update"),
    (set_payment_terms, {M}, "account.set_payment_terms"),
    (delete_account, {M}, "account.delete"),
    (set_recipients, {M, C}, "account.update"),
    (add_bank_account, {M, C}, "bank_account.manage"),
    (create_mandate, {M, C}, "mandate.manage"),
    (revoke_mandate, {M, C}, "mandate.manage"),
    (request_party_change, {M}, "contract_party.change"),
    (approve_party_change, {M}, "contract_party.change"),
    (reject_party_change, {M}, "contract_party.change"),
    (record_legal_acceptance, {M, C, U}, "legal_acceptance.record"),
    (create_tax_category, {M}, "catalog.manage"),
    (create_tax_rate, {M}, "catalog.manage"),
    (create_article_type, {M}, "catalog.manage"),
    (create_article, {M}, "catalog.manage"),
    (create_module, {M}, "catalog.manage"),
    (create_tariff, {M}, "catalog.manage"),
    (create_tariff_version, {M}, "catalog.manage"),
    (create_subscription, {M, C}, "subscription.create"),
    (cancel_subscription, {M, C, U}, "subscription.cancel"),
    (change_tariff, {M, C, U}, "subscription.change_tariff"),
    (book_addon, {M}, "subscription.book_addon"),
]

SNAPSHOT_MODELS = [
    AuditEntry,
    Account,
    BankAccount,
    Mandate,
    ContractPartyChangeRequest,
    LegalAcceptance,
    TaxCategory,
    ArticleType,
    Article,
    Module,
    Tariff,
    TariffVersion,
    Subscription,
    SubscriptionAddon,
]


def snapshot(w: World) -> dict[str, object]:
    state: dict[str, object] = {m.__name__: m.objects.count() for m in SNAPSHOT_MODELS}
    state["account_versions"] = sorted(Account.objects.values_list("pk", "version", "status"))
    state["subscription"] = Subscription.objects.filter(pk=w.subscription.pk).values().get()
    state["mandates"] = sorted(Mandate.objects.values_list("pk", "status"))
    state["requests"] = sorted(ContractPartyChangeRequest.objects.values_list("pk", "status"))
    state["rates"] = sorted(
        (str(r), v) for r, v in TaxCategory.objects.values_list("rates__rate", "rates__valid_from")
    )
    return state


CASES = [
    pytest.param(setup, role, role in allowed, action, id=f"{setup.__name__}-{role}")
    for setup, allowed, action in TABLE
    for role in (M, C, A, U)
]


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@time_machine.travel(date(2025, 3, 10), tick=False)
@pytest.mark.parametrize("setup, role, allowed, action", CASES)
def test_role_may_or_may_not_call_write_endpoint(
    world: World, setup: Callable[[World], Call], role: str, allowed: bool, action: str
):
    call = setup(world)
    api = world.api(role)
    before = snapshot(world)

    response = call(api)

    if allowed:
        assert 200 <= response.status < 300, response.body
        assert AuditEntry.objects.count() > before["AuditEntry"]
    else:
        assert response.status == 403, response.body
        assert response.body == {
            "errors": [
                {
                    "field": None,
                    "code": "permission_denied",
                    "message": f"You are not allowed to do this ({action}).",
                }
            ]
        }
        assert snapshot(world) == before
