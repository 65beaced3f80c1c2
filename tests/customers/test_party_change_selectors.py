"""Reads on contract party change requests: staff see them, customers see none."""

from __future__ import annotations

import pytest

from kontor.core.errors import NotFound, PermissionDenied
from kontor.core.permissions import Role
from kontor.customers.selectors import (
    party_change_request_for_actor,
    party_change_requests_pending,
)
from kontor.customers.services import party_change_reject, party_change_request
from kontor.customers.types import UploadedDocument
from tests.builders import account, party
from tests.conftest import make_user

EVIDENCE = [UploadedDocument("hr.pdf", b"%PDF-1.4", "HR-Auszug")]


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _request(manager, acc, name):
    return party_change_request(
        actor=manager,
        account_id=acc.pk,
        proposed=party(company_name=name),
        reason="Umfirmierung",
        evidence=EVIDENCE,
    )


@pytest.fixture
def requests(manager):
    first = _request(manager, account(manager), "Erste AG")
    second = _request(manager, account(manager, party=party(company_name="B GmbH")), "Zweite AG")
    decided = _request(manager, account(manager, party=party(company_name="C GmbH")), "Dritte AG")
    party_change_reject(actor=manager, request_id=decided.pk, note="Nachweis fehlt")
    return first, second, decided


@pytest.mark.parametrize("role", ["manager", "clerk", "accountant"])
def test_staff_see_pending_requests_oldest_first(request, requests, role):
    actor = request.getfixturevalue(role)
    first, second, decided = requests
    assert list(party_change_requests_pending(actor)) == [first, second]
    assert party_change_request_for_actor(actor, decided.pk) == decided


def test_a_customer_sees_no_change_request_not_even_for_an_own_account(manager):
    customer = make_user("kunde", Role.CUSTOMER)
    own = account(manager, owner=customer.pk)
    change = _request(manager, own, "Kunde Neu AG")
    assert list(party_change_requests_pending(customer)) == []
    with pytest.raises(NotFound):
        party_change_request_for_actor(customer, change.pk)


def test_anonymous_and_roleless_users_are_refused(db):
    nobody = make_user("nobody", None)
    with pytest.raises(PermissionDenied):
        party_change_requests_pending(nobody)


def test_unknown_request_is_not_found(manager):
    with pytest.raises(NotFound):
        party_change_request_for_actor(manager, 999)
