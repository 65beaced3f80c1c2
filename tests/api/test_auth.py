"""Who may call the API: bearer tokens, the staff session (with CSRF), nobody else."""

from __future__ import annotations

import json

import pytest
from django.contrib.auth.models import User
from django.test import Client

from kontor.core.models import ApiToken
from kontor.core.tokens import api_token_revoke
from kontor.customers.models import Account
from tests.api.conftest import ApiClient, World, token_for

UNAUTHENTICATED = {
    "errors": [
        {
            "field": None,
            "code": "not_authenticated",
            "message": "Send a valid API token: Authorization: Bearer <token>.",
        }
    ]
}


@pytest.mark.parametrize(
    "authorization",
    [None, "Bearer ", "Bearer ktr_wrong", "Bearer not-even-our-format", "Basic bWFuYWdlcjpwdw=="],
    ids=["missing", "empty", "unknown", "foreign-format", "basic"],
)
def test_missing_or_bad_token_is_401(world: World, authorization: str | None):
    headers = {"HTTP_ACCEPT_LANGUAGE": "en"}
    if authorization is not None:
        headers["HTTP_AUTHORIZATION"] = authorization

    response = Client().get("/api/v1/accounts", **headers)

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Bearer realm="kontor"'
    assert json.loads(response.content) == UNAUTHENTICATED


def test_write_without_token_is_401_and_writes_nothing(world: World):
    before = Account.objects.count()

    response = ApiClient(None).post("/accounts", {"contract_party": {"kind": "company"}})

    assert response.status == 401
    assert response.body == UNAUTHENTICATED
    assert Account.objects.count() == before


def test_revoked_token_is_401(world: World):
    key = token_for(world.clerk)
    api_token_revoke(actor=None, token_id=ApiToken.objects.get(user=world.clerk).pk)

    response = ApiClient(key).get("/accounts")

    assert response.status == 401


def test_token_of_deactivated_user_is_401(world: World):
    key = token_for(world.clerk)
    User.objects.filter(pk=world.clerk.pk).update(is_active=False)

    response = ApiClient(key).get("/accounts")

    assert response.status == 401


def test_valid_token_works_and_records_last_use(world: World):
    key = token_for(world.accountant)

    response = ApiClient(key).get("/accounts")

    assert response.status == 200
    assert ApiToken.objects.get(user=world.accountant).last_used_at is not None


def test_staff_session_may_read(world: World):
    client = Client()
    client.force_login(world.clerk)

    response = client.get("/api/v1/accounts")

    assert response.status_code == 200
    assert json.loads(response.content)["count"] == 2


def test_customer_session_is_not_accepted(world: World):
    client = Client()
    client.force_login(world.customer)

    response = client.get("/api/v1/accounts")

    assert response.status_code == 401


def test_session_write_without_csrf_token_is_403_and_writes_nothing(world: World):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.manager)
    before = Account.objects.get(pk=world.own.pk)

    response = client.patch(
        f"/api/v1/accounts/{world.own.pk}",
        data=json.dumps({"po_number": "X"}),
        content_type="application/json",
        HTTP_IF_MATCH='"1"',
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.status_code == 403
    assert json.loads(response.content) == {
        "errors": [
            {
                "field": None,
                "code": "csrf_failed",
                "message": "CSRF check failed: send the X-CSRFToken header with session requests.",
            }
        ]
    }
    after = Account.objects.get(pk=world.own.pk)
    assert (after.po_number, after.version) == (before.po_number, before.version)


def test_session_write_with_csrf_token_succeeds(world: World):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.manager)
    csrf = "k" * 32  # the secret as the CSRF cookie holds it; the header repeats it
    client.cookies["csrftoken"] = csrf

    response = client.patch(
        f"/api/v1/accounts/{world.own.pk}",
        data=json.dumps({"po_number": "X"}),
        content_type="application/json",
        HTTP_IF_MATCH='"1"',
        HTTP_X_CSRFTOKEN=csrf,
    )

    assert response.status_code == 200
    assert Account.objects.get(pk=world.own.pk).po_number == "X"


def test_token_requests_need_no_csrf_token(world: World):
    api = world.api("manager")
    api.client = Client(enforce_csrf_checks=True)

    response = api.patch(f"/accounts/{world.own.pk}", {"po_number": "X"}, HTTP_IF_MATCH='"1"')

    assert response.status == 200


def test_bad_token_is_not_rescued_by_a_session(world: World):
    client = Client()
    client.force_login(world.manager)

    response = client.get("/api/v1/accounts", HTTP_AUTHORIZATION="Bearer ktr_wrong")

    assert response.status_code == 401


def test_unknown_api_path_is_a_json_404(api: ApiClient):
    response = api.get("/no-such-thing")

    assert response.status == 404
    assert response.body == {
        "errors": [
            {"field": None, "code": "not_found", "message": "There is no API endpoint here."}
        ]
    }
