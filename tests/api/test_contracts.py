"""Subscriptions over HTTP: list, book, cancel (and its preview), change tariff, add-ons."""

from __future__ import annotations

from datetime import date

import pytest
import time_machine

from kontor.contracts.models import Subscription, SubscriptionAddon
from tests.api.conftest import ApiClient, World


def test_list_subscriptions_of_an_account(api: ApiClient, world: World):
    response = api.get(f"/accounts/{world.own.pk}/subscriptions")

    assert response.status == 200
    assert response.body == [
        {
            "id": world.subscription.pk,
            "version": 1,
            "account_id": world.own.pk,
            "contract_reference": "K-00001",
            "module_id": world.small.tariff.module_id,
            "tariff_id": world.small.tariff_id,
            "tariff_code": "WEB-S",
            "tariff_version_id": world.small.pk,
            "quantity": "1",
            "start_date": "2024-01-01",
            "end_date": None,
            "price": "5.00",
            "deviating_price": None,
            "notice_given_on": None,
            "end_reason": "",
            "end_date_overridden": False,
            "predecessor_id": None,
            "addons": [],
        }
    ]


def test_customer_sees_no_subscriptions_of_foreign_accounts(world: World):
    response = world.api("customer").get(f"/accounts/{world.other.pk}/subscriptions")

    assert (response.status, response.body) == (200, [])


def test_book_a_module(api: ApiClient, world: World):
    response = api.post(
        f"/accounts/{world.other.pk}/subscriptions",
        {"tariff_version_id": world.large.pk, "start_date": "2025-02-01", "quantity": "2.5"},
    )

    assert response.status == 201
    assert response.headers["ETag"] == '"1"'
    assert (response.body["tariff_code"], response.body["quantity"], response.body["price"]) == (
        "WEB-L",
        "2.5",
        "20.00",
    )


def test_book_a_module_before_the_tariff_is_valid_is_422(api: ApiClient, world: World):
    response = api.post(
        f"/accounts/{world.other.pk}/subscriptions",
        {"tariff_version_id": world.large.pk, "start_date": "2019-12-31"},
    )

    assert response.status == 422
    assert [(e["field"], e["code"]) for e in response.body["errors"]] == [
        ("start_date", "tariff_not_valid")
    ]
    assert not Subscription.objects.filter(account=world.other).exists()


@pytest.mark.parametrize(
    "notice_given_on, earliest",
    [("2025-03-10", "2025-04-30"), ("2025-03-31", "2025-04-30"), ("2025-04-01", "2025-05-31")],
)
def test_cancellation_preview_gives_the_earliest_end_date(
    api: ApiClient, world: World, notice_given_on: str, earliest: str
):
    response = api.get(
        f"/subscriptions/{world.subscription.pk}/cancellation-preview",
        {"notice_given_on": notice_given_on},
    )

    assert response.status == 200
    assert response.body == {
        "subscription_id": world.subscription.pk,
        "notice_given_on": notice_given_on,
        "earliest_end_date": earliest,
    }


def test_cancel_to_the_earliest_date(api: ApiClient, world: World):
    response = api.post(
        f"/subscriptions/{world.subscription.pk}/cancel",
        {"notice_given_on": "2025-03-10"},
        HTTP_IF_MATCH='"1"',
    )

    assert response.status == 200
    assert response.headers["ETag"] == '"2"'
    body = response.body
    assert (body["end_date"], body["notice_given_on"], body["end_reason"]) == (
        "2025-04-30",
        "2025-03-10",
        "cancelled",
    )
    assert body["end_date_overridden"] is False


def test_clerk_may_not_cancel_earlier_than_the_notice_allows(world: World):
    response = world.api("clerk").post(
        f"/subscriptions/{world.subscription.pk}/cancel",
        {"notice_given_on": "2025-03-10", "end_date": "2025-03-31"},
    )

    assert response.status == 403
    assert response.body == {
        "errors": [
            {
                "field": "end_date",
                "code": "notice_period",
                "message": "The notice period allows 2025-04-30 at the earliest (or a later date "
                "the terms allow). Only a manager may set a different date.",
            }
        ]
    }
    assert Subscription.objects.get(pk=world.subscription.pk).end_date is None


def test_manager_may_override_the_end_date(api: ApiClient, world: World):
    response = api.post(
        f"/subscriptions/{world.subscription.pk}/cancel",
        {"notice_given_on": "2025-03-10", "end_date": "2025-03-31"},
    )

    assert (response.body["end_date"], response.body["end_date_overridden"]) == (
        "2025-03-31",
        True,
    )


def test_cancel_twice_is_409_and_stale_version_is_409(api: ApiClient, world: World):
    path = f"/subscriptions/{world.subscription.pk}/cancel"
    first = api.post(path, {"notice_given_on": "2025-03-10"})
    again = api.post(path, {"notice_given_on": "2025-03-10"})
    stale = api.post(path, {"notice_given_on": "2025-03-10", "version": 1})

    assert first.status == 200
    assert again.status == 409
    assert again.body["errors"] == [
        {
            "field": None,
            "code": "already_cancelled",
            "message": "This module is already cancelled to 2025-04-30.",
        }
    ]
    assert stale.status == 409
    assert stale.body["errors"][0]["code"] == "stale_version"


@time_machine.travel(date(2025, 3, 10), tick=False)
def test_customer_upgrades_own_subscription_at_once(world: World):
    response = world.api("customer").post(
        f"/subscriptions/{world.subscription.pk}/change-tariff",
        {"tariff_version_id": world.large.pk},
        HTTP_IF_MATCH='"1"',
    )

    assert response.status == 201
    body = response.body
    assert (body["tariff_code"], body["start_date"], body["predecessor_id"]) == (
        "WEB-L",
        "2025-03-10",
        world.subscription.pk,
    )
    old = Subscription.objects.get(pk=world.subscription.pk)
    assert (old.end_date, old.end_reason) == (date(2025, 3, 9), "tariff_change")


def test_change_to_a_tariff_of_another_module_is_422(api: ApiClient, world: World):
    from kontor.catalog import services as catalog

    module = catalog.module_create(actor=world.manager, code="MAIL", name="Mail")
    tariff = catalog.tariff_create(actor=world.manager, module_id=module.pk, code="M1", name="M1")
    version = catalog.tariff_version_create(
        actor=world.manager,
        tariff_id=tariff.pk,
        valid_from=date(2020, 1, 1),
        price="1.00",
        tax_category_id=world.small.tax_category_id,
    )

    response = api.post(
        f"/subscriptions/{world.subscription.pk}/change-tariff",
        {"tariff_version_id": version.pk, "requested_on": "2025-03-10"},
    )

    assert response.status == 422
    assert [(e["field"], e["code"]) for e in response.body["errors"]] == [
        ("tariff_version", "other_module")
    ]
    assert Subscription.objects.count() == 1


def test_book_an_addon(api: ApiClient, world: World):
    response = api.post(
        f"/subscriptions/{world.subscription.pk}/addons",
        {"article_id": world.addon_id, "start_date": "2025-01-01", "quantity": 2},
    )

    assert response.status == 201
    assert response.body == {
        "id": response.body["id"],
        "article_id": world.addon_id,
        "article_number": "ADD-1",
        "quantity": "2",
        "start_date": "2025-01-01",
        "end_date": None,
    }
    detail = api.get(f"/subscriptions/{world.subscription.pk}")
    assert [a["article_number"] for a in detail.body["addons"]] == ["ADD-1"]


def test_quantity_as_float_is_refused(api: ApiClient, world: World):
    response = api.post(
        f"/subscriptions/{world.subscription.pk}/addons",
        {"article_id": world.addon_id, "start_date": "2025-01-01", "quantity": 1.5},
    )

    assert response.status == 422
    assert [(e["field"], e["code"]) for e in response.body["errors"]] == [
        ("quantity", "quantity_as_string")
    ]
    assert not SubscriptionAddon.objects.exists()


def test_subscription_of_foreign_account_is_404_for_a_customer(world: World):
    other_sub = Subscription.objects.create(
        contract=world.subscription.contract,
        account=world.other,
        module=world.subscription.module,
        tariff_version=world.small,
        start_date=date(2024, 1, 1),
    )

    response = world.api("customer").get(f"/subscriptions/{other_sub.pk}")

    assert response.status == 404
