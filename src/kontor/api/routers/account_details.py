"""Bank accounts, SEPA mandates, contract party change requests and legal acceptances."""

from typing import Any

import pydantic
from django.http import HttpRequest
from ninja import File, Form, Router, Status
from ninja.errors import ValidationError
from ninja.files import UploadedFile

from kontor.api.schemas.accounts import (
    BankAccountIn,
    BankAccountOut,
    ChangeRequestOut,
    DecisionIn,
    LegalAcceptanceIn,
    LegalAcceptanceOut,
    MandateIn,
    MandateOut,
    MandateRevokeIn,
    PartyIn,
    PartyOut,
)
from kontor.api.schemas.common import ERRORS
from kontor.core import clock
from kontor.customers.services import (
    bank_account_add,
    legal_acceptance_record,
    mandate_create,
    mandate_revoke,
    party_change_approve,
    party_change_reject,
    party_change_request,
)
from kontor.customers.types import PartyData, UploadedDocument

router = Router(tags=["accounts"])


@router.post(
    "/accounts/{account_id}/bank-accounts",
    response={201: BankAccountOut, **ERRORS},
    summary="Add a bank account",
)
def add_bank_account(request: HttpRequest, account_id: int, payload: BankAccountIn) -> Any:
    return Status(
        201, bank_account_add(actor=request.auth, account_id=account_id, **payload.model_dump())
    )


@router.post(
    "/accounts/{account_id}/mandates",
    response={201: MandateOut, **ERRORS},
    summary="Add a SEPA mandate",
)
def create_mandate(request: HttpRequest, account_id: int, payload: MandateIn) -> Any:
    return Status(
        201, mandate_create(actor=request.auth, account_id=account_id, **payload.model_dump())
    )


@router.post(
    "/mandates/{mandate_id}/revoke",
    response={200: MandateOut, **ERRORS},
    summary="Revoke a SEPA mandate",
)
def revoke_mandate(request: HttpRequest, mandate_id: int, payload: MandateRevokeIn) -> Any:
    return mandate_revoke(
        actor=request.auth, mandate_id=mandate_id, ended_on=payload.ended_on or clock.today()
    )


def _proposed_party(raw: str) -> PartyData:
    try:
        party = PartyIn.model_validate_json(raw)
    except pydantic.ValidationError as exc:
        errors = []
        for error in exc.errors(include_url=False):
            error = dict(error)
            error.pop("input", None)
            error["loc"] = ("form", "proposed", *error["loc"])
            errors.append(error)
        raise ValidationError(errors) from exc
    return PartyData(**party.model_dump())


@router.post(
    "/accounts/{account_id}/party-change-requests",
    response={201: ChangeRequestOut, **ERRORS},
    summary="Request a contract party change (multipart: reason, proposed, evidence files)",
)
def request_party_change(
    request: HttpRequest,
    account_id: int,
    reason: Form[str],
    proposed: Form[str],
    evidence: File[list[UploadedFile]] = None,  # type: ignore[assignment]
) -> Any:
    """`proposed` is the new contract party as JSON (the fields of `PartyIn`)."""
    documents = [
        UploadedDocument(name=f.name or "evidence", content=f.read()) for f in evidence or []
    ]
    return Status(
        201,
        party_change_request(
            actor=request.auth,
            account_id=account_id,
            proposed=_proposed_party(proposed),
            reason=reason,
            evidence=documents,
        ),
    )


@router.post(
    "/party-change-requests/{request_id}/approve",
    response={200: PartyOut, **ERRORS},
    summary="Approve a change request; returns the changed contract party",
)
def approve_party_change(request: HttpRequest, request_id: int, payload: DecisionIn) -> Any:
    return party_change_approve(actor=request.auth, request_id=request_id, note=payload.note)


@router.post(
    "/party-change-requests/{request_id}/reject",
    response={200: ChangeRequestOut, **ERRORS},
    summary="Reject a change request (note required)",
)
def reject_party_change(request: HttpRequest, request_id: int, payload: DecisionIn) -> Any:
    return party_change_reject(actor=request.auth, request_id=request_id, note=payload.note)


@router.post(
    "/accounts/{account_id}/legal-acceptances",
    response={201: LegalAcceptanceOut, **ERRORS},
    summary="Record the acceptance of a legal document version",
)
def record_legal_acceptance(
    request: HttpRequest, account_id: int, payload: LegalAcceptanceIn
) -> Any:
    return Status(
        201,
        legal_acceptance_record(
            actor=request.auth,
            account_id=account_id,
            document_id=payload.document_id,
            accepted_at=payload.accepted_at,
            ip_address=str(payload.ip_address) if payload.ip_address else None,
        ),
    )
