"""The OpenAPI document and the docs page."""

from __future__ import annotations

import json

from django.contrib.auth.models import User
from django.test import Client

EXPECTED_PATHS = {
    "/api/v1/accounts": {"get", "post"},
    "/api/v1/accounts/{account_id}": {"get", "patch", "delete"},
    "/api/v1/accounts/{account_id}/recipients": {"put"},
    "/api/v1/accounts/{account_id}/bank-accounts": {"post"},
    "/api/v1/accounts/{account_id}/mandates": {"post"},
    "/api/v1/mandates/{mandate_id}/revoke": {"post"},
    "/api/v1/accounts/{account_id}/party-change-requests": {"post"},
    "/api/v1/party-change-requests/{request_id}/approve": {"post"},
    "/api/v1/party-change-requests/{request_id}/reject": {"post"},
    "/api/v1/accounts/{account_id}/legal-acceptances": {"post"},
    "/api/v1/catalog/modules": {"get", "post"},
    "/api/v1/catalog/tariffs": {"post"},
    "/api/v1/catalog/tariffs/{tariff_id}/versions": {"post"},
    "/api/v1/catalog/articles": {"get", "post"},
    "/api/v1/catalog/article-types": {"post"},
    "/api/v1/catalog/tax-categories": {"get", "post"},
    "/api/v1/catalog/tax-categories/{category_id}/rates": {"post"},
    "/api/v1/accounts/{account_id}/subscriptions": {"get", "post"},
    "/api/v1/subscriptions/{subscription_id}": {"get"},
    "/api/v1/subscriptions/{subscription_id}/cancel": {"post"},
    "/api/v1/subscriptions/{subscription_id}/cancellation-preview": {"get"},
    "/api/v1/subscriptions/{subscription_id}/change-tariff": {"post"},
    "/api/v1/subscriptions/{subscription_id}/addons": {"post"},
    "/api/v1/billing-runs": {"get", "post"},
    "/api/v1/billing-runs/{run_id}": {"get"},
    "/api/v1/billing-runs/{run_id}/execute": {"post"},
    "/api/v1/accounts/{account_id}/charges": {"post"},
    "/api/v1/accounts/{account_id}/invoice-now": {"post"},
    "/api/v1/invoices": {"get"},
    "/api/v1/invoices/{invoice_id}": {"get", "patch", "delete"},
    "/api/v1/invoices/{invoice_id}/lines/{position}": {"patch"},
    "/api/v1/invoices/{invoice_id}/finalize": {"post"},
    "/api/v1/invoices/{invoice_id}/credit-notes": {"post"},
    "/api/v1/invoices/{invoice_id}/documents": {"get"},
    "/api/v1/invoices/{invoice_id}/documents/rerender": {"post"},
    "/api/v1/documents/{document_id}/content": {"get"},
    "/api/v1/invoices/{invoice_id}/deliveries": {"get", "post"},
    "/api/v1/invoices/{invoice_id}/deliveries/{delivery_id}/retry": {"post"},
    "/api/v1/invoices/{invoice_id}/deliveries/release": {"post"},
    "/api/v1/collective-profiles": {"get", "post"},
    "/api/v1/collective-profiles/{profile_id}": {"get", "patch", "delete"},
    "/api/v1/customer-groups": {"get", "post"},
    "/api/v1/customer-groups/{group_id}": {"get", "patch", "delete"},
    "/api/v1/branches": {"get", "post"},
    "/api/v1/branches/{branch_id}": {"get", "patch", "delete"},
    "/api/v1/legal-documents": {"get", "post"},
    "/api/v1/legal-documents/{document_id}": {"get", "delete"},
    "/api/v1/legal-documents/{document_id}/content": {"get"},
    "/api/v1/accounts/{account_id}/collective": {"get"},
    "/api/v1/invoices/collective": {"get"},
    "/api/v1/invoices/combine": {"post"},
    "/api/v1/contracts/{contract_id}/invoices-in-advance": {"post"},
}


def test_openapi_document_lists_every_endpoint(db):
    response = Client().get("/api/v1/openapi.json")

    assert response.status_code == 200
    document = json.loads(response.content)
    assert document["info"]["title"] == "Kontor API"
    assert document["info"]["version"] == "1"
    assert {path: set(ops) for path, ops in document["paths"].items()} == EXPECTED_PATHS


def test_openapi_declares_bearer_auth_and_money_as_strings(db):
    document = json.loads(Client().get("/api/v1/openapi.json").content)

    schemes = document["components"]["securitySchemes"]
    assert schemes["BearerTokenAuth"] == {"type": "http", "scheme": "bearer"}
    version = document["components"]["schemas"]["TariffVersionOut"]["properties"]
    assert version["price"]["type"] == "string"
    patch = document["paths"]["/api/v1/accounts/{account_id}"]["patch"]
    assert "428" in patch["responses"]


def test_docs_page_renders_for_a_logged_in_staff_user(db):
    user = User.objects.create_user("staff", password="pw", is_staff=True)
    client = Client()
    client.force_login(user)

    response = client.get("/api/v1/docs")

    assert response.status_code == 200
    assert b"openapi.json" in response.content
