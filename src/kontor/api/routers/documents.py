"""Archived invoice documents (list, download, render again) and deliveries with their log:
staff send a failed delivery again, send an invoice to one more address, or send an invoice
held back because it predates delivery."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import FileResponse, HttpRequest
from django.urls import reverse
from ninja import Router, Schema, Status
from pydantic import Field

from kontor.api.schemas.common import ERRORS, InSchema
from kontor.delivery.files import content_type, download_name
from kontor.delivery.models import Delivery
from kontor.delivery.selectors import invoice_deliveries, invoice_delivery_log
from kontor.delivery.services import deliveries_release_held, delivery_add, delivery_retry
from kontor.documents.models import Document
from kontor.documents.selectors import document_for_actor, invoice_documents
from kontor.documents.services import invoice_document_rerender

router = Router(tags=["documents"])


class DocumentOut(Schema):
    id: int
    invoice_id: int
    kind: str = Field(description="facturx_pdf or xrechnung_xml")
    version: int
    sha256: str = Field(description="SHA-256 of the archived bytes (hex)")
    size: int = Field(description="bytes")
    created_at: datetime
    reason: str = Field(description="why it was rendered again (empty for version 1)")
    content_url: str

    @staticmethod
    def resolve_content_url(obj: Document) -> str:
        return reverse("api-v1:document_content", args=[obj.pk])


class RerenderIn(InSchema):
    reason: str = Field(description="why the documents are rendered again (required)")


class DeliveryAddIn(InSchema):
    recipient: str = Field(examples=["buchhaltung@muster.example"])
    mode: str = Field("attachment", description="attachment or link")


class DeliveryEventOut(Schema):
    at: datetime
    kind: str = Field(description="sent, retry, failed, requeued, retried, downloaded, printed, …")
    detail: dict[str, Any]


class DeliveryOut(Schema):
    id: int
    channel: str = Field(description="email, post or portal")
    recipient: str
    mode: str = Field(description="attachment or link")
    status: str = Field(description="pending, in_flight, sent or failed")
    permanent: bool = Field(description="failed for good (rejected), not by an outage")
    attempts: int
    next_attempt_at: datetime | None = Field(description="only while pending")
    sent_at: datetime | None
    message_id: str
    last_error: str
    events: list[DeliveryEventOut]

    @staticmethod
    def resolve_events(obj: Any) -> list[Any]:
        return obj.log

    @staticmethod
    def resolve_next_attempt_at(obj: Any) -> datetime | None:
        return obj.next_attempt_at if obj.status == "pending" else None


@router.get(
    "/invoices/{invoice_id}/documents",
    response={200: list[DocumentOut], **ERRORS},
    summary="List an invoice's archived documents (every version, newest first per kind)",
)
def list_documents(request: HttpRequest, invoice_id: int) -> Any:
    return invoice_documents(request.auth, invoice_id)


@router.get(
    "/documents/{document_id}/content",
    response={200: None, **ERRORS},
    url_name="document_content",
    summary="Download an archived document as stored (PDF or XML)",
)
def document_content(request: HttpRequest, document_id: int) -> Any:
    document = document_for_actor(request.auth, document_id)
    response = FileResponse(
        document.file.open("rb"),
        as_attachment=True,
        filename=download_name(document),
        content_type=content_type(document.kind),
    )
    response["Cache-Control"] = "private, no-store"
    return response


@router.post(
    "/invoices/{invoice_id}/documents/rerender",
    response={201: list[DocumentOut], **ERRORS},
    summary="Render the documents again as new versions, with a reason (manager)",
)
def rerender_documents(request: HttpRequest, invoice_id: int, payload: RerenderIn) -> Any:
    stored = invoice_document_rerender(
        actor=request.auth, invoice_id=invoice_id, reason=payload.reason
    )
    return Status(201, stored)


@router.get(
    "/invoices/{invoice_id}/deliveries",
    response={200: list[DeliveryOut], **ERRORS},
    summary="An invoice's deliveries with their log (staff)",
)
def list_deliveries(request: HttpRequest, invoice_id: int) -> Any:
    return _with_log(request.auth, invoice_id, list(invoice_deliveries(request.auth, invoice_id)))


@router.post(
    "/invoices/{invoice_id}/deliveries",
    response={201: DeliveryOut, **ERRORS},
    summary="Send a finalized invoice to one more address with the next run (manager, clerk)",
)
def add_delivery(request: HttpRequest, invoice_id: int, payload: DeliveryAddIn) -> Any:
    delivery = delivery_add(
        actor=request.auth, invoice_id=invoice_id, recipient=payload.recipient, mode=payload.mode
    )
    return Status(201, _with_log(request.auth, invoice_id, [delivery])[0])


@router.post(
    "/invoices/{invoice_id}/deliveries/{delivery_id}/retry",
    response={200: DeliveryOut, **ERRORS},
    summary="Queue a failed delivery again, with a fresh count of attempts (manager, clerk)",
)
def retry_delivery(request: HttpRequest, invoice_id: int, delivery_id: int) -> Any:
    delivery = delivery_retry(actor=request.auth, delivery_id=delivery_id, invoice_id=invoice_id)
    return _with_log(request.auth, invoice_id, [delivery])[0]


@router.post(
    "/invoices/{invoice_id}/deliveries/release",
    response={200: list[DeliveryOut], **ERRORS},
    summary="Send an invoice held back because it predates delivery (manager, clerk)",
)
def release_deliveries(request: HttpRequest, invoice_id: int) -> Any:
    deliveries_release_held(actor=request.auth, invoice_id=invoice_id)
    return list_deliveries(request, invoice_id)


def _with_log(actor: Any, invoice_id: int, deliveries: list[Delivery]) -> list[Delivery]:
    events: dict[int, list[Any]] = {}
    for event in invoice_delivery_log(actor, invoice_id):
        events.setdefault(event.delivery_id, []).append(event)
    for delivery in deliveries:
        delivery.log = events.get(delivery.pk, [])  # type: ignore[attr-defined]
    return deliveries
