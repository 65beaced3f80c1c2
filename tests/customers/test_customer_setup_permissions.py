"""Role × service for customer groups, branches and legal documents, at the layer the back
office and the API share: writes are Manager-only (settings.manage); staff read everything;
customers read branches and legal documents, never groups; a refusal writes nothing."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from django.contrib.auth.models import User

from kontor.core.errors import PermissionDenied
from kontor.core.models import AuditEntry
from kontor.core.permissions import Role
from kontor.customers import selectors
from kontor.customers import services as s
from kontor.customers.models import Branch, CustomerGroup, LegalDocument
from kontor.customers.types import UploadedDocument
from tests.builders import account
from tests.conftest import make_user

pytestmark = pytest.mark.django_db
PDF = UploadedDocument("agb.pdf", b"%PDF-1.7\n%%EOF\n")


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def world(manager: User) -> dict[str, Any]:
    customer = make_user("kunde", Role.CUSTOMER)
    account(manager, owner=customer.pk)
    return {
        "group": s.customer_group_create(actor=manager, name="Vereine").pk,
        "branch": s.branch_create(actor=manager, code="HH", name="Hamburg").pk,
        "document": s.legal_document_create(
            actor=manager, doc_type="terms", version="v4", valid_from=date(2027, 1, 1), file=PDF
        ).pk,
        Role.CUSTOMER: customer,
    }


CALLS: dict[str, Callable[[Any, dict[str, Any]], object]] = {
    "group_list": lambda a, w: list(selectors.customer_groups_list(a)),
    "group_read": lambda a, w: selectors.customer_group_for_actor(a, w["group"]),
    "group_create": lambda a, w: s.customer_group_create(actor=a, name="Neu"),
    "group_update": lambda a, w: s.customer_group_update(
        actor=a, group_id=w["group"], expected_version=1, changes={"name": "Clubs"}
    ),
    "group_delete": lambda a, w: s.customer_group_delete(actor=a, group_id=w["group"]),
    "branch_list": lambda a, w: list(selectors.branches_list(a)),
    "branch_read": lambda a, w: selectors.branch_for_actor(a, w["branch"]),
    "branch_create": lambda a, w: s.branch_create(actor=a, code="B", name="Berlin"),
    "branch_update": lambda a, w: s.branch_update(
        actor=a, branch_id=w["branch"], expected_version=1, changes={"name": "Harburg"}
    ),
    "branch_delete": lambda a, w: s.branch_delete(actor=a, branch_id=w["branch"]),
    "document_list": lambda a, w: list(selectors.legal_documents_list(a)),
    "document_read": lambda a, w: selectors.legal_document_for_actor(a, w["document"]),
    "document_create": lambda a, w: s.legal_document_create(
        actor=a, doc_type="privacy", version="v1", valid_from=date(2027, 1, 1), file=PDF
    ),
    "document_update": lambda a, w: s.legal_document_update(
        actor=a, document_id=w["document"], changes={"version": "v4.1"}
    ),
    "document_delete": lambda a, w: s.legal_document_delete(actor=a, document_id=w["document"]),
}
ALL, STAFF, MANAGER = set(Role), {Role.MANAGER, Role.CLERK, Role.ACCOUNTANT}, {Role.MANAGER}
ALLOWED = {
    "group_list": STAFF,
    "group_read": STAFF,
    "branch_list": ALL,
    "branch_read": ALL,
    "document_list": ALL,
    "document_read": ALL,
}


def snapshot() -> tuple[object, ...]:
    return (
        AuditEntry.objects.count(),
        sorted(CustomerGroup.objects.values_list("pk", "version", "name")),
        sorted(Branch.objects.values_list("pk", "version", "name")),
        sorted(LegalDocument.objects.values_list("pk", "version")),
    )


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("operation", list(CALLS))
def test_permission_matrix(world, operation: str, role: Role):
    actor = world[role] if role == Role.CUSTOMER else make_user(f"user-{role.value}", role)
    call = CALLS[operation]
    if role in ALLOWED.get(operation, MANAGER):
        call(actor, world)
        return
    before = snapshot()
    with pytest.raises(PermissionDenied):
        call(actor, world)
    assert snapshot() == before
