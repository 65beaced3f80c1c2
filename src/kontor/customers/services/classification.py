"""Customer groups and branches (Manager only): create, change, delete.

Names and codes are unique case-insensitively (also a database constraint). A branch code is
fixed once anything uses the branch: import files refer to branches by code and issued
invoices keep the code in their snapshot. Nothing that is in use is deleted; the refusal
says how many records use it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from django.db import IntegrityError, models, transaction
from django.db.models import ProtectedError
from django.utils.translation import gettext as _

from kontor.core.audit import audit
from kontor.core.errors import Conflict, FieldError, NotFound, ValidationFailed, invalid
from kontor.core.permissions import Action, require
from kontor.core.versioning import bump, lock_for_update
from kontor.customers.models import Account, AccountStatus, Branch, CustomerGroup

GROUP_FIELDS = ("name", "description")
BRANCH_FIELDS = ("code", "name")
BRANCH_CODE = re.compile(r"[A-Za-z0-9_-]+")
MAX_CODE = 20
MAX_NAME = 100


# --- customer groups ----------------------------------------------------------------------


@transaction.atomic
def customer_group_create(
    *, actor: Any, name: str, description: str = "", collective_profile: int | None = None
) -> CustomerGroup:
    """`collective_profile` (an id) is given through `customer_group_set_profile`."""
    require(actor, Action.SETTINGS_MANAGE)
    group = CustomerGroup()
    _apply(group, {"name": name, "description": description}, GROUP_FIELDS)
    _save_unique(group, actor)
    audit(actor, "customer_group.created", group, name=group.name)
    if collective_profile is not None:
        group = _set_profile(actor, group, collective_profile)
    return group


@transaction.atomic
def customer_group_update(
    *, actor: Any, group_id: int, expected_version: int | None, changes: dict[str, Any]
) -> CustomerGroup:
    """Rename the group or change its description; refused when it changed since
    `expected_version`. `collective_profile` (an id or None) is handed to
    `customer_group_set_profile`, in the same transaction."""
    require(actor, Action.SETTINGS_MANAGE)
    changes = dict(changes)
    profile_given = "collective_profile" in changes
    profile_id = changes.pop("collective_profile", None)
    group = lock_for_update(CustomerGroup, group_id, expected_version)
    changed = _apply(group, changes, GROUP_FIELDS)
    if changed:
        bump(group)
        _save_unique(group, actor)
        audit(actor, "customer_group.updated", group, changes=changed)
    if profile_given and profile_id != group.collective_profile_id:
        group = _set_profile(actor, group, profile_id)
    return group


def _set_profile(actor: Any, group: CustomerGroup, profile_id: int | None) -> CustomerGroup:
    from kontor.billing.collective import customer_group_set_profile

    try:
        return customer_group_set_profile(actor=actor, group_id=group.pk, profile_id=profile_id)
    except NotFound as exc:  # the group exists (locked above): it is the profile
        raise invalid("collective_profile", exc.message, "not_found") from exc


@transaction.atomic
def customer_group_delete(*, actor: Any, group_id: int) -> None:
    """Refused while accounts belong to the group, deleted (anonymised) ones included: they
    keep their group. A collective invoice profile does not block: a group without accounts
    collects nothing, and the profile stays."""
    require(actor, Action.SETTINGS_MANAGE)
    group = lock_for_update(CustomerGroup, group_id, None)
    usage = _account_usage(Account.objects.filter(group=group))
    if usage:
        raise Conflict(
            _(
                "The customer group is used by %s; it cannot be deleted. Assign the accounts "
                "to another group first (deleted accounts keep their group)."
            )
            % ", ".join(usage),
            code="group_in_use",
        )
    audit(
        actor, "customer_group.deleted", group, name=group.name, profile=group.collective_profile_id
    )
    delete_unless_in_use(group, actor, "group_in_use")


# --- branches -------------------------------------------------------------------------------


@transaction.atomic
def branch_create(*, actor: Any, code: str, name: str) -> Branch:
    require(actor, Action.SETTINGS_MANAGE)
    branch = Branch()
    _apply(branch, {"code": code, "name": name}, BRANCH_FIELDS)
    _save_unique(branch, actor)
    audit(actor, "branch.created", branch, code=branch.code, name=branch.name)
    return branch


@transaction.atomic
def branch_update(
    *, actor: Any, branch_id: int, expected_version: int | None, changes: dict[str, Any]
) -> Branch:
    """Change the name, or the code while nothing uses the branch."""
    require(actor, Action.SETTINGS_MANAGE)
    branch = lock_for_update(Branch, branch_id, expected_version)
    changed = _apply(branch, changes, BRANCH_FIELDS)
    if "code" in changed:
        usage = branch_usage(branch)
        if usage:
            raise invalid(
                "code",
                _(
                    "The code cannot be changed: the branch is used by %s, and import files "
                    "and issued invoices refer to it by its code."
                )
                % ", ".join(usage),
                "in_use",
            )
    if changed:
        bump(branch)
        _save_unique(branch, actor)
        audit(actor, "branch.updated", branch, changes=changed)
    return branch


@transaction.atomic
def branch_delete(*, actor: Any, branch_id: int) -> None:
    require(actor, Action.SETTINGS_MANAGE)
    branch = lock_for_update(Branch, branch_id, None)
    usage = branch_usage(branch)
    if usage:
        raise Conflict(
            _("The branch is used by %s; it cannot be deleted.") % ", ".join(usage),
            code="branch_in_use",
        )
    audit(actor, "branch.deleted", branch, code=branch.code, name=branch.name)
    delete_unless_in_use(branch, actor, "branch_in_use")


def branch_usage(branch: Branch) -> list[str]:
    """What refers to the branch, for messages: ["2 account(s)", "1 invoice(s)"]."""
    from kontor.contracts.models import Contract
    from kontor.invoicing.models import Invoice

    usage = _account_usage(Account.objects.filter(branch=branch))
    contracts = Contract.objects.filter(branch=branch).count()
    invoices = Invoice.objects.filter(branch=branch).count()
    if contracts:
        usage.append(_("%s contract(s)") % contracts)
    if invoices:
        usage.append(_("%s invoice(s)") % invoices)
    return usage


# --- shared ---------------------------------------------------------------------------------


def _account_usage(accounts: models.QuerySet[Account]) -> list[str]:
    total = accounts.count()
    if not total:
        return []
    deleted = accounts.filter(status=AccountStatus.DELETED).count()
    if deleted:
        return [
            _("%(count)s account(s), %(deleted)s of them deleted")
            % {"count": total, "deleted": deleted}
        ]
    return [_("%s account(s)") % total]


def _apply(obj: CustomerGroup | Branch, changes: dict[str, Any], allowed: tuple[str, ...]) -> dict:
    """Clean and set the fields; returns {field: [old, new]} of what changed. All field errors
    at once, and nothing set when there is one."""
    errors: list[FieldError] = []
    cleaned: dict[str, str] = {}
    for name, value in changes.items():
        if name not in allowed:
            errors.append(FieldError(name, "unknown_field", _("This field cannot be changed.")))
            continue
        try:
            cleaned[name] = _clean(obj, name, value)
        except ValidationFailed as exc:
            errors.extend(exc.errors)
    if errors:
        raise ValidationFailed(errors)
    changed = {}
    for name, value in cleaned.items():
        if getattr(obj, name) != value:
            changed[name] = [getattr(obj, name), value]
            setattr(obj, name, value)
    return changed


def _clean(obj: CustomerGroup | Branch, name: str, value: Any) -> str:
    text = "" if value is None else str(value).strip()
    if name == "description":
        return text
    if not text:
        raise invalid(name, _("This field is required."), "required")
    limit = MAX_CODE if name == "code" else MAX_NAME
    if len(text) > limit:
        raise invalid(name, _("At most %(limit)s characters.") % {"limit": limit}, "too_long")
    if name == "code" and not BRANCH_CODE.fullmatch(text):
        raise invalid(
            name,
            _("Use letters A-Z, digits, '-' and '_' only (e.g. HH)."),
            "invalid",
        )
    unique_field = "code" if isinstance(obj, Branch) else "name"
    if name == unique_field:
        _refuse_duplicate(obj, name, text)
    return text


def _refuse_duplicate(obj: CustomerGroup | Branch, name: str, text: str) -> None:
    existing = same_ignoring_case(
        type(obj).objects.exclude(pk=obj.pk).values_list(name, flat=True), text
    )
    if existing is not None:
        raise invalid(name, _duplicate_message(obj, existing), "duplicate")


def same_ignoring_case(values: Iterable[str], text: str) -> str | None:
    """The value equal to `text` regardless of case, compared in Python: SQLite's LOWER and
    LIKE fold ASCII letters only ("ÄRZTE" would pass as new next to "Ärzte")."""
    key = text.casefold()
    return next((value for value in values if value.casefold() == key), None)


def _duplicate_message(obj: CustomerGroup | Branch, existing: str) -> str:
    if isinstance(obj, Branch):
        return _("A branch with the code %s exists already.") % existing
    return _("A customer group named %s exists already.") % existing


def _save_unique(obj: CustomerGroup | Branch, actor: Any) -> None:
    """Save; a concurrent insert of the same name or code (the database constraint) gives the
    same field error as the check before."""
    field = "code" if isinstance(obj, Branch) else "name"
    obj._history_user = actor  # type: ignore[union-attr]
    try:
        with transaction.atomic():
            obj.save()
    except IntegrityError as exc:
        raise invalid(field, _duplicate_message(obj, getattr(obj, field)), "duplicate") from exc


def delete_unless_in_use(obj: models.Model, actor: Any, code: str) -> None:
    """Delete, recording who; a record that gained a user since the check (PROTECT) is
    refused, not broken."""
    obj._history_user = actor  # type: ignore[attr-defined]
    try:
        with transaction.atomic():
            obj.delete()
    except (ProtectedError, IntegrityError) as exc:
        raise Conflict(_("The record is in use now; it was not deleted."), code=code) from exc
