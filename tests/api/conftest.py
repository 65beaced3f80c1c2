"""Fixtures for the API tests: users with tokens, a small catalog, accounts built through the
services, and a client that speaks JSON with a bearer token."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client

from kontor.catalog import services as catalog
from kontor.catalog.models import TariffVersion
from kontor.contracts.models import Subscription
from kontor.contracts.services import subscription_create
from kontor.core.permissions import Role
from kontor.core.tokens import api_token_create
from kontor.customers.models import Account
from kontor.customers.services import account_create
from kontor.customers.types import PartyData, RecipientData
from tests.conftest import make_user

BASE = "/api/v1"


@dataclass
class Response:
    status: int
    body: Any
    headers: Any


class ApiClient:
    """Django's test client with `Authorization: Bearer` and English messages."""

    def __init__(self, key: str | None) -> None:
        self.client = Client()
        self.key = key

    def _headers(self, extra: dict[str, str]) -> dict[str, str]:
        headers = {"HTTP_ACCEPT_LANGUAGE": "en"}
        if self.key is not None:
            headers["HTTP_AUTHORIZATION"] = f"Bearer {self.key}"
        headers.update(extra)
        return headers

    def request(
        self, method: str, path: str, body: Any = None, headers: dict[str, str] | None = None
    ) -> Response:
        kwargs: dict[str, Any] = self._headers(headers or {})
        call = getattr(self.client, method.lower())
        if method == "GET":
            response = call(BASE + path, data=body or {}, **kwargs)
        else:
            data = json.dumps(body if body is not None else {})
            response = call(BASE + path, data=data, content_type="application/json", **kwargs)
        content = json.loads(response.content) if response.content else None
        return Response(response.status_code, content, response.headers)

    def get(self, path: str, params: dict[str, Any] | None = None, **headers: str) -> Response:
        return self.request("GET", path, params, headers)

    def post(self, path: str, body: Any = None, **headers: str) -> Response:
        return self.request("POST", path, body, headers)

    def patch(self, path: str, body: Any = None, **headers: str) -> Response:
        return self.request("PATCH", path, body, headers)

    def put(self, path: str, body: Any = None, **headers: str) -> Response:
        return self.request("PUT", path, body, headers)

    def delete(self, path: str, **headers: str) -> Response:
        return self.request("DELETE", path, None, headers)

    def multipart(self, path: str, data: dict[str, Any]) -> Response:
        response = self.client.post(BASE + path, data=data, **self._headers({}))
        return Response(response.status_code, json.loads(response.content), response.headers)


def token_for(user: User) -> str:
    return api_token_create(actor=None, user_id=user.pk, name="tests")[1]


def party(**overrides: Any) -> PartyData:
    values: dict[str, Any] = {
        "kind": "company",
        "company_name": "Muster GmbH",
        "street": "Hauptstraße 1",
        "postal_code": "10115",
        "city": "Berlin",
        "country": "DE",
        "email": "info@muster.example",
    }
    values.update(overrides)
    return PartyData(**values)


def make_account(actor: User, **fields: Any) -> Account:
    return account_create(
        actor=actor,
        party=fields.pop("party", party()),
        fields=fields,
        recipients=[RecipientData("rechnung@muster.example")],
    )


def make_tariff(
    actor: User, *, code: str, price: str, module_id: int, tax_id: int
) -> TariffVersion:
    tariff = catalog.tariff_create(
        actor=actor, module_id=module_id, code=code, name=f"Tarif {code}"
    )
    return catalog.tariff_version_create(
        actor=actor,
        tariff_id=tariff.pk,
        valid_from=date(2020, 1, 1),
        price=price,
        tax_category_id=tax_id,
        minimum_term_months=0,
        renewal_term_months=1,
        notice_amount=1,
        notice_unit="months",
        notice_anchor="month_end",
    )


@dataclass
class World:
    manager: User
    clerk: User
    accountant: User
    customer: User
    own: Account  # owned by `customer`
    other: Account  # someone else's
    small: TariffVersion
    large: TariffVersion
    addon_id: int
    subscription: Subscription  # on `own`, tariff `small`

    def api(self, role: str) -> ApiClient:
        return ApiClient(token_for(getattr(self, role)))


@pytest.fixture
def world(manager: User, clerk: User, accountant: User) -> World:
    category = catalog.tax_category_create(actor=manager, code="S", name="Standard")
    catalog.tax_rate_create(
        actor=manager, category_id=category.pk, rate="19.00", valid_from=date(2007, 1, 1)
    )
    article_type = catalog.article_type_create(actor=manager, code="opt", name="Option")
    addon = catalog.article_create(
        actor=manager,
        number="ADD-1",
        name="Extra backup",
        article_type_id=article_type.pk,
        tax_category_id=category.pk,
        price="2.50",
        is_addon=True,
    )
    module = catalog.module_create(actor=manager, code="WEB", name="Webhosting")
    small = make_tariff(
        manager, code="WEB-S", price="5.00", module_id=module.pk, tax_id=category.pk
    )
    large = make_tariff(
        manager, code="WEB-L", price="20.00", module_id=module.pk, tax_id=category.pk
    )
    small.tariff.addons.add(addon)
    customer = make_user("customer", Role.CUSTOMER)
    own = make_account(manager, owner=customer.pk)
    other = make_account(manager, party=party(company_name="Andere AG"))
    subscription = subscription_create(
        actor=manager, account_id=own.pk, tariff_version_id=small.pk, start_date=date(2024, 1, 1)
    )
    return World(
        manager, clerk, accountant, customer, own, other, small, large, addon.pk, subscription
    )


@pytest.fixture
def api(world: World) -> ApiClient:
    """A manager's client."""
    return world.api("manager")
