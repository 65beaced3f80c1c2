"""The change log (Änderungsprotokoll): every field change of a record and its related rows,
built from django-simple-history by diffing consecutive history records."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import models
from django.utils.translation import gettext as _

from kontor.core.permissions import Action, require

EMPTY = "—"


@dataclass(frozen=True)
class Change:
    field: str
    old: str
    new: str


@dataclass(frozen=True)
class ChangeLogEntry:
    when: datetime
    who: str
    record: str
    action: str
    changes: tuple[Change, ...]
    reason: str = ""


def record_changelog(actor: Any, model: type[models.Model], pk: Any) -> list[ChangeLogEntry]:
    """Every change of one record, newest first."""
    require(actor, Action.HISTORY_VIEW)
    return _entries_of(model.history.filter(id=pk))  # type: ignore[attr-defined]


def account_changelog(actor: Any, account: Any) -> list[ChangeLogEntry]:
    """The account's changes plus those of its contract party, recipients, bank accounts,
    mandates, contracts, subscriptions and booked add-ons, newest first."""
    from kontor.contracts.models import Contract, Subscription, SubscriptionAddon
    from kontor.customers.models import (
        Account,
        BankAccount,
        ContractParty,
        InvoiceRecipient,
        Mandate,
    )

    require(actor, Action.HISTORY_VIEW)
    subscription_ids = Subscription.history.filter(account_id=account.pk).values("id")
    querysets = [
        Account.history.filter(id=account.pk),
        ContractParty.history.filter(id=account.contract_party_id),
        InvoiceRecipient.history.filter(account_id=account.pk),
        BankAccount.history.filter(account_id=account.pk),
        Mandate.history.filter(account_id=account.pk),
        Contract.history.filter(account_id=account.pk),
        Subscription.history.filter(account_id=account.pk),
        SubscriptionAddon.history.filter(subscription_id__in=subscription_ids),
    ]
    entries: list[ChangeLogEntry] = []
    for queryset in querysets:
        entries.extend(_entries_of(queryset))
    return sorted(entries, key=lambda entry: entry.when, reverse=True)


def _entries_of(history: Iterable[Any]) -> list[ChangeLogEntry]:
    by_record: dict[Any, list[Any]] = defaultdict(list)
    for record in history.select_related("history_user").order_by(  # type: ignore[attr-defined]
        "history_date", "history_id"
    ):
        by_record[record.id].append(record)
    entries: list[ChangeLogEntry] = []
    for records in by_record.values():
        previous = None
        for record in records:
            entries.append(_entry(record, previous))
            previous = record
    return sorted(entries, key=lambda entry: entry.when, reverse=True)


def _entry(record: Any, previous: Any | None) -> ChangeLogEntry:
    model = record.instance_type
    label = f"{model._meta.verbose_name} #{record.id}"
    changes: tuple[Change, ...] = ()
    if record.history_type == "+" or previous is None:
        action = _("created")
    elif record.history_type == "-":
        action = _("deleted")
    else:
        action = _("changed")
        delta = record.diff_against(previous)
        changes = tuple(
            Change(
                field=str(model._meta.get_field(change.field).verbose_name),
                old=_display(model, change.field, change.old),
                new=_display(model, change.field, change.new),
            )
            for change in delta.changes
        )
    user = record.history_user
    return ChangeLogEntry(
        when=record.history_date,
        who=user.get_username() if user else EMPTY,
        record=label,
        action=action,
        changes=changes,
        reason=record.history_change_reason or "",
    )


def _display(model: type[models.Model], name: str, value: Any) -> str:
    field = model._meta.get_field(name)
    if value is None or value == "":
        return EMPTY
    if isinstance(field, models.ManyToManyField):
        target = field.related_model._meta.model_name  # type: ignore[union-attr]
        ids = [row.get(target) for row in value]
        objects = field.related_model._default_manager.filter(pk__in=ids)  # type: ignore[union-attr]
        return ", ".join(sorted(str(obj) for obj in objects)) or EMPTY
    if field.is_relation:
        related = field.related_model._default_manager.filter(pk=value).first()  # type: ignore[union-attr]
        return str(related) if related is not None else f"#{value}"
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    return str(value)
