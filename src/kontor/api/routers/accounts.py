"""Accounts: list, read, create, change, delete (anonymise), invoice recipients."""

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Schema, Status
from ninja.pagination import LimitOffsetPagination, paginate
from pydantic import Field

from kontor.api.schemas.accounts import (
    AccountCreateIn,
    AccountOut,
    AccountPatchIn,
    AccountSummaryOut,
    RecipientsIn,
)
from kontor.api.schemas.common import ERRORS, VERSIONED_ERRORS
from kontor.api.versioning import expected_version, set_etag
from kontor.customers.selectors import account_for_actor, account_list
from kontor.customers.services import (
    account_create,
    account_delete,
    account_set_recipients,
    account_update,
)
from kontor.customers.types import PartyData, RecipientData

router = Router(tags=["accounts"])

FIELD_KEYS = set(AccountCreateIn.model_fields) - {"contract_party", "recipients", "customer_number"}


class AccountPagination(LimitOffsetPagination):
    class Input(Schema):
        limit: int = Field(50, ge=1, le=500)
        offset: int = Field(0, ge=0)


class AccountFilter(Schema):
    search: str = Field("", description="customer number, external number or name")
    group: int | None = None
    branch: int | None = None
    include_deleted: bool = False


def _recipients(items: list[Any]) -> list[RecipientData]:
    return [RecipientData(email=r.email, delivery_mode=r.delivery_mode) for r in items]


@router.get("", response={200: list[AccountSummaryOut], **ERRORS}, summary="List accounts")
@paginate(AccountPagination)
def list_accounts(request: HttpRequest, filters: Query[AccountFilter]) -> Any:
    return account_list(
        request.auth,
        search=filters.search.strip(),
        group_id=filters.group,
        branch_id=filters.branch,
        include_deleted=filters.include_deleted,
    )


@router.get("/{account_id}", response={200: AccountOut, **ERRORS}, summary="Read an account")
def get_account(request: HttpRequest, response: HttpResponse, account_id: int) -> Any:
    account = account_for_actor(request.auth, account_id)
    set_etag(response, account.version)
    return account


@router.post("", response={201: AccountOut, **ERRORS}, summary="Create an account")
def create_account(request: HttpRequest, response: HttpResponse, payload: AccountCreateIn) -> Any:
    account = account_create(
        actor=request.auth,
        party=PartyData(**payload.contract_party.model_dump()),
        fields=payload.model_dump(include=FIELD_KEYS, exclude_unset=True),
        recipients=_recipients(payload.recipients),
        customer_number=payload.customer_number,
    )
    set_etag(response, account.version)
    return Status(201, account)


@router.patch(
    "/{account_id}",
    response={200: AccountOut, **VERSIONED_ERRORS},
    summary="Change an account (needs If-Match)",
)
def update_account(
    request: HttpRequest, response: HttpResponse, account_id: int, payload: AccountPatchIn
) -> Any:
    changes = payload.model_dump(exclude_unset=True, exclude={"version"})
    account = account_update(
        actor=request.auth,
        account_id=account_id,
        expected_version=expected_version(request, payload.version, required=True),
        changes=changes,
    )
    set_etag(response, account.version)
    return account


@router.delete(
    "/{account_id}",
    response={200: AccountOut, **ERRORS},
    summary="Delete an account (anonymises personal data)",
)
def delete_account(request: HttpRequest, account_id: int) -> Any:
    return account_delete(actor=request.auth, account_id=account_id)


@router.put(
    "/{account_id}/recipients",
    response={200: AccountOut, **VERSIONED_ERRORS},
    summary="Replace the invoice recipients",
)
def set_recipients(
    request: HttpRequest, response: HttpResponse, account_id: int, payload: RecipientsIn
) -> Any:
    account = account_set_recipients(
        actor=request.auth,
        account_id=account_id,
        expected_version=expected_version(request, payload.version, required=False),
        recipients=_recipients(payload.recipients),
    )
    set_etag(response, account.version)
    return account
