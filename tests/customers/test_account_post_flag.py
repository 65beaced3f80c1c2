"""The account's post flag: empty follows the billing settings' default, yes or no overrides
it. Managers and clerks change it; accountants may not; anything but true, false or empty is
refused with the field named."""

from __future__ import annotations

import pytest

from kontor.core.errors import PermissionDenied, ValidationFailed
from kontor.core.models import AuditEntry
from kontor.customers.models import Account
from kontor.customers.services import account_create, account_update
from tests.builders import account, party


@pytest.mark.parametrize("role", ["manager", "clerk"])
@pytest.mark.parametrize("value", [True, False])
def test_staff_set_and_clear_the_post_flag(request, manager, role, value):
    actor = request.getfixturevalue(role)
    created = account(manager)
    assert created.deliver_by_post is None  # the default: billing settings
    changed = account_update(
        actor=actor,
        account_id=created.pk,
        expected_version=created.version,
        changes={"deliver_by_post": value},
    )
    assert Account.objects.get(pk=created.pk).deliver_by_post is value
    entry = AuditEntry.objects.get(action="account.updated")
    assert (entry.actor, entry.data["fields"]) == (actor, ["deliver_by_post"])
    account_update(
        actor=actor,
        account_id=created.pk,
        expected_version=changed.version,
        changes={"deliver_by_post": None},
    )
    assert Account.objects.get(pk=created.pk).deliver_by_post is None


def test_an_account_is_created_with_the_flag(manager):
    created = account_create(actor=manager, party=party(), fields={"deliver_by_post": True})
    assert Account.objects.get(pk=created.pk).deliver_by_post is True


def test_accountant_may_not_change_the_flag(manager, accountant):
    created = account(manager)
    with pytest.raises(PermissionDenied):
        account_update(
            actor=accountant,
            account_id=created.pk,
            expected_version=created.version,
            changes={"deliver_by_post": True},
        )
    assert Account.objects.get(pk=created.pk).deliver_by_post is None


@pytest.mark.parametrize("value", ["yes", 1, "true"])
def test_only_true_false_or_empty_is_accepted(manager, value):
    created = account(manager)
    with pytest.raises(ValidationFailed) as error:
        account_update(
            actor=manager,
            account_id=created.pk,
            expected_version=created.version,
            changes={"deliver_by_post": value},
        )
    assert (error.value.field, error.value.code) == ("deliver_by_post", "invalid")
    assert Account.objects.get(pk=created.pk).version == created.version
