"""Invoices and credit notes: list, read, change and delete drafts, finalize, credit."""

from datetime import date
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Schema, Status
from ninja.pagination import LimitOffsetPagination, paginate
from pydantic import Field

from kontor.api.schemas.billing import (
    CreditNoteIn,
    FinalizeIn,
    InvoiceLinePatchIn,
    InvoiceOut,
    InvoicePatchIn,
    InvoiceSummaryOut,
)
from kontor.api.schemas.common import ERRORS, VERSIONED_ERRORS
from kontor.api.versioning import expected_version, set_etag
from kontor.invoicing.selectors import invoice_for_actor, invoice_list
from kontor.invoicing.services import (
    credit_note_create,
    invoice_draft_delete,
    invoice_draft_update,
    invoice_finalize,
    invoice_line_update,
)

router = Router(tags=["invoices"])


class InvoicePagination(LimitOffsetPagination):
    class Input(Schema):
        limit: int = Field(50, ge=1, le=500)
        offset: int = Field(0, ge=0)


class InvoiceFilter(Schema):
    account: int | None = None
    status: str = Field("", description="draft or finalized")
    kind: str = Field("", description="invoice or credit_note")
    is_test: bool | None = None
    date_from: date | None = Field(None, description="invoice date from")
    date_to: date | None = Field(None, description="invoice date to")
    search: str = Field("", description="invoice number or customer number")


@router.get("", response={200: list[InvoiceSummaryOut], **ERRORS}, summary="List invoices")
@paginate(InvoicePagination)
def list_invoices(request: HttpRequest, filters: Query[InvoiceFilter]) -> Any:
    return invoice_list(
        request.auth,
        account_id=filters.account,
        status=filters.status,
        kind=filters.kind,
        is_test=filters.is_test,
        date_from=filters.date_from,
        date_to=filters.date_to,
        search=filters.search.strip(),
    )


@router.get("/{invoice_id}", response={200: InvoiceOut, **ERRORS}, summary="Read an invoice")
def get_invoice(request: HttpRequest, response: HttpResponse, invoice_id: int) -> Any:
    invoice = invoice_for_actor(request.auth, invoice_id)
    set_etag(response, invoice.version)
    return invoice


@router.patch(
    "/{invoice_id}",
    response={200: InvoiceOut, **VERSIONED_ERRORS},
    summary="Change a draft's texts or send date (needs If-Match)",
)
def update_invoice(
    request: HttpRequest, response: HttpResponse, invoice_id: int, payload: InvoicePatchIn
) -> Any:
    invoice = invoice_draft_update(
        actor=request.auth,
        invoice_id=invoice_id,
        expected_version=expected_version(request, payload.version, required=True),
        changes=payload.model_dump(exclude_unset=True, exclude={"version"}),
    )
    set_etag(response, invoice.version)
    return invoice


@router.patch(
    "/{invoice_id}/lines/{position}",
    response={200: InvoiceOut, **VERSIONED_ERRORS},
    summary="Change a draft line's text, quantity or unit price (needs If-Match)",
)
def update_invoice_line(
    request: HttpRequest,
    response: HttpResponse,
    invoice_id: int,
    position: int,
    payload: InvoiceLinePatchIn,
) -> Any:
    invoice = invoice_line_update(
        actor=request.auth,
        invoice_id=invoice_id,
        expected_version=expected_version(request, payload.version, required=True),
        position=position,
        **payload.model_dump(exclude={"version"}),
    )
    set_etag(response, invoice.version)
    return invoice


@router.delete(
    "/{invoice_id}",
    response={204: None, **VERSIONED_ERRORS},
    summary="Delete a draft (its charges are billed again by the next run)",
)
def delete_invoice(request: HttpRequest, invoice_id: int) -> Any:
    invoice_draft_delete(
        actor=request.auth,
        invoice_id=invoice_id,
        expected_version=expected_version(request, None, required=False),
    )
    return Status(204, None)


@router.post(
    "/{invoice_id}/finalize",
    response={200: InvoiceOut, **VERSIONED_ERRORS},
    summary="Finalize a draft: number, snapshot, totals",
)
def finalize_invoice(
    request: HttpRequest, response: HttpResponse, invoice_id: int, payload: FinalizeIn
) -> Any:
    invoice = invoice_finalize(
        actor=request.auth,
        invoice_id=invoice_id,
        expected_version=expected_version(request, payload.version, required=False),
        issue_date=payload.issue_date,
    )
    set_etag(response, invoice.version)
    return invoice


@router.post(
    "/{invoice_id}/credit-notes",
    response={201: InvoiceOut, **ERRORS},
    summary="Credit a finalized invoice in full or per line",
)
def create_credit_note(request: HttpRequest, invoice_id: int, payload: CreditNoteIn) -> Any:
    note = credit_note_create(
        actor=request.auth,
        invoice_id=invoice_id,
        reason=payload.reason,
        lines=payload.lines,
        finalize=payload.finalize,
        issue_date=payload.issue_date,
    )
    return Status(201, note)
