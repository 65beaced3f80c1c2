"""Customer groups: create, rename, describe, delete; names unique case-insensitively; a group
with accounts is kept; every write leaves an audit entry and a change log row."""

from __future__ import annotations

import pytest

from kontor.billing.collective import collective_profile_create
from kontor.core.errors import ConcurrentEdit, Conflict, NotFound, ValidationFailed
from kontor.core.models import AuditEntry
from kontor.customers.models import CustomerGroup
from kontor.customers.services import (
    account_delete,
    customer_group_create,
    customer_group_delete,
    customer_group_update,
)
from tests.builders import account, party

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def errors(exc: pytest.ExceptionInfo) -> list[tuple[str | None, str]]:
    return [(e.field, e.code) for e in exc.value.errors]


def test_create_trims_and_records_who(manager):
    group = customer_group_create(actor=manager, name="  Vereine ", description=" Sport ")

    assert (group.name, group.description, group.version) == ("Vereine", "Sport", 1)
    entry = AuditEntry.objects.get(action="customer_group.created")
    assert (entry.actor, entry.target_id, entry.data) == (
        manager,
        str(group.pk),
        {"name": "Vereine"},
    )
    [created] = group.history.all()
    assert (created.history_type, created.history_user) == ("+", manager)


@pytest.mark.parametrize(
    "name, code",
    [("", "required"), ("   ", "required"), (None, "required"), ("x" * 101, "too_long")],
)
def test_create_refuses_a_bad_name(manager, name, code):
    with pytest.raises(ValidationFailed) as exc:
        customer_group_create(actor=manager, name=name)

    assert errors(exc) == [("name", code)]
    assert not CustomerGroup.objects.exists()
    assert not AuditEntry.objects.exists()


@pytest.mark.parametrize(
    "existing, name",
    [("Vereine", "Vereine"), ("Vereine", "VEREINE"), ("Vereine", " vereine "), ("Ärzte", "ÄRZTE")],
)
def test_names_are_unique_case_insensitively(manager, existing, name):
    customer_group_create(actor=manager, name=existing)

    with pytest.raises(ValidationFailed) as exc:
        customer_group_create(actor=manager, name=name)

    assert errors(exc) == [("name", "duplicate")]
    assert exc.value.errors[0].message == f"A customer group named {existing} exists already."
    assert CustomerGroup.objects.count() == 1


def test_a_lost_race_gives_the_same_field_error(manager, monkeypatch):
    """The check in the service can lose a race against a concurrent create; the database
    constraint (on lower(name)) then refuses, and the caller sees the same field error."""
    from kontor.customers.services import classification

    customer_group_create(actor=manager, name="Vereine")
    monkeypatch.setattr(classification, "_refuse_duplicate", lambda *args: None)

    with pytest.raises(ValidationFailed) as exc:
        customer_group_create(actor=manager, name="vereine")

    assert errors(exc) == [("name", "duplicate")]
    assert CustomerGroup.objects.count() == 1
    assert AuditEntry.objects.filter(action="customer_group.created").count() == 1


def test_rename_bumps_the_version_and_lands_in_the_change_log(manager):
    group = customer_group_create(actor=manager, name="Vereine")

    renamed = customer_group_update(
        actor=manager,
        group_id=group.pk,
        expected_version=1,
        changes={"name": "Sportvereine", "description": "e. V."},
    )

    assert (renamed.name, renamed.description, renamed.version) == ("Sportvereine", "e. V.", 2)
    entry = AuditEntry.objects.get(action="customer_group.updated")
    assert entry.data == {
        "changes": {"name": ["Vereine", "Sportvereine"], "description": ["", "e. V."]}
    }
    latest = group.history.first()
    assert (latest.history_type, latest.history_user, latest.name) == ("~", manager, "Sportvereine")


def test_renaming_to_another_case_of_its_own_name_is_allowed(manager):
    group = customer_group_create(actor=manager, name="vereine")

    renamed = customer_group_update(
        actor=manager, group_id=group.pk, expected_version=1, changes={"name": "Vereine"}
    )

    assert renamed.name == "Vereine"


def test_rename_to_an_existing_name_is_refused(manager):
    customer_group_create(actor=manager, name="Agenturen")
    group = customer_group_create(actor=manager, name="Vereine")

    with pytest.raises(ValidationFailed) as exc:
        customer_group_update(
            actor=manager, group_id=group.pk, expected_version=1, changes={"name": "agenturen "}
        )

    assert errors(exc) == [("name", "duplicate")]
    group.refresh_from_db()
    assert (group.name, group.version) == ("Vereine", 1)


def test_a_stale_version_is_refused_and_nothing_changes(manager):
    group = customer_group_create(actor=manager, name="Vereine")
    customer_group_update(
        actor=manager, group_id=group.pk, expected_version=1, changes={"description": "neu"}
    )

    with pytest.raises(ConcurrentEdit) as exc:
        customer_group_update(
            actor=manager, group_id=group.pk, expected_version=1, changes={"name": "Clubs"}
        )

    assert exc.value.field == "version"
    assert "your version 1, now 2" in exc.value.message
    group.refresh_from_db()
    assert (group.name, group.version) == ("Vereine", 2)


def test_unchanged_values_write_nothing(manager):
    group = customer_group_create(actor=manager, name="Vereine")

    same = customer_group_update(
        actor=manager, group_id=group.pk, expected_version=1, changes={"name": " Vereine"}
    )

    assert same.version == 1
    assert not AuditEntry.objects.filter(action="customer_group.updated").exists()
    assert group.history.count() == 1


def test_unknown_fields_are_refused(manager):
    group = customer_group_create(actor=manager, name="Vereine")

    with pytest.raises(ValidationFailed) as exc:
        customer_group_update(
            actor=manager, group_id=group.pk, expected_version=1, changes={"colour": "red"}
        )

    assert errors(exc) == [("colour", "unknown_field")]


def test_update_hands_the_profile_to_the_profile_service(manager):
    profile = collective_profile_create(
        actor=manager, data={"name": "Monatlich", "interval": "monthly"}
    )
    group = customer_group_create(actor=manager, name="Vereine")

    updated = customer_group_update(
        actor=manager,
        group_id=group.pk,
        expected_version=1,
        changes={"name": "Clubs", "collective_profile": profile.pk},
    )

    assert (updated.name, updated.collective_profile_id, updated.version) == (
        "Clubs",
        profile.pk,
        2,
    )
    assert AuditEntry.objects.filter(action="customer_group.profile_set").count() == 1


def test_a_bad_profile_leaves_the_rename_undone(manager):
    group = customer_group_create(actor=manager, name="Vereine")

    with pytest.raises(ValidationFailed) as exc:
        customer_group_update(
            actor=manager,
            group_id=group.pk,
            expected_version=1,
            changes={"name": "Clubs", "collective_profile": 999999},
        )

    assert errors(exc) == [("collective_profile", "not_found")]
    group.refresh_from_db()
    assert (group.name, group.version) == ("Vereine", 1)
    assert not AuditEntry.objects.filter(action="customer_group.updated").exists()


def test_delete_of_an_unused_group(manager):
    group = customer_group_create(actor=manager, name="Vereine")

    customer_group_delete(actor=manager, group_id=group.pk)

    assert not CustomerGroup.objects.exists()
    assert AuditEntry.objects.get(action="customer_group.deleted").data == {
        "name": "Vereine",
        "profile": None,
    }
    assert CustomerGroup.history.filter(history_type="-").get().history_user == manager


def test_delete_is_refused_while_accounts_belong_to_the_group(manager):
    group = customer_group_create(actor=manager, name="Vereine")
    account(manager, group=group.pk)
    account(manager, group=group.pk, party=party(company_name="Zweite GmbH"))

    with pytest.raises(Conflict) as exc:
        customer_group_delete(actor=manager, group_id=group.pk)

    assert exc.value.code == "group_in_use"
    assert exc.value.message == (
        "The customer group is used by 2 account(s); it cannot be deleted. Assign the accounts "
        "to another group first (deleted accounts keep their group)."
    )
    assert CustomerGroup.objects.filter(pk=group.pk).exists()
    assert not AuditEntry.objects.filter(action="customer_group.deleted").exists()


def test_deleted_accounts_keep_their_group(manager):
    group = customer_group_create(actor=manager, name="Vereine")
    gone = account(manager, group=group.pk)
    account_delete(actor=manager, account_id=gone.pk)

    with pytest.raises(Conflict) as exc:
        customer_group_delete(actor=manager, group_id=group.pk)

    assert "used by 1 account(s), 1 of them deleted;" in exc.value.message


def test_a_group_with_a_profile_but_no_accounts_may_be_deleted(manager):
    profile = collective_profile_create(
        actor=manager, data={"name": "Monatlich", "interval": "monthly"}
    )
    group = customer_group_create(actor=manager, name="Vereine")
    customer_group_update(
        actor=manager,
        group_id=group.pk,
        expected_version=None,
        changes={"collective_profile": profile.pk},
    )

    customer_group_delete(actor=manager, group_id=group.pk)

    assert not CustomerGroup.objects.exists()
    profile.refresh_from_db()
    assert AuditEntry.objects.get(action="customer_group.deleted").data["profile"] == profile.pk


def test_create_with_a_profile(manager):
    profile = collective_profile_create(
        actor=manager, data={"name": "Monatlich", "interval": "monthly"}
    )

    group = customer_group_create(actor=manager, name="Vereine", collective_profile=profile.pk)

    assert (group.collective_profile_id, group.version) == (profile.pk, 1)
    with pytest.raises(ValidationFailed) as exc:
        customer_group_create(actor=manager, name="Clubs", collective_profile=999999)
    assert errors(exc) == [("collective_profile", "not_found")]
    assert list(CustomerGroup.objects.values_list("name", flat=True)) == ["Vereine"]


def test_delete_of_a_missing_group(manager):
    with pytest.raises(NotFound):
        customer_group_delete(actor=manager, group_id=999999)
