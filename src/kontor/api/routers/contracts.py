"""Subscriptions: book a module, cancel (with a preview of the earliest end date), change
tariff, book add-ons."""

from datetime import date
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Router, Status

from kontor.api.schemas.common import ERRORS, VERSIONED_ERRORS
from kontor.api.schemas.contracts import (
    AddonIn,
    AddonOut,
    CancelIn,
    CancellationPreviewOut,
    ChangeTariffIn,
    SubscriptionCreateIn,
    SubscriptionOut,
)
from kontor.api.versioning import expected_version, set_etag
from kontor.contracts.selectors import (
    earliest_cancellation_date,
    subscription_for_actor,
    subscriptions_of_account,
)
from kontor.contracts.services import (
    subscription_book_addon,
    subscription_cancel,
    subscription_change_tariff,
    subscription_create,
)
from kontor.core import clock

router = Router(tags=["contracts"])


@router.get(
    "/accounts/{account_id}/subscriptions",
    response={200: list[SubscriptionOut], **ERRORS},
    summary="The account's subscriptions (booked modules)",
)
def list_subscriptions(
    request: HttpRequest, account_id: int, current_on: date | None = None
) -> Any:
    """With `current_on`, only those not ended before that day."""
    return subscriptions_of_account(request.auth, account_id, current_on=current_on)


@router.post(
    "/accounts/{account_id}/subscriptions",
    response={201: SubscriptionOut, **ERRORS},
    summary="Book a module",
)
def create_subscription(
    request: HttpRequest, response: HttpResponse, account_id: int, payload: SubscriptionCreateIn
) -> Any:
    subscription = subscription_create(
        actor=request.auth, account_id=account_id, **payload.model_dump()
    )
    set_etag(response, subscription.version)
    return Status(201, subscription)


@router.get(
    "/subscriptions/{subscription_id}",
    response={200: SubscriptionOut, **ERRORS},
    summary="Read a subscription",
)
def get_subscription(request: HttpRequest, response: HttpResponse, subscription_id: int) -> Any:
    subscription = subscription_for_actor(request.auth, subscription_id)
    set_etag(response, subscription.version)
    return subscription


@router.get(
    "/subscriptions/{subscription_id}/cancellation-preview",
    response={200: CancellationPreviewOut, **ERRORS},
    summary="The earliest end date for notice given on a day",
)
def cancellation_preview(
    request: HttpRequest, subscription_id: int, notice_given_on: date | None = None
) -> Any:
    given_on = notice_given_on or clock.today()
    subscription = subscription_for_actor(request.auth, subscription_id)
    return {
        "subscription_id": subscription.pk,
        "notice_given_on": given_on,
        "earliest_end_date": earliest_cancellation_date(subscription, given_on),
    }


@router.post(
    "/subscriptions/{subscription_id}/cancel",
    response={200: SubscriptionOut, **VERSIONED_ERRORS},
    summary="Cancel a subscription",
)
def cancel_subscription(
    request: HttpRequest, response: HttpResponse, subscription_id: int, payload: CancelIn
) -> Any:
    subscription = subscription_cancel(
        actor=request.auth,
        subscription_id=subscription_id,
        expected_version=expected_version(request, payload.version, required=False),
        notice_given_on=payload.notice_given_on,
        end_date=payload.end_date,
    )
    set_etag(response, subscription.version)
    return subscription


@router.post(
    "/subscriptions/{subscription_id}/change-tariff",
    response={201: SubscriptionOut, **VERSIONED_ERRORS},
    summary="Change the tariff; returns the successor subscription",
)
def change_tariff(
    request: HttpRequest, response: HttpResponse, subscription_id: int, payload: ChangeTariffIn
) -> Any:
    successor = subscription_change_tariff(
        actor=request.auth,
        subscription_id=subscription_id,
        expected_version=expected_version(request, payload.version, required=False),
        tariff_version_id=payload.tariff_version_id,
        requested_on=payload.requested_on,
        effective_date=payload.effective_date,
        quantity=payload.quantity,
    )
    set_etag(response, successor.version)
    return Status(201, successor)


@router.post(
    "/subscriptions/{subscription_id}/addons",
    response={201: AddonOut, **ERRORS},
    summary="Book an add-on option",
)
def book_addon(request: HttpRequest, subscription_id: int, payload: AddonIn) -> Any:
    return Status(
        201,
        subscription_book_addon(
            actor=request.auth, subscription_id=subscription_id, **payload.model_dump()
        ),
    )
