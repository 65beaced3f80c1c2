"""Billing runs (preview, execute, progress and report), one-off charges, invoice now."""

from typing import Any

from django.http import HttpRequest
from ninja import Header, Router, Status
from ninja.pagination import LimitOffsetPagination, paginate

from kontor.api.schemas.billing import (
    BillingRunIn,
    BillingRunOut,
    ChargeIn,
    ChargeOut,
    InvoiceNowIn,
    InvoiceSummaryOut,
)
from kontor.api.schemas.common import ERRORS
from kontor.billing.charges import account_invoice_now, charge_create
from kontor.billing.run_start import billing_run_start
from kontor.billing.runs import billing_run_execute
from kontor.billing.selectors import billing_run_for_actor, billing_run_list

router = Router(tags=["billing"])


@router.get(
    "/billing-runs", response={200: list[BillingRunOut], **ERRORS}, summary="List billing runs"
)
@paginate(LimitOffsetPagination)
def list_runs(request: HttpRequest) -> Any:
    return billing_run_list(request.auth)


@router.post(
    "/billing-runs",
    response={201: BillingRunOut, **ERRORS},
    summary="Create a billing run (a preview is computed at once)",
)
def create_run(request: HttpRequest, payload: BillingRunIn) -> Any:
    """A preview run stores what it would bill in `report` and never bills. Any other run
    waits (`pending`) until `POST /billing-runs/{id}/execute`."""
    run = billing_run_start(
        actor=request.auth,
        as_of=payload.as_of,
        preview=payload.preview,
        finalize=payload.finalize,
        execute=False,
    )
    return Status(201, run)


@router.post(
    "/billing-runs/{run_id}/execute",
    response={200: BillingRunOut, **ERRORS},
    summary="Execute or resume a billing run",
)
def execute_run(request: HttpRequest, run_id: int) -> Any:
    """Without a task broker the run is billed before the answer comes; with one, the chunks
    are queued and `GET /billing-runs/{id}` shows the progress."""
    return billing_run_execute(actor=request.auth, run_id=run_id)


@router.get(
    "/billing-runs/{run_id}",
    response={200: BillingRunOut, **ERRORS},
    summary="A billing run: status, progress, counts, report",
)
def get_run(request: HttpRequest, run_id: int) -> Any:
    return billing_run_for_actor(request.auth, run_id)


@router.post(
    "/accounts/{account_id}/charges",
    response={201: ChargeOut, **ERRORS},
    summary="Add a one-off charge (billed by the next run or by invoice-now)",
)
def create_charge(
    request: HttpRequest,
    account_id: int,
    payload: ChargeIn,
    idempotency_key: Header[str | None] = None,
) -> Any:
    """With an `Idempotency-Key` header, repeating the same request returns the charge created
    the first time (nothing is charged twice); the same key with different content is refused
    with 409 `idempotency_key_reused`."""
    charge = charge_create(
        actor=request.auth,
        account_id=account_id,
        idempotency_key=(idempotency_key or "").strip() or None,
        **payload.model_dump(),
    )
    return Status(201, charge)


@router.post(
    "/accounts/{account_id}/invoice-now",
    response={201: list[InvoiceSummaryOut], **ERRORS},
    summary="Invoice the account's pending charges now",
)
def invoice_now(request: HttpRequest, account_id: int, payload: InvoiceNowIn) -> Any:
    invoices = account_invoice_now(
        actor=request.auth,
        account_id=account_id,
        as_of=payload.as_of,
        finalize=payload.finalize,
    )
    return Status(201, invoices)
