"""Role × endpoint for customer groups, branches and legal documents: allowed → 2xx, denied →
403 with the service's message and nothing written (no audit entry, no row changed)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from kontor.core.models import AuditEntry
from kontor.customers.models import Branch, CustomerGroup, LegalDocument
from kontor.customers.services import branch_create, customer_group_create, legal_document_create
from kontor.customers.types import UploadedDocument
from tests.api.conftest import ApiClient, Response, World

M, C, A, U = "manager", "clerk", "accountant", "customer"
Call = Callable[[ApiClient], Response]
PDF = b"%PDF-1.7\n%%EOF\n"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _group(w: World) -> int:
    return customer_group_create(actor=w.manager, name="Vereine").pk


def _branch(w: World) -> int:
    return branch_create(actor=w.manager, code="HH", name="Hamburg").pk


def _document(w: World) -> int:
    return legal_document_create(
        actor=w.manager,
        doc_type="terms",
        version="v4",
        valid_from=date(2027, 1, 1),
        file=UploadedDocument("agb.pdf", PDF),
    ).pk


def list_groups(w: World) -> Call:
    _group(w)
    return lambda api: api.get("/customer-groups")


def get_group(w: World) -> Call:
    pk = _group(w)
    return lambda api: api.get(f"/customer-groups/{pk}")


def create_group(w: World) -> Call:
    return lambda api: api.post("/customer-groups", {"name": "Neu"})


def rename_group(w: World) -> Call:
    pk = _group(w)
    return lambda api: api.patch(f"/customer-groups/{pk}", {"name": "Clubs", "version": 1})


def delete_group(w: World) -> Call:
    pk = _group(w)
    return lambda api: api.delete(f"/customer-groups/{pk}")


def list_branches(w: World) -> Call:
    _branch(w)
    return lambda api: api.get("/branches")


def get_branch(w: World) -> Call:
    pk = _branch(w)
    return lambda api: api.get(f"/branches/{pk}")


def create_branch(w: World) -> Call:
    return lambda api: api.post("/branches", {"code": "B", "name": "Berlin"})


def update_branch(w: World) -> Call:
    pk = _branch(w)
    return lambda api: api.patch(f"/branches/{pk}", {"name": "Harburg", "version": 1})


def delete_branch(w: World) -> Call:
    pk = _branch(w)
    return lambda api: api.delete(f"/branches/{pk}")


def list_documents(w: World) -> Call:
    _document(w)
    return lambda api: api.get("/legal-documents")


def get_document(w: World) -> Call:
    pk = _document(w)
    return lambda api: api.get(f"/legal-documents/{pk}")


def create_document(w: World) -> Call:
    def call(api: ApiClient) -> Response:
        data = {"doc_type": "privacy", "version": "v1", "valid_from": "2027-01-01"}
        data["file"] = SimpleUploadedFile("privacy.pdf", PDF, "application/pdf")
        return api.multipart("/legal-documents", data)

    return call


def delete_document(w: World) -> Call:
    pk = _document(w)
    return lambda api: api.delete(f"/legal-documents/{pk}")


def denied(action: str) -> str:
    return f"You are not allowed to do this ({action})."


STAFF, MANAGE = {M, C, A}, denied("settings.manage")
# endpoint, allowed roles, the message of the 403
TABLE: list[tuple[Callable[[World], Call], set[str], str]] = [
    (list_groups, STAFF, "Only staff see customer groups."),
    (get_group, STAFF, "Only staff see customer groups."),
    (create_group, {M}, MANAGE),
    (rename_group, {M}, MANAGE),
    (delete_group, {M}, MANAGE),
    (list_branches, {M, C, A, U}, ""),
    (get_branch, {M, C, A, U}, ""),
    (create_branch, {M}, MANAGE),
    (update_branch, {M}, MANAGE),
    (delete_branch, {M}, MANAGE),
    (list_documents, {M, C, A, U}, ""),
    (get_document, {M, C, A, U}, ""),
    (create_document, {M}, MANAGE),
    (delete_document, {M}, MANAGE),
]
READS = {list_groups, get_group, list_branches, get_branch, list_documents, get_document}

CASES = [
    pytest.param(setup, role, role in allowed, message, id=f"{setup.__name__}-{role}")
    for setup, allowed, message in TABLE
    for role in (M, C, A, U)
]


def snapshot() -> dict[str, object]:
    return {
        "audit": AuditEntry.objects.count(),
        "groups": sorted(CustomerGroup.objects.values_list("pk", "version", "name")),
        "branches": sorted(Branch.objects.values_list("pk", "version", "code", "name")),
        "documents": sorted(LegalDocument.objects.values_list("pk", "version", "sha256")),
    }


@pytest.mark.parametrize("setup, role, allowed, message", CASES)
def test_role_may_or_may_not_call_endpoint(
    world: World, setup: Callable[[World], Call], role: str, allowed: bool, message: str
):
    call = setup(world)
    api = world.api(role)
    before = snapshot()

    response = call(api)

    if allowed:
        assert 200 <= response.status < 300, response.body
        assert (snapshot() == before) == (setup in READS)
    else:
        assert response.status == 403, response.body
        assert response.body == {
            "errors": [{"field": None, "code": "permission_denied", "message": message}]
        }
        assert snapshot() == before
