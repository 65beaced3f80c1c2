"""The account's post flag over the API: read as true, false or null (the billing settings'
default), written on create and with PATCH; accountants may not change it."""

from __future__ import annotations

import pytest

from kontor.customers.models import Account
from tests.api.conftest import ApiClient, World, token_for
from tests.api.test_accounts import NEW_ACCOUNT


def test_read_shows_null_for_the_default(api: ApiClient, world: World):
    assert api.get(f"/accounts/{world.own.pk}").body["deliver_by_post"] is None


@pytest.mark.parametrize("role", ["manager", "clerk"])
def test_patch_sets_and_clears_the_flag(world: World, role: str):
    client = ApiClient(token_for(getattr(world, role)))
    first = client.patch(f"/accounts/{world.own.pk}", {"deliver_by_post": True, "version": 1})
    assert (first.status, first.body["deliver_by_post"]) == (200, True)
    assert Account.objects.get(pk=world.own.pk).deliver_by_post is True
    second = client.patch(f"/accounts/{world.own.pk}", {"deliver_by_post": None, "version": 2})
    assert (second.status, second.body["deliver_by_post"]) == (200, None)
    assert Account.objects.get(pk=world.own.pk).deliver_by_post is None


def test_create_with_the_flag(api: ApiClient, world: World):
    response = api.post("/accounts", {**NEW_ACCOUNT, "deliver_by_post": False})
    assert (response.status, response.body["deliver_by_post"]) == (201, False)
    assert Account.objects.get(pk=response.body["id"]).deliver_by_post is False


def test_accountant_may_not_change_the_flag(world: World):
    client = ApiClient(token_for(world.accountant))
    response = client.patch(f"/accounts/{world.own.pk}", {"deliver_by_post": True, "version": 1})
    assert response.status == 403
    assert response.body["errors"][0]["code"] == "permission_denied"
    assert Account.objects.get(pk=world.own.pk).deliver_by_post is None


def test_a_value_that_is_not_a_boolean_is_refused(api: ApiClient, world: World):
    response = api.patch(f"/accounts/{world.own.pk}", {"deliver_by_post": "perhaps", "version": 1})
    assert response.status == 422
    assert response.body["errors"][0]["field"] == "deliver_by_post"
    assert Account.objects.get(pk=world.own.pk).version == 1
