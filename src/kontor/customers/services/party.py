"""The contract party: validated on create; afterwards changed only by a Manager through a
change request with a reason and evidence documents, approved by a Manager."""

from __future__ import annotations

import hashlib
from typing import Any

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from kontor.core import clock
from kontor.core.audit import audit
from kontor.core.errors import Conflict, FieldError, NotFound, ValidationFailed, invalid
from kontor.core.permissions import Action, require
from kontor.customers.models import (
    Account,
    ChangeRequestStatus,
    ContractParty,
    ContractPartyChangeRequest,
    EvidenceDocument,
    PartyKind,
)
from kontor.customers.types import PartyData, UploadedDocument
from kontor.customers.validators import clean_country, clean_email

PARTY_FIELDS = [f.name for f in PartyData.__dataclass_fields__.values()]
MAX_EVIDENCE_BYTES = 20 * 1024 * 1024


def clean_party(party: PartyData, prefix: str = "contract_party") -> dict[str, Any]:
    """Validate a contract party; errors name `<prefix>.<field>`."""
    errors: list[FieldError] = []
    values = {name: (getattr(party, name) or "").strip() for name in PARTY_FIELDS}
    if values["kind"] not in PartyKind.values:
        errors.append(
            FieldError(
                f"{prefix}.kind",
                "invalid_choice",
                _("Must be one of: %s.") % ", ".join(PartyKind.values),
            )
        )
    elif values["kind"] == PartyKind.COMPANY and not values["company_name"]:
        errors.append(
            FieldError(f"{prefix}.company_name", "required", _("A company needs a company name."))
        )
    elif values["kind"] == PartyKind.PERSON and not values["last_name"]:
        errors.append(
            FieldError(f"{prefix}.last_name", "required", _("A person needs a last name."))
        )
    for name in ("street", "postal_code", "city"):
        if not values[name]:
            errors.append(FieldError(f"{prefix}.{name}", "required", _("This field is required.")))
    for name, cleaner in (("country", clean_country), ("email", clean_email)):
        if name == "email" and not values[name]:
            continue
        try:
            values[name] = cleaner(values[name], f"{prefix}.{name}")
        except ValidationFailed as exc:
            errors.extend(exc.errors)
    if errors:
        raise ValidationFailed(errors)
    return values


def party_to_dict(party: ContractParty) -> dict[str, Any]:
    return {name: getattr(party, name) for name in PARTY_FIELDS}


@transaction.atomic
def party_change_request(
    *,
    actor: Any,
    account_id: int,
    proposed: PartyData,
    reason: str,
    evidence: list[UploadedDocument],
) -> ContractPartyChangeRequest:
    require(actor, Action.CONTRACT_PARTY_CHANGE)
    account = _active_account(account_id)
    values = clean_party(proposed, "proposed")
    if not reason.strip():
        raise invalid("reason", _("Give the reason for the change."), "required")
    if not evidence:
        raise invalid(
            "evidence",
            _("Attach at least one evidence document (e.g. an official letter or minutes)."),
            "required",
        )
    for index, doc in enumerate(evidence):
        if not doc.content:
            raise invalid(f"evidence[{index}]", _("The file %s is empty.") % doc.name, "empty_file")
        if len(doc.content) > MAX_EVIDENCE_BYTES:
            raise invalid(
                f"evidence[{index}]",
                _("The file %s is larger than 20 MB.") % doc.name,
                "file_too_large",
            )
    try:
        with transaction.atomic():
            request = ContractPartyChangeRequest.objects.create(
                account=account, proposed=values, reason=reason.strip(), requested_by=actor
            )
    except IntegrityError as exc:
        raise Conflict(
            _("This account already has a pending contract party change request."),
            code="pending_request_exists",
        ) from exc
    for doc in evidence:
        EvidenceDocument.objects.create(
            change_request=request,
            description=doc.description,
            sha256=hashlib.sha256(doc.content).hexdigest(),
            file=ContentFile(doc.content, name=doc.name),
        )
    audit(actor, "contract_party.change_requested", account, request=request.pk, reason=reason)
    return request


@transaction.atomic
def party_change_approve(*, actor: Any, request_id: int, note: str = "") -> ContractParty:
    require(actor, Action.CONTRACT_PARTY_CHANGE)
    request = _pending_request(request_id)
    party = ContractParty.objects.select_for_update().get(account__pk=request.account_id)
    request.previous = party_to_dict(party)
    for name, value in request.proposed.items():
        setattr(party, name, value)
    party.version += 1
    party._change_reason = f"change request {request.pk}: {request.reason}"  # type: ignore[attr-defined]
    party._history_user = actor  # type: ignore[attr-defined]
    party.save()
    _decide(request, actor, ChangeRequestStatus.APPROVED, note)
    audit(
        actor,
        "contract_party.changed",
        request.account,
        request=request.pk,
        old=request.previous,
        new=request.proposed,
    )
    return party


@transaction.atomic
def party_change_reject(*, actor: Any, request_id: int, note: str) -> ContractPartyChangeRequest:
    require(actor, Action.CONTRACT_PARTY_CHANGE)
    request = _pending_request(request_id)
    if not note.strip():
        raise invalid("note", _("Say why the request is rejected."), "required")
    _decide(request, actor, ChangeRequestStatus.REJECTED, note)
    audit(actor, "contract_party.change_rejected", request.account, request=request.pk, note=note)
    return request


def _decide(request: ContractPartyChangeRequest, actor: Any, status: str, note: str) -> None:
    request.status = status
    request.decided_by = actor
    request.decided_at = clock.now()
    request.decision_note = note.strip()
    request.save()


def _pending_request(request_id: int) -> ContractPartyChangeRequest:
    try:
        request = ContractPartyChangeRequest.objects.select_for_update().get(pk=request_id)
    except ContractPartyChangeRequest.DoesNotExist as exc:
        raise NotFound(_("Change request %s does not exist.") % request_id) from exc
    if request.status != ChangeRequestStatus.PENDING:
        raise Conflict(
            _("This change request was already decided (%s).") % request.get_status_display(),
            code="already_decided",
        )
    return request


def _active_account(account_id: int) -> Account:
    from kontor.customers.selectors import active_account_or_404

    return active_account_or_404(account_id)
