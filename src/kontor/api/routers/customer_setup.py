"""Customer groups, branches and legal documents (T&C / privacy versions): staff read,
managers write. Groups and branches are versioned (ETag / If-Match)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.http import FileResponse, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import File, Form, Router, Status
from ninja.files import UploadedFile

from kontor.api.schemas.common import ERRORS, VERSIONED_ERRORS
from kontor.api.schemas.customer_setup import (
    BranchIn,
    BranchOut,
    BranchPatchIn,
    CustomerGroupIn,
    CustomerGroupOut,
    CustomerGroupPatchIn,
    LegalDocumentOut,
)
from kontor.api.versioning import expected_version, set_etag
from kontor.core.errors import FieldError, NotFound, ValidationFailed
from kontor.customers.selectors import (
    branch_for_actor,
    branches_list,
    customer_group_for_actor,
    customer_groups_list,
    legal_document_for_actor,
    legal_documents_list,
)
from kontor.customers.services import (
    branch_create,
    branch_delete,
    branch_update,
    customer_group_create,
    customer_group_delete,
    customer_group_update,
    legal_document_create,
    legal_document_delete,
)
from kontor.customers.services.legal import MAX_LEGAL_DOCUMENT_BYTES
from kontor.customers.types import UploadedDocument

router = Router()
GROUPS, BRANCHES, LEGAL = ["customer groups"], ["branches"], ["legal documents"]


def _changes(payload: Any) -> dict[str, Any]:
    changes = payload.model_dump(exclude_unset=True, exclude={"version"})
    if not changes:
        fields = ", ".join(sorted(set(type(payload).model_fields) - {"version"}))
        raise ValidationFailed(
            [FieldError(None, "no_changes", _("Send at least one of: %s.") % fields)]
        )
    return changes


# --- customer groups ----------------------------------------------------------------------


@router.get(
    "/customer-groups",
    response={200: list[CustomerGroupOut], **ERRORS},
    tags=GROUPS,
    summary="List customer groups and their collective invoice profiles",
)
def list_groups(request: HttpRequest) -> Any:
    return customer_groups_list(request.auth)


@router.post(
    "/customer-groups",
    response={201: CustomerGroupOut, **ERRORS},
    tags=GROUPS,
    summary="Create a customer group (manager)",
)
def create_group(request: HttpRequest, response: HttpResponse, payload: CustomerGroupIn) -> Any:
    group = customer_group_create(actor=request.auth, **payload.model_dump())
    set_etag(response, group.version)
    return Status(201, group)


@router.get(
    "/customer-groups/{group_id}",
    response={200: CustomerGroupOut, **ERRORS},
    tags=GROUPS,
    summary="Read a customer group",
)
def get_group(request: HttpRequest, response: HttpResponse, group_id: int) -> Any:
    group = customer_group_for_actor(request.auth, group_id)
    set_etag(response, group.version)
    return group


@router.patch(
    "/customer-groups/{group_id}",
    response={200: CustomerGroupOut, **VERSIONED_ERRORS},
    tags=GROUPS,
    summary="Rename a customer group, change its description or collective invoice profile",
)
def update_group(
    request: HttpRequest, response: HttpResponse, group_id: int, payload: CustomerGroupPatchIn
) -> Any:
    """`name` and `description` need the version (If-Match or `version`); a change of
    `collective_profile` alone does not (it checks the version when one is sent). Taking the
    profile away (null): the group's accounts get what they collected on its billing date,
    then bill normally."""
    changes = _changes(payload)
    details = set(changes) - {"collective_profile"}
    group = customer_group_update(
        actor=request.auth,
        group_id=group_id,
        expected_version=expected_version(request, payload.version, required=bool(details)),
        changes=changes,
    )
    set_etag(response, group.version)
    return group


@router.delete(
    "/customer-groups/{group_id}",
    response={204: None, **ERRORS},
    tags=GROUPS,
    summary="Delete a customer group no account belongs to",
)
def delete_group(request: HttpRequest, group_id: int) -> Any:
    customer_group_delete(actor=request.auth, group_id=group_id)
    return Status(204, None)


# --- branches -------------------------------------------------------------------------------


@router.get(
    "/branches", response={200: list[BranchOut], **ERRORS}, tags=BRANCHES, summary="List branches"
)
def list_branches(request: HttpRequest) -> Any:
    return branches_list(request.auth)


@router.post(
    "/branches",
    response={201: BranchOut, **ERRORS},
    tags=BRANCHES,
    summary="Create a branch (manager)",
)
def create_branch(request: HttpRequest, response: HttpResponse, payload: BranchIn) -> Any:
    branch = branch_create(actor=request.auth, code=payload.code, name=payload.name)
    set_etag(response, branch.version)
    return Status(201, branch)


@router.get(
    "/branches/{branch_id}",
    response={200: BranchOut, **ERRORS},
    tags=BRANCHES,
    summary="Read a branch",
)
def get_branch(request: HttpRequest, response: HttpResponse, branch_id: int) -> Any:
    branch = branch_for_actor(request.auth, branch_id)
    set_etag(response, branch.version)
    return branch


@router.patch(
    "/branches/{branch_id}",
    response={200: BranchOut, **VERSIONED_ERRORS},
    tags=BRANCHES,
    summary="Rename a branch, or change its code while nothing uses it (needs If-Match)",
)
def update_branch(
    request: HttpRequest, response: HttpResponse, branch_id: int, payload: BranchPatchIn
) -> Any:
    branch = branch_update(
        actor=request.auth,
        branch_id=branch_id,
        expected_version=expected_version(request, payload.version, required=True),
        changes=_changes(payload),
    )
    set_etag(response, branch.version)
    return branch


@router.delete(
    "/branches/{branch_id}",
    response={204: None, **ERRORS},
    tags=BRANCHES,
    summary="Delete a branch nothing uses",
)
def delete_branch(request: HttpRequest, branch_id: int) -> Any:
    branch_delete(actor=request.auth, branch_id=branch_id)
    return Status(204, None)


# --- legal documents ------------------------------------------------------------------------


@router.get(
    "/legal-documents",
    response={200: list[LegalDocumentOut], **ERRORS},
    tags=LEGAL,
    summary="List T&C, privacy policy and DPA versions (newest first per type)",
)
def list_legal_documents(request: HttpRequest) -> Any:
    return legal_documents_list(request.auth)


@router.post(
    "/legal-documents",
    response={201: LegalDocumentOut, **ERRORS},
    tags=LEGAL,
    summary="Publish a new version (multipart: doc_type, version, valid_from, file; manager)",
)
def create_legal_document(
    request: HttpRequest,
    doc_type: Form[str],
    version: Form[str],
    valid_from: Form[date],
    file: File[UploadedFile],
) -> Any:
    """`file` is a PDF of at most 10 MB; its SHA-256 is stored."""
    upload = UploadedDocument(
        name=file.name or "document.pdf", content=file.read(MAX_LEGAL_DOCUMENT_BYTES + 1)
    )
    document = legal_document_create(
        actor=request.auth, doc_type=doc_type, version=version, valid_from=valid_from, file=upload
    )
    return Status(201, document)


@router.get(
    "/legal-documents/{document_id}",
    response={200: LegalDocumentOut, **ERRORS},
    tags=LEGAL,
    summary="Read a legal document version",
)
def get_legal_document(request: HttpRequest, document_id: int) -> Any:
    return legal_document_for_actor(request.auth, document_id)


@router.get(
    "/legal-documents/{document_id}/content",
    response={200: None, **ERRORS},
    tags=LEGAL,
    url_name="legal_document_content",
    summary="Download the file of a legal document version",
)
def legal_document_content(request: HttpRequest, document_id: int) -> Any:
    document = legal_document_for_actor(request.auth, document_id)
    if not document.file:
        raise NotFound(_("This version has no file."))
    return FileResponse(document.file.open("rb"), as_attachment=True)


@router.delete(
    "/legal-documents/{document_id}",
    response={204: None, **ERRORS},
    tags=LEGAL,
    summary="Delete a version no account accepted",
)
def delete_legal_document(request: HttpRequest, document_id: int) -> Any:
    legal_document_delete(actor=request.auth, document_id=document_id)
    return Status(204, None)
