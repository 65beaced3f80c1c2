"""Bank accounts, SEPA mandates, contract party change requests, legal acceptances."""

from __future__ import annotations

import hashlib
import json
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from kontor.customers.models import (
    BankAccount,
    ContractPartyChangeRequest,
    LegalAcceptance,
    LegalDocument,
    Mandate,
)
from kontor.customers.services import bank_account_add, mandate_create
from tests.api.conftest import ApiClient, World

IBAN = "DE89370400440532013000"
PROPOSED = {
    "kind": "company",
    "company_name": "Muster Holding GmbH",
    "street": "Neuer Weg 2",
    "postal_code": "20095",
    "city": "Hamburg",
}


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def test_add_bank_account_derives_the_bic(api: ApiClient, world: World):
    response = api.post(
        f"/accounts/{world.own.pk}/bank-accounts", {"holder": "Muster GmbH", "iban": IBAN}
    )

    assert response.status == 201
    assert {k: response.body[k] for k in ("holder", "iban", "bic")} == {
        "holder": "Muster GmbH",
        "iban": IBAN,
        "bic": "COBADEFFXXX",
    }
    detail = api.get(f"/accounts/{world.own.pk}").body
    assert [b["iban"] for b in detail["bank_accounts"]] == [IBAN]


def test_add_bank_account_with_bad_iban_is_422_and_writes_nothing(api: ApiClient, world: World):
    response = api.post(
        f"/accounts/{world.own.pk}/bank-accounts", {"holder": "Muster GmbH", "iban": "DE00123"}
    )

    assert response.status == 422
    assert [(e["field"], e["code"]) for e in response.body["errors"]] == [("iban", "invalid_iban")]
    assert not BankAccount.objects.exists()


def test_mandate_create_and_revoke(api: ApiClient, world: World):
    bank = bank_account_add(actor=world.manager, account_id=world.own.pk, holder="M", iban=IBAN)

    created = api.post(
        f"/accounts/{world.own.pk}/mandates",
        {"bank_account_id": bank.pk, "reference": "MR-0001", "signed_on": "2025-02-01"},
    )
    revoked = api.post(f"/mandates/{created.body['id']}/revoke", {"ended_on": "2025-06-30"})

    assert created.status == 201
    assert created.body == {
        "id": created.body["id"],
        "account_id": world.own.pk,
        "bank_account_id": bank.pk,
        "reference": "MR-0001",
        "signed_on": "2025-02-01",
        "scheme": "CORE",
        "status": "active",
        "ended_on": None,
    }
    assert revoked.status == 200
    assert (revoked.body["status"], revoked.body["ended_on"]) == ("revoked", "2025-06-30")


def test_second_active_mandate_is_409(api: ApiClient, world: World):
    bank = bank_account_add(actor=world.manager, account_id=world.own.pk, holder="M", iban=IBAN)
    mandate_create(
        actor=world.manager,
        account_id=world.own.pk,
        bank_account_id=bank.pk,
        reference="MR-0001",
        signed_on=date(2025, 1, 1),
    )

    response = api.post(
        f"/accounts/{world.own.pk}/mandates",
        {"bank_account_id": bank.pk, "reference": "MR-0002", "signed_on": "2025-02-01"},
    )

    assert response.status == 409
    assert response.body == {
        "errors": [
            {
                "field": "reference",
                "code": "active_mandate_exists",
                "message": "The account already has an active SEPA mandate (MR-0001). "
                "Revoke it before adding a new one.",
            }
        ]
    }
    assert Mandate.objects.count() == 1


def test_revoke_unknown_mandate_is_404(api: ApiClient, world: World):
    response = api.post("/mandates/4711/revoke", {})

    assert response.status == 404
    assert response.body == {
        "errors": [{"field": None, "code": "not_found", "message": "Mandate 4711 does not exist."}]
    }


def _change_request(api: ApiClient, world: World, **overrides):
    data = {
        "reason": "Umfirmierung laut Handelsregister",
        "proposed": json.dumps(PROPOSED),
        "evidence": [SimpleUploadedFile("hr-auszug.pdf", b"%PDF-1.7 evidence")],
    }
    data.update(overrides)
    return api.multipart(f"/accounts/{world.own.pk}/party-change-requests", data)


def test_party_change_request_with_evidence_then_approve(api: ApiClient, world: World):
    requested = _change_request(api, world)
    approved = api.post(f"/party-change-requests/{requested.body['id']}/approve", {"note": "ok"})

    assert requested.status == 201
    assert requested.body["status"] == "pending"
    assert requested.body["reason"] == "Umfirmierung laut Handelsregister"
    assert requested.body["proposed"]["company_name"] == "Muster Holding GmbH"
    [evidence] = requested.body["evidence"]
    assert evidence["name"].startswith("hr-auszug")
    assert evidence["sha256"] == hashlib.sha256(b"%PDF-1.7 evidence").hexdigest()
    assert approved.status == 200
    assert approved.body["display_name"] == "Muster Holding GmbH"
    assert approved.body["city"] == "Hamburg"
    assert approved.body["version"] == 2


def test_party_change_request_without_evidence_is_422(api: ApiClient, world: World):
    response = _change_request(api, world, evidence=[])

    assert response.status == 422
    assert [(e["field"], e["code"]) for e in response.body["errors"]] == [("evidence", "required")]
    assert not ContractPartyChangeRequest.objects.exists()


def test_party_change_request_with_invalid_proposal_names_the_field(api: ApiClient, world: World):
    response = _change_request(api, world, proposed=json.dumps({**PROPOSED, "kind": None}))

    assert response.status == 422
    assert [(e["field"], e["code"]) for e in response.body["errors"]] == [
        ("proposed.kind", "string_type")
    ]
    assert not ContractPartyChangeRequest.objects.exists()


def test_party_change_request_with_unparsable_proposal_is_422(api: ApiClient, world: World):
    response = _change_request(api, world, proposed="{kind: company")

    assert response.status == 422
    assert [(e["field"], e["code"]) for e in response.body["errors"]] == [
        ("proposed", "invalid_json")
    ]


def test_reject_needs_a_note_and_decided_requests_are_409(api: ApiClient, world: World):
    request_id = _change_request(api, world).body["id"]

    no_note = api.post(f"/party-change-requests/{request_id}/reject", {})
    rejected = api.post(f"/party-change-requests/{request_id}/reject", {"note": "Beleg fehlt"})
    again = api.post(f"/party-change-requests/{request_id}/approve", {})

    assert no_note.status == 422
    assert no_note.body["errors"][0]["field"] == "note"
    assert rejected.status == 200
    assert (rejected.body["status"], rejected.body["decision_note"]) == ("rejected", "Beleg fehlt")
    assert again.status == 409
    assert again.body["errors"][0]["code"] == "already_decided"


def test_record_legal_acceptance(world: World):
    document = LegalDocument.objects.create(
        doc_type="terms", version="2025-01", valid_from=date(2025, 1, 1)
    )

    response = world.api("customer").post(
        f"/accounts/{world.own.pk}/legal-acceptances",
        {
            "document_id": document.pk,
            "accepted_at": "2025-03-01T10:15:00+01:00",
            "ip_address": "203.0.113.7",
        },
    )

    assert response.status == 201
    assert response.body == {
        "id": response.body["id"],
        "account_id": world.own.pk,
        "document_id": document.pk,
        "accepted_at": "2025-03-01T10:15:00+01:00",
        "ip_address": "203.0.113.7",
    }


@pytest.mark.parametrize(
    "body, field, code",
    [
        ({"accepted_at": "2025-03-01T10:15:00"}, "accepted_at", "naive_datetime"),
        ({"ip_address": "999.1.1.1"}, "ip_address", "ip_any_address"),
        ({"document_id": 4711}, "document", "not_found"),
    ],
)
def test_legal_acceptance_errors(api: ApiClient, world: World, body, field, code):
    document = LegalDocument.objects.create(
        doc_type="terms", version="2025-01", valid_from=date(2025, 1, 1)
    )
    payload = {"document_id": document.pk, "accepted_at": "2025-03-01T10:15:00Z", **body}

    response = api.post(f"/accounts/{world.own.pk}/legal-acceptances", payload)

    assert response.status == 422
    assert [(e["field"], e["code"]) for e in response.body["errors"]] == [(field, code)]
    assert not LegalAcceptance.objects.exists()
