"""API tokens: the service (hash only, shown once, revocable) and `kontor token`."""

from __future__ import annotations

import hashlib
from io import StringIO

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.utils import translation

from kontor.core.errors import Conflict, PermissionDenied, ValidationFailed
from kontor.core.models import ApiToken, AuditEntry
from kontor.core.permissions import Role
from kontor.core.tokens import api_token_authenticate, api_token_create, api_token_revoke
from tests.conftest import make_user


def test_create_stores_only_the_hash_and_authenticates(manager: User, clerk: User):
    token, key = api_token_create(actor=manager, user_id=clerk.pk, name="ERP")

    assert key.startswith("ktr_") and len(key) > 40
    assert token.key_hash == hashlib.sha256(key.encode()).hexdigest()
    assert token.prefix == key[4:12]
    assert not ApiToken.objects.filter(key_hash=key).exists()
    assert api_token_authenticate(key) == clerk
    assert AuditEntry.objects.filter(action="api_token.created").count() == 1


def test_revoked_token_no_longer_authenticates(manager: User, clerk: User):
    token, key = api_token_create(actor=manager, user_id=clerk.pk, name="ERP")

    api_token_revoke(actor=manager, token_id=token.pk)

    assert api_token_authenticate(key) is None
    with pytest.raises(Conflict):
        api_token_revoke(actor=manager, token_id=token.pk)


def test_staff_may_create_own_token_but_not_for_others(clerk: User, accountant: User):
    api_token_create(actor=clerk, user_id=clerk.pk, name="mine")

    with pytest.raises(PermissionDenied):
        api_token_create(actor=clerk, user_id=accountant.pk, name="theirs")
    assert ApiToken.objects.filter(user=accountant).count() == 0


@pytest.mark.parametrize("name, code", [("", "required"), ("x" * 101, "too_long")])
def test_token_needs_a_sensible_name(manager: User, name: str, code: str):
    with pytest.raises(ValidationFailed) as info:
        api_token_create(actor=None, user_id=manager.pk, name=name)

    assert (info.value.field, info.value.code) == ("name", code)
    assert not ApiToken.objects.exists()


def test_user_without_role_gets_no_token(db):
    nobody = make_user("nobody", None)

    with pytest.raises(ValidationFailed) as info:
        api_token_create(actor=None, user_id=nobody.pk, name="x")

    assert info.value.code == "no_role"


def test_customer_may_hold_a_token(manager: User):
    from tests.api.conftest import make_account

    customer = make_user("kunde", Role.CUSTOMER)
    make_account(manager, owner=customer.pk)

    _token, key = api_token_create(actor=None, user_id=customer.pk, name="portal script")

    assert api_token_authenticate(key) == customer


def test_command_creates_prints_lists_and_revokes(clerk: User):
    out, err = StringIO(), StringIO()
    with translation.override("en"):
        call_command("token", "create", "clerk", "--name", "Buchhaltung", stdout=out, stderr=err)
    key = out.getvalue().strip()
    token = ApiToken.objects.get()

    listing = StringIO()
    call_command("token", "list", stdout=listing)
    call_command("token", "revoke", str(token.pk), stdout=StringIO())

    assert api_token_authenticate(key) is None
    assert token.name == "Buchhaltung"
    assert "not shown again" in err.getvalue()
    assert f"ktr_{token.prefix}" in listing.getvalue()
    assert key not in listing.getvalue()


def test_command_for_unknown_user_fails_cleanly(db):
    with translation.override("en"), pytest.raises(CommandError, match="User ghost does not exist"):
        call_command("token", "create", "ghost", "--name", "x", stdout=StringIO())
