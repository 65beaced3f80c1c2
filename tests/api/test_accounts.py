"""Accounts over HTTP: list, read, create, change with If-Match, delete, recipients."""

from __future__ import annotations

import json
from typing import Any

import pytest

from kontor.core.models import AuditEntry
from kontor.customers.models import Account, AccountStatus, Branch, CustomerGroup
from tests.api.conftest import ApiClient, World

NEW_ACCOUNT: dict[str, Any] = {
    "contract_party": {
        "kind": "person",
        "first_name": "Erika",
        "last_name": "Mustermann",
        "street": "Lindenweg 5",
        "postal_code": "80331",
        "city": "München",
        "email": "erika@example.org",
    },
    "recipients": [{"email": "buchhaltung@example.org", "delivery_mode": "link"}],
    "payment_method": "transfer",
    "language": "en",
}


def test_list_accounts_is_paginated_and_ordered_by_customer_number(api: ApiClient, world: World):
    response = api.get("/accounts", {"limit": 1})

    assert response.status == 200
    assert response.body["count"] == 2
    assert response.body["items"] == [
        {
            "id": world.own.pk,
            "customer_number": "K-00001",
            "external_customer_number": "",
            "status": "active",
            "name": "Muster GmbH",
            "group": None,
            "branch": None,
            "version": 1,
        }
    ]
    second = api.get("/accounts", {"limit": 1, "offset": 1})
    assert [item["customer_number"] for item in second.body["items"]] == ["K-00002"]


def test_list_accounts_filters_by_search_group_and_branch(api: ApiClient, world: World):
    group = CustomerGroup.objects.create(name="Reseller")
    branch = Branch.objects.create(code="HH", name="Hamburg")
    Account.objects.filter(pk=world.other.pk).update(group=group, branch=branch)

    by_search = api.get("/accounts", {"search": "andere"})
    by_group = api.get("/accounts", {"group": group.pk})
    by_branch = api.get("/accounts", {"branch": branch.pk})

    assert [a["id"] for a in by_search.body["items"]] == [world.other.pk]
    assert [a["id"] for a in by_group.body["items"]] == [world.other.pk]
    assert [a["id"] for a in by_branch.body["items"]] == [world.other.pk]


def test_customer_token_lists_and_reads_only_own_accounts(world: World):
    customer = world.api("customer")

    listing = customer.get("/accounts")
    foreign = customer.get(f"/accounts/{world.other.pk}")

    assert [a["id"] for a in listing.body["items"]] == [world.own.pk]
    assert foreign.status == 404
    assert foreign.body == {
        "errors": [
            {
                "field": None,
                "code": "not_found",
                "message": f"Account {world.other.pk} does not exist.",
            }
        ]
    }


def test_get_account_returns_details_version_and_etag(api: ApiClient, world: World):
    response = api.get(f"/accounts/{world.own.pk}")

    assert response.status == 200
    assert response.headers["ETag"] == '"1"'
    body = response.body
    assert body["version"] == 1
    assert body["customer_number"] == "K-00001"
    assert body["owner"] == world.customer.pk
    assert body["contract_party"]["display_name"] == "Muster GmbH"
    assert body["contract_party"]["street"] == "Hauptstraße 1"
    assert body["recipients"] == [
        {"email": "rechnung@muster.example", "delivery_mode": "attachment"}
    ]
    assert body["bank_accounts"] == [] and body["mandates"] == []


def test_get_unknown_account_is_404(api: ApiClient, world: World):
    response = api.get("/accounts/999999")

    assert response.status == 404
    assert response.body["errors"][0]["code"] == "not_found"


def test_create_account_with_party_and_recipients(api: ApiClient, world: World):
    response = api.post("/accounts", NEW_ACCOUNT)

    assert response.status == 201
    assert response.headers["ETag"] == '"1"'
    body = response.body
    assert body["customer_number"] == "K-00003"
    assert body["contract_party"]["display_name"] == "Erika Mustermann"
    assert body["payment_method"] == "transfer"
    assert body["language"] == "en"
    assert body["recipients"] == [{"email": "buchhaltung@example.org", "delivery_mode": "link"}]
    assert Account.objects.get(pk=body["id"]).contract_party.city == "München"


def test_create_account_reports_service_field_errors_with_dotted_paths(
    api: ApiClient, world: World
):
    payload = {**NEW_ACCOUNT, "contract_party": {**NEW_ACCOUNT["contract_party"], "city": ""}}
    payload["recipients"] = [{"email": "not-an-address"}]
    before = Account.objects.count()

    response = api.post("/accounts", payload)

    assert response.status == 422
    assert response.body == {
        "errors": [
            {
                "field": "contract_party.city",
                "code": "required",
                "message": "This field is required.",
            }
        ]
    }
    assert Account.objects.count() == before


def test_create_account_schema_errors_are_422_in_the_same_shape(api: ApiClient, world: World):
    payload = {
        "contract_party": {"first_name": "Erika", "iban": "DE00"},
        "recipients": [{"delivery_mode": "link"}],
        "is_test": "maybe",
    }
    before = AuditEntry.objects.count()

    response = api.post("/accounts", payload)

    assert response.status == 422
    errors = {(e["field"], e["code"]) for e in response.body["errors"]}
    assert errors == {
        ("contract_party.kind", "required"),
        ("contract_party.iban", "unknown_field"),
        ("recipients[0].email", "required"),
        ("is_test", "bool_parsing"),
    }
    messages = {e["field"]: e["message"] for e in response.body["errors"]}
    assert messages["contract_party.kind"] == "This field is required."
    assert messages["contract_party.iban"] == "This field is unknown."
    assert AuditEntry.objects.count() == before


def test_create_account_with_malformed_json_is_422(api: ApiClient, world: World):
    response = api.client.post(
        "/api/v1/accounts",
        data="{not json",
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {api.key}",
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.status_code == 400
    assert json.loads(response.content) == {
        "errors": [
            {
                "field": None,
                "code": "unparsable_body",
                "message": "The request body is not valid JSON or form data.",
            }
        ]
    }


STALE_MESSAGE = (
    "This record was changed by someone else since you opened it "
    "(your version 1, now 2). Reload it and apply your change again."
)


@pytest.mark.parametrize(
    "headers, body",
    [
        ({"HTTP_IF_MATCH": '"1"'}, {"po_number": "PO-7"}),
        ({"HTTP_IF_MATCH": 'W/"1"'}, {"po_number": "PO-7"}),
        ({}, {"po_number": "PO-7", "version": 1}),
    ],
    ids=["if-match", "weak-if-match", "version-field"],
)
def test_patch_changes_only_given_fields_and_bumps_version(
    api: ApiClient, world: World, headers: dict[str, str], body: dict[str, Any]
):
    response = api.patch(f"/accounts/{world.own.pk}", body, **headers)

    assert response.status == 200
    assert response.headers["ETag"] == '"2"'
    assert response.body["version"] == 2
    assert response.body["po_number"] == "PO-7"
    assert response.body["payment_method"] == "sepa_dd"  # untouched
    account = Account.objects.get(pk=world.own.pk)
    assert (account.po_number, account.version) == ("PO-7", 2)


def test_patch_without_version_is_428_and_writes_nothing(api: ApiClient, world: World):
    response = api.patch(f"/accounts/{world.own.pk}", {"po_number": "PO-7"})

    assert response.status == 428
    assert response.body == {
        "errors": [
            {
                "field": "version",
                "code": "version_required",
                "message": 'Send the version you are changing: the header If-Match: "<version>" '
                "(the ETag of your last read) or the field version.",
            }
        ]
    }
    assert Account.objects.get(pk=world.own.pk).po_number == ""


def test_patch_with_stale_version_is_409_with_the_concurrent_edit_message(
    api: ApiClient, world: World
):
    first = api.patch(f"/accounts/{world.own.pk}", {"po_number": "A"}, HTTP_IF_MATCH='"1"')
    second = api.patch(f"/accounts/{world.own.pk}", {"po_number": "B"}, HTTP_IF_MATCH='"1"')

    assert first.status == 200
    assert second.status == 409
    assert second.body == {
        "errors": [{"field": "version", "code": "stale_version", "message": STALE_MESSAGE}]
    }
    assert Account.objects.get(pk=world.own.pk).po_number == "A"


@pytest.mark.parametrize(
    "header, body, field, code",
    [
        ("abc", {"po_number": "X"}, "If-Match", "invalid"),
        ('"1"', {"po_number": "X", "version": 2}, "version", "version_mismatch"),
    ],
)
def test_patch_with_unusable_version_is_422(
    api: ApiClient, world: World, header: str, body: dict[str, Any], field: str, code: str
):
    response = api.patch(f"/accounts/{world.own.pk}", body, HTTP_IF_MATCH=header)

    assert response.status == 422
    assert [(e["field"], e["code"]) for e in response.body["errors"]] == [(field, code)]
    assert Account.objects.get(pk=world.own.pk).version == 1


def test_patch_refuses_the_contract_party(api: ApiClient, world: World):
    response = api.patch(
        f"/accounts/{world.own.pk}",
        {"contract_party": {"company_name": "Neu GmbH"}},
        HTTP_IF_MATCH='"1"',
    )

    assert response.status == 422
    assert response.body == {
        "errors": [
            {
                "field": "contract_party",
                "code": "not_editable",
                "message": "The contract party can only be changed through a change request.",
            }
        ]
    }


def test_patch_of_unknown_account_is_404(api: ApiClient, world: World):
    response = api.patch("/accounts/999999", {"po_number": "X"}, HTTP_IF_MATCH='"1"')

    assert response.status == 404
    assert response.body["errors"][0]["code"] == "not_found"


def test_clerk_may_not_set_payment_terms(world: World):
    response = world.api("clerk").patch(
        f"/accounts/{world.own.pk}", {"payment_term_days": 30}, HTTP_IF_MATCH='"1"'
    )

    assert response.status == 403
    assert response.body == {
        "errors": [
            {
                "field": None,
                "code": "permission_denied",
                "message": "You are not allowed to do this (account.set_payment_terms).",
            }
        ]
    }
    assert Account.objects.get(pk=world.own.pk).payment_term_days is None


def test_delete_anonymises_an_account_without_modules(api: ApiClient, world: World):
    response = api.delete(f"/accounts/{world.other.pk}")

    assert response.status == 200
    assert response.body["status"] == "deleted"
    assert response.body["contract_party"]["display_name"] == "Deleted customer K-00002"
    assert response.body["recipients"] == []
    assert Account.objects.get(pk=world.other.pk).status == AccountStatus.DELETED


def test_delete_with_active_modules_is_409_listing_them(api: ApiClient, world: World):
    response = api.delete(f"/accounts/{world.own.pk}")

    assert response.status == 409
    assert response.body == {
        "errors": [
            {
                "field": None,
                "code": "active_modules",
                "message": "The account still has modules that have not ended: "
                "Webhosting – Tarif WEB-S (until open-ended). Cancel them first and wait "
                "until their end date has passed.",
            }
        ]
    }
    assert Account.objects.get(pk=world.own.pk).status == AccountStatus.ACTIVE


def test_put_recipients_replaces_the_list(api: ApiClient, world: World):
    response = api.put(
        f"/accounts/{world.own.pk}/recipients",
        {
            "recipients": [
                {"email": "a@example.org"},
                {"email": "b@example.org", "delivery_mode": "link"},
            ]
        },
        HTTP_IF_MATCH='"1"',
    )

    assert response.status == 200
    assert response.headers["ETag"] == '"2"'
    assert response.body["recipients"] == [
        {"email": "a@example.org", "delivery_mode": "attachment"},
        {"email": "b@example.org", "delivery_mode": "link"},
    ]


def test_put_recipients_with_duplicate_is_422_and_keeps_the_old_list(api: ApiClient, world: World):
    response = api.put(
        f"/accounts/{world.own.pk}/recipients",
        {"recipients": [{"email": "a@example.org"}, {"email": "A@example.org"}]},
    )

    assert response.status == 422
    assert response.body == {
        "errors": [
            {
                "field": "recipients[1].email",
                "code": "duplicate",
                "message": "A@example.org is listed twice.",
            }
        ]
    }
    assert list(world.own.recipients.values_list("email", flat=True)) == ["rechnung@muster.example"]
