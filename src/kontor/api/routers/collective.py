"""Collective invoices: profiles, an account's collective status, collective drafts, combining
drafts and invoices in advance (customer groups and their profile: customer_setup.py).

Mounted before the invoices router: `/invoices/collective` and `/invoices/combine` would
otherwise be taken for `/invoices/{invoice_id}`."""

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Schema, Status
from ninja.pagination import paginate
from pydantic import Field

from kontor.api.routers.invoices import InvoicePagination
from kontor.api.schemas.billing import InvoiceOut, InvoiceSummaryOut
from kontor.api.schemas.collective import (
    CollectiveDraftOut,
    CollectiveProfileIn,
    CollectiveProfileOut,
    CollectiveProfilePatchIn,
    CollectiveStatusOut,
    CombineIn,
    InvoicesInAdvanceIn,
)
from kontor.api.schemas.common import ERRORS, VERSIONED_ERRORS
from kontor.api.versioning import expected_version, set_etag
from kontor.billing.advance import contract_invoices_in_advance
from kontor.billing.collective import (
    collective_profile_create,
    collective_profile_delete,
    collective_profile_update,
    collective_profiles_list,
)
from kontor.billing.collective_limits import collective_status
from kontor.billing.collective_selectors import collective_profile_for_actor
from kontor.invoicing.collective import EARLIEST, collective_drafts, invoices_combine

router = Router(tags=["collective invoices"])


class DraftFilter(Schema):
    without_send_date: bool = Field(False, description="only drafts without a send date")


@router.get(
    "/collective-profiles",
    response={200: list[CollectiveProfileOut], **ERRORS},
    summary="List collective invoice profiles",
)
def list_profiles(request: HttpRequest) -> Any:
    return collective_profiles_list(actor=request.auth)


@router.post(
    "/collective-profiles",
    response={201: CollectiveProfileOut, **ERRORS},
    summary="Create a collective invoice profile",
)
def create_profile(
    request: HttpRequest, response: HttpResponse, payload: CollectiveProfileIn
) -> Any:
    profile = collective_profile_create(
        actor=request.auth, data=payload.model_dump(exclude_unset=True)
    )
    set_etag(response, profile.version)
    return Status(201, profile)


@router.get(
    "/collective-profiles/{profile_id}",
    response={200: CollectiveProfileOut, **ERRORS},
    summary="Read a collective invoice profile",
)
def get_profile(request: HttpRequest, response: HttpResponse, profile_id: int) -> Any:
    profile = collective_profile_for_actor(actor=request.auth, profile_id=profile_id)
    set_etag(response, profile.version)
    return profile


@router.patch(
    "/collective-profiles/{profile_id}",
    response={200: CollectiveProfileOut, **VERSIONED_ERRORS},
    summary="Change a collective invoice profile (needs If-Match)",
)
def update_profile(
    request: HttpRequest,
    response: HttpResponse,
    profile_id: int,
    payload: CollectiveProfilePatchIn,
) -> Any:
    """Items collected already keep their billing date; the new schedule applies to what is
    collected from now on."""
    profile = collective_profile_update(
        actor=request.auth,
        profile_id=profile_id,
        expected_version=expected_version(request, payload.version, required=True),
        changes=payload.model_dump(exclude_unset=True, exclude={"version"}),
    )
    set_etag(response, profile.version)
    return profile


@router.delete(
    "/collective-profiles/{profile_id}",
    response={204: None, **ERRORS},
    summary="Delete a collective invoice profile no group uses and nothing was collected with",
)
def delete_profile(request: HttpRequest, profile_id: int) -> Any:
    collective_profile_delete(actor=request.auth, profile_id=profile_id)
    return Status(204, None)


@router.get(
    "/accounts/{account_id}/collective",
    response={200: CollectiveStatusOut, **ERRORS},
    summary="An account's collective invoicing: next billing date, spending limit, credit left",
)
def get_status(request: HttpRequest, account_id: int) -> Any:
    return collective_status(actor=request.auth, account_id=account_id)


@router.get(
    "/invoices/collective",
    response={200: list[CollectiveDraftOut], **ERRORS},
    summary="Collective invoices not yet sent (drafts, by send date)",
)
@paginate(InvoicePagination)
def list_collective_drafts(request: HttpRequest, filters: Query[DraftFilter]) -> Any:
    return collective_drafts(actor=request.auth, without_send_date=filters.without_send_date)


@router.post(
    "/invoices/combine",
    response={200: InvoiceOut, **ERRORS},
    summary="Combine drafts of one account into one collective invoice",
)
def combine_invoices(request: HttpRequest, response: HttpResponse, payload: CombineIn) -> Any:
    """The lines move onto the earliest draft, each with its own service period; the other
    drafts are deleted. `send_date` absent: the earliest send date of the drafts; `null`: no
    send date yet (the invoice waits until one is set with `PATCH /invoices/{id}`)."""
    send_date = payload.send_date if "send_date" in payload.model_fields_set else EARLIEST
    invoice = invoices_combine(
        actor=request.auth, invoice_ids=payload.invoice_ids, send_date=send_date
    )
    set_etag(response, invoice.version)
    return invoice


@router.post(
    "/contracts/{contract_id}/invoices-in-advance",
    response={201: list[InvoiceSummaryOut], **ERRORS},
    summary="Draft the contract's invoices in advance, one per billing period",
)
def invoices_in_advance(
    request: HttpRequest, contract_id: int, payload: InvoicesInAdvanceIn
) -> Any:
    """Each draft's send date is the day its period starts (today for a period already
    started); on that day it is finalized and sent. A billing run never charges these
    periods again."""
    invoices = contract_invoices_in_advance(
        actor=request.auth, contract_id=contract_id, until=payload.until
    )
    return Status(201, invoices)
