"""Roles and the permission matrix. Services and selectors call `require`; interfaces never decide.

Staff roles are Django groups named after `Role` values; a superuser counts as Manager.
A customer is a user who owns an account (portal); customers act only on their own accounts,
which the services check in addition to the role.
"""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING

from django.utils.translation import gettext as _

from kontor.core.errors import PermissionDenied

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

    Actor = AbstractBaseUser | AnonymousUser


class Role(StrEnum):
    MANAGER = "manager"
    CLERK = "clerk"
    ACCOUNTANT = "accountant"
    CUSTOMER = "customer"


STAFF_ROLES = (Role.MANAGER, Role.CLERK, Role.ACCOUNTANT)


class Action(StrEnum):
    ACCOUNT_VIEW = "account.view"
    ACCOUNT_CREATE = "account.create"
    ACCOUNT_UPDATE = "account.update"
    ACCOUNT_SET_PAYMENT_TERMS = "account.set_payment_terms"
    ACCOUNT_SET_TEST_FLAG = "account.set_test_flag"
    ACCOUNT_SET_CONTRACT_PERIOD = "account.set_contract_period"
    ACCOUNT_DELETE = "account.delete"
    CONTRACT_PARTY_CHANGE = "contract_party.change"
    BANK_ACCOUNT_MANAGE = "bank_account.manage"
    MANDATE_MANAGE = "mandate.manage"
    LEGAL_ACCEPTANCE_RECORD = "legal_acceptance.record"
    CATALOG_VIEW = "catalog.view"
    CATALOG_MANAGE = "catalog.manage"
    SUBSCRIPTION_VIEW = "subscription.view"
    SUBSCRIPTION_CREATE = "subscription.create"
    SUBSCRIPTION_SET_PRICE = "subscription.set_price"
    SUBSCRIPTION_CANCEL = "subscription.cancel"
    SUBSCRIPTION_CHANGE_TARIFF = "subscription.change_tariff"
    SUBSCRIPTION_OVERRIDE_DATE = "subscription.override_date"
    SUBSCRIPTION_BOOK_ADDON = "subscription.book_addon"
    DATA_IMPORT = "data.import"
    DATA_EXPORT = "data.export"
    HISTORY_VIEW = "history.view"
    SETTINGS_MANAGE = "settings.manage"
    INVOICE_VIEW = "invoice.view"
    INVOICE_EDIT_DRAFT = "invoice.edit_draft"
    INVOICE_FINALIZE = "invoice.finalize"
    CREDIT_NOTE_CREATE = "credit_note.create"
    BILLING_RUN_VIEW = "billing_run.view"
    BILLING_RUN_START = "billing_run.start"
    CHARGE_CREATE = "charge.create"
    DOCUMENT_RERENDER = "document.rerender"


_M, _C, _A, _U = Role.MANAGER, Role.CLERK, Role.ACCOUNTANT, Role.CUSTOMER

MATRIX: dict[Action, frozenset[Role]] = {
    Action.ACCOUNT_VIEW: frozenset({_M, _C, _A, _U}),
    Action.ACCOUNT_CREATE: frozenset({_M, _C}),
    Action.ACCOUNT_UPDATE: frozenset({_M, _C}),
    Action.ACCOUNT_SET_PAYMENT_TERMS: frozenset({_M}),
    Action.ACCOUNT_SET_TEST_FLAG: frozenset({_M}),
    Action.ACCOUNT_SET_CONTRACT_PERIOD: frozenset({_M}),
    Action.ACCOUNT_DELETE: frozenset({_M}),
    Action.CONTRACT_PARTY_CHANGE: frozenset({_M}),
    Action.BANK_ACCOUNT_MANAGE: frozenset({_M, _C}),
    Action.MANDATE_MANAGE: frozenset({_M, _C}),
    Action.LEGAL_ACCEPTANCE_RECORD: frozenset({_M, _C, _U}),
    Action.CATALOG_VIEW: frozenset({_M, _C, _A, _U}),
    Action.CATALOG_MANAGE: frozenset({_M}),
    Action.SUBSCRIPTION_VIEW: frozenset({_M, _C, _A, _U}),
    Action.SUBSCRIPTION_CREATE: frozenset({_M, _C}),
    Action.SUBSCRIPTION_SET_PRICE: frozenset({_M, _C}),
    Action.SUBSCRIPTION_CANCEL: frozenset({_M, _C, _U}),
    Action.SUBSCRIPTION_CHANGE_TARIFF: frozenset({_M, _C, _U}),
    Action.SUBSCRIPTION_OVERRIDE_DATE: frozenset({_M}),
    Action.SUBSCRIPTION_BOOK_ADDON: frozenset({_M}),
    Action.DATA_IMPORT: frozenset({_M}),
    Action.DATA_EXPORT: frozenset({_M, _A}),
    Action.HISTORY_VIEW: frozenset({_M, _C, _A}),
    Action.SETTINGS_MANAGE: frozenset({_M}),
    Action.INVOICE_VIEW: frozenset({_M, _C, _A, _U}),
    Action.INVOICE_EDIT_DRAFT: frozenset({_M, _C}),
    Action.INVOICE_FINALIZE: frozenset({_M, _C}),
    Action.CREDIT_NOTE_CREATE: frozenset({_M}),
    Action.BILLING_RUN_VIEW: frozenset({_M, _C, _A}),
    Action.BILLING_RUN_START: frozenset({_M, _C}),
    Action.CHARGE_CREATE: frozenset({_M, _C}),
    Action.DOCUMENT_RERENDER: frozenset({_M}),
}


def roles_of(actor: Actor | None) -> frozenset[Role]:
    """The roles an actor holds. Inactive and anonymous users hold none."""
    if actor is None or not getattr(actor, "is_authenticated", False):
        return frozenset()
    if not getattr(actor, "is_active", False):
        return frozenset()
    if getattr(actor, "is_superuser", False):
        return frozenset({Role.MANAGER})
    cached = getattr(actor, "_kontor_roles", None)
    if cached is not None:
        return cached
    names = set(actor.groups.values_list("name", flat=True))  # type: ignore[union-attr]
    roles = {role for role in STAFF_ROLES if role.value in names}
    if not roles and actor.owned_accounts.exists():  # type: ignore[union-attr]
        roles.add(Role.CUSTOMER)
    result = frozenset(roles)
    actor._kontor_roles = result  # type: ignore[union-attr]
    return result


def is_staff_actor(actor: Actor | None) -> bool:
    return bool(roles_of(actor) & set(STAFF_ROLES))


def can(actor: Actor | None, action: Action) -> bool:
    return bool(roles_of(actor) & MATRIX[action])


def require(actor: Actor | None, action: Action) -> None:
    """Raise PermissionDenied unless one of the actor's roles may perform the action."""
    if not can(actor, action):
        raise PermissionDenied(
            _("You are not allowed to do this (%(action)s).") % {"action": action.value},
            code="permission_denied",
        )
