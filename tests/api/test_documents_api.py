"""Documents and deliveries through the API, per role: staff see every invoice's documents,
a customer only those of their own finalized invoices; only a manager renders again; the
deliveries with their log are for staff."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import pytest
from django.contrib.auth.models import User

from kontor.billing.charges import account_invoice_now, charge_create
from kontor.core.models import AuditEntry
from kontor.core.permissions import Role
from kontor.documents.models import Document
from kontor.invoicing.models import Invoice
from tests.api.conftest import BASE, ApiClient, token_for
from tests.backoffice.test_document_pages import (  # noqa: F401 - fixtures
    ACCEPTED,
    REJECTED,
    Delivered,
    delivered_invoice,
    mail_settings,
    smtp,
)
from tests.conftest import make_user
from tests.delivery.world import DAY, customer, finalized_invoice, standard_rate

pytestmark = pytest.mark.django_db

M, C, A, U = "manager", "clerk", "accountant", "customer"


@dataclass
class World:
    users: dict[str, User]
    own: Delivered  # the customer's finalized, delivered invoice
    foreign: Invoice  # someone else's finalized invoice
    draft: Invoice  # a draft on the customer's account

    def api(self, role: str) -> ApiClient:
        return ApiClient(token_for(self.users[role]))


@pytest.fixture
def world(manager, clerk, accountant, smtp) -> World:  # noqa: F811 - fixture from import
    kunde = make_user("kunde", Role.CUSTOMER)
    own = delivered_invoice(manager, owner=kunde.pk)
    foreign = finalized_invoice(
        manager, customer(manager, ("x@andere.example", "attachment"), company="Andere AG")
    )
    charge_create(
        actor=manager,
        account_id=own.invoice.account_id,
        description="Beratung",
        unit_price="50.00",
        tax_category_id=standard_rate(manager),
        service_date=DAY,
    )
    (draft,) = account_invoice_now(
        actor=manager, account_id=own.invoice.account_id, as_of=DAY, finalize=False
    )
    users = {M: manager, C: clerk, A: accountant, U: kunde}
    return World(users, own, foreign, draft)


def download(api: ApiClient, document_id: int):
    return api.client.get(f"{BASE}/documents/{document_id}/content", **api._headers({}))


@pytest.mark.parametrize("role", [M, C, A, U])
def test_documents_of_an_invoice_with_hash_and_link(world, role):
    pdf = world.own.pdf
    response = world.api(role).get(f"/invoices/{world.own.invoice.pk}/documents")
    assert response.status == 200
    assert response.body == [
        {
            "id": pdf.pk,
            "invoice_id": world.own.invoice.pk,
            "kind": "facturx_pdf",
            "version": 1,
            "sha256": pdf.sha256,
            "size": pdf.size,
            "created_at": response.body[0]["created_at"],
            "reason": "",
            "content_url": f"{BASE}/documents/{pdf.pk}/content",
        }
    ]


@pytest.mark.parametrize("role", [M, C, A, U])
def test_content_is_the_archived_file(world, role):
    pdf = world.own.pdf
    response = download(world.api(role), pdf.pk)
    assert response.status_code == 200
    content = b"".join(response.streaming_content)
    assert hashlib.sha256(content).hexdigest() == pdf.sha256
    assert content.startswith(b"%PDF-")
    assert response["Content-Type"] == "application/pdf"
    number = world.own.invoice.number
    assert response["Content-Disposition"] == f'attachment; filename="{number}.pdf"'


@pytest.mark.parametrize("which", ["foreign", "draft"])
def test_customer_sees_no_documents_of_other_or_draft_invoices(world, which):
    invoice = getattr(world, which)
    response = world.api(U).get(f"/invoices/{invoice.pk}/documents")
    assert response.status == 404
    assert response.body["errors"][0]["code"] == "not_found"


def test_customer_cannot_download_someone_elses_document(world):
    document = world.foreign.documents.get(kind="facturx_pdf")
    response = download(world.api(U), document.pk)
    assert response.status_code == 404
    assert b"%PDF" not in response.content


def test_without_token_nothing_is_listed_or_downloaded(world):
    anonymous = ApiClient(None)
    assert anonymous.get(f"/invoices/{world.own.invoice.pk}/documents").status == 401
    assert download(anonymous, world.own.pdf.pk).status_code == 401


def test_manager_renders_again_as_version_2(world):
    invoice = world.own.invoice
    response = world.api(M).post(
        f"/invoices/{invoice.pk}/documents/rerender", {"reason": "Adresse korrigiert"}
    )
    assert response.status == 201
    v2 = Document.objects.get(invoice=invoice, kind="facturx_pdf", version=2)
    assert [(d["id"], d["version"], d["reason"]) for d in response.body] == [
        (v2.pk, 2, "Adresse korrigiert")
    ]
    entry = AuditEntry.objects.get(action="documents.rerendered")
    assert entry.actor == world.users[M]
    listed = world.api(A).get(f"/invoices/{invoice.pk}/documents").body
    assert [(d["version"], d["reason"]) for d in listed] == [(2, "Adresse korrigiert"), (1, "")]
    second = download(world.api(A), v2.pk)
    assert second["Content-Disposition"] == f'attachment; filename="{invoice.number}-v2.pdf"'
    assert hashlib.sha256(b"".join(second.streaming_content)).hexdigest() == v2.sha256


@pytest.mark.parametrize(
    ("role", "body", "status", "field"),
    [
        (C, {"reason": "Adresse korrigiert"}, 403, None),
        (A, {"reason": "Adresse korrigiert"}, 403, None),
        (U, {"reason": "Adresse korrigiert"}, 403, None),
        (M, {"reason": "   "}, 422, "reason"),
        (M, {}, 422, "reason"),
    ],
)
def test_render_again_refused_writes_nothing(world, role, body, status, field):
    before = set(Document.objects.values_list("pk", flat=True))
    response = world.api(role).post(f"/invoices/{world.own.invoice.pk}/documents/rerender", body)
    assert response.status == status
    assert response.body["errors"][0]["field"] == field
    assert set(Document.objects.values_list("pk", flat=True)) == before
    assert not AuditEntry.objects.filter(action="documents.rerendered").exists()


@pytest.mark.parametrize("role", [M, C, A])
def test_deliveries_with_their_log(world, role):
    response = world.api(role).get(f"/invoices/{world.own.invoice.pk}/deliveries")
    assert response.status == 200
    by_recipient = {d["recipient"]: d for d in response.body}
    assert list(by_recipient) == [ACCEPTED, REJECTED]
    sent, failed = by_recipient[ACCEPTED], by_recipient[REJECTED]
    assert (sent["channel"], sent["mode"], sent["status"], sent["attempts"]) == (
        "email",
        "link",
        "sent",
        1,
    )
    assert sent["message_id"] == world.own.sent.message_id
    assert sent["next_attempt_at"] is None
    assert [(e["kind"], e["detail"]["to"]) for e in sent["events"]] == [("sent", ACCEPTED)]
    assert (failed["status"], failed["permanent"], failed["sent_at"]) == ("failed", True, None)
    assert "550 5.1.1 Recipient address rejected" in failed["last_error"]
    assert [e["kind"] for e in failed["events"]] == ["failed"]


def test_customers_do_not_read_the_delivery_log(world):
    response = world.api(U).get(f"/invoices/{world.own.invoice.pk}/deliveries")
    assert response.status == 403
    assert response.body["errors"][0]["code"] == "permission_denied"
