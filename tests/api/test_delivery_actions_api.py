"""Delivery actions through the API: managers and clerks send a failed delivery again, send
an invoice to one more address and send an invoice held back because it predates delivery;
accountants and customers are refused and nothing changes."""

# ruff: noqa: F811 - the fixtures come from the document API tests

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine

from kontor.core.models import AuditEntry
from kontor.delivery.models import Delivery, DeliverySchedule
from kontor.delivery.services import deliveries_run
from tests.api.test_documents_api import (  # noqa: F401 - fixtures used by name
    ACCEPTED,
    REJECTED,
    A,
    C,
    M,
    U,
    mail_settings,
    smtp,
    world,
)
from tests.delivery.world import DAY, at, customer, finalized_invoice

pytestmark = pytest.mark.django_db

NEW = "neu@muster.example"


def retry_path(world) -> str:
    return f"/invoices/{world.own.invoice.pk}/deliveries/{world.own.failed.pk}/retry"


@pytest.mark.parametrize("role", [M, C])
def test_staff_send_a_failed_delivery_again(world, role):
    with time_machine.travel(at(DAY, 12), tick=False):
        response = world.api(role).post(retry_path(world))
    assert response.status == 200
    body = response.body
    assert (body["id"], body["recipient"], body["status"]) == (
        world.own.failed.pk,
        REJECTED,
        "pending",
    )
    assert (body["attempts"], body["permanent"], body["next_attempt_at"] is not None) == (
        0,
        False,
        True,
    )
    assert [e["kind"] for e in body["events"]] == ["failed", "retried"]
    assert AuditEntry.objects.get(action="delivery.retried").actor == world.users[role]


@pytest.mark.parametrize(
    ("role", "delivery", "status", "code", "field"),
    [
        (A, "failed", 403, "permission_denied", None),
        (U, "failed", 403, "permission_denied", None),
        (M, "sent", 409, "delivery_not_failed", "status"),
    ],
)
def test_send_again_refused_changes_nothing(world, role, delivery, status, code, field):
    target = getattr(world.own, delivery)
    response = world.api(role).post(
        f"/invoices/{world.own.invoice.pk}/deliveries/{target.pk}/retry"
    )
    assert response.status == status
    error = response.body["errors"][0]
    assert (error["code"], error["field"]) == (code, field)
    target.refresh_from_db()
    assert target.status == delivery
    assert not AuditEntry.objects.filter(action="delivery.retried").exists()


def test_send_again_under_another_invoice_is_not_found(world):
    path = f"/invoices/{world.foreign.pk}/deliveries/{world.own.failed.pk}/retry"
    assert world.api(M).post(path).status == 404
    world.own.failed.refresh_from_db()
    assert world.own.failed.status == "failed"


@pytest.mark.parametrize("role", [M, C])
def test_staff_send_an_invoice_to_one_more_address(world, smtp, role):
    path = f"/invoices/{world.own.invoice.pk}/deliveries"
    response = world.api(role).post(path, {"recipient": NEW, "mode": "link"})
    assert response.status == 201
    body = response.body
    assert (body["recipient"], body["mode"], body["status"], body["events"]) == (
        NEW,
        "link",
        "pending",
        [],
    )
    with time_machine.travel(at(DAY + timedelta(days=1)), tick=False):
        assert body["id"] in deliveries_run().sent.sent
    assert [NEW] in [r.rcpt_tos for r in smtp.received]


@pytest.mark.parametrize(
    ("role", "body", "status", "code", "field"),
    [
        (A, {"recipient": NEW}, 403, "permission_denied", None),
        (U, {"recipient": NEW}, 403, "permission_denied", None),
        (M, {"recipient": "kein-at-zeichen"}, 422, "invalid", "recipient"),
        (M, {"recipient": ACCEPTED.upper()}, 409, "delivery_exists", "recipient"),
        (M, {"recipient": NEW, "mode": "fax"}, 422, "invalid", "mode"),
        (M, {}, 422, "required", "recipient"),
    ],
)
def test_one_more_address_refused_adds_nothing(world, role, body, status, code, field):
    before = set(Delivery.objects.values_list("pk", flat=True))
    response = world.api(role).post(f"/invoices/{world.own.invoice.pk}/deliveries", body)
    assert response.status == status
    error = response.body["errors"][0]
    assert (error["code"], error["field"]) == (code, field)
    assert error["message"]
    assert set(Delivery.objects.values_list("pk", flat=True)) == before


def test_one_more_address_for_a_draft_is_refused(world):
    response = world.api(M).post(f"/invoices/{world.draft.pk}/deliveries", {"recipient": NEW})
    assert response.status == 409
    assert response.body["errors"][0]["code"] == "invoice_not_finalized"


def test_staff_send_an_invoice_held_back_before_delivery_start(world, smtp, manager):
    with time_machine.travel(at(DAY - timedelta(days=40), 10), tick=False):
        old = finalized_invoice(
            manager,
            customer(manager, ("alt@kunde.example", "attachment"), company="Alt GmbH"),
            day=DAY - timedelta(days=40),
        )
    with time_machine.travel(at(DAY + timedelta(days=1)), tick=False):
        assert deliveries_run().held == 1
    path = f"/invoices/{old.pk}/deliveries/release"
    assert world.api(A).post(path).status == 403
    assert not DeliverySchedule.objects.filter(invoice=old).exists()
    response = world.api(C).post(path)
    assert response.status == 200
    assert [(d["recipient"], d["status"]) for d in response.body] == [
        ("alt@kunde.example", "pending")
    ]
    again = world.api(C).post(path)
    assert (again.status, again.body["errors"][0]["code"]) == (409, "not_held")
