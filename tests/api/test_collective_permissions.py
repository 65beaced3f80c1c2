"""Role × collective-invoice endpoint: allowed → 2xx, denied → 403 with the service's message
and nothing written (no audit entry, no profile, group, invoice or charge changed)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
import time_machine

from kontor.billing.collective import collective_profile_create
from kontor.billing.models import Charge, CollectiveProfile
from kontor.core.models import AuditEntry
from kontor.customers.models import CustomerGroup
from kontor.invoicing.models import Invoice
from tests.api.conftest import ApiClient, Response, World
from tests.api.test_collective_api import DEC_15, bimonthly_subscription, drafts_in_advance

M, C, A, U = "manager", "clerk", "accountant", "customer"
Call = Callable[[ApiClient], Response]


def _profile(w: World) -> CollectiveProfile:
    return collective_profile_create(
        actor=w.manager, data={"name": "Sammelrechnung", "interval": "monthly"}
    )


def list_profiles(w: World) -> Call:
    _profile(w)
    return lambda api: api.get("/collective-profiles")


def create_profile(w: World) -> Call:
    return lambda api: api.post("/collective-profiles", {"name": "Neu", "interval": "monthly"})


def get_profile(w: World) -> Call:
    pid = _profile(w).pk
    return lambda api: api.get(f"/collective-profiles/{pid}")


def update_profile(w: World) -> Call:
    pid = _profile(w).pk
    body = {"spending_limit": "10.00"}
    return lambda api: api.patch(f"/collective-profiles/{pid}", body, HTTP_IF_MATCH='"1"')


def delete_profile(w: World) -> Call:
    pid = _profile(w).pk
    return lambda api: api.delete(f"/collective-profiles/{pid}")


def list_groups(w: World) -> Call:
    CustomerGroup.objects.create(name="Sammelkunden")
    return lambda api: api.get("/customer-groups")


def set_group_profile(w: World) -> Call:
    group = CustomerGroup.objects.create(name="Sammelkunden")
    body = {"collective_profile": _profile(w).pk}
    return lambda api: api.patch(f"/customer-groups/{group.pk}", body)


def collective_status(w: World) -> Call:
    return lambda api: api.get(f"/accounts/{w.own.pk}/collective")


def list_collective_drafts(w: World) -> Call:
    drafts_in_advance(w)
    return lambda api: api.get("/invoices/collective")


def combine(w: World) -> Call:
    ids = [d.pk for d in drafts_in_advance(w)]
    return lambda api: api.post("/invoices/combine", {"invoice_ids": ids})


def invoices_in_advance(w: World) -> Call:
    contract_id = bimonthly_subscription(w).contract_id
    body = {"until": "2027-04-30"}
    return lambda api: api.post(f"/contracts/{contract_id}/invoices-in-advance", body)


def denied(action: str) -> str:
    return f"You are not allowed to do this ({action})."


# endpoint, allowed roles, the message of the 403
TABLE: list[tuple[Callable[[World], Call], set[str], str]] = [
    (list_profiles, {M, C, A}, denied("billing_run.view")),
    (create_profile, {M}, denied("settings.manage")),
    (get_profile, {M, C, A}, denied("billing_run.view")),
    (update_profile, {M}, denied("settings.manage")),
    (delete_profile, {M}, denied("settings.manage")),
    (list_groups, {M, C, A}, "Only staff see customer groups."),
    (set_group_profile, {M}, denied("settings.manage")),
    (collective_status, {M, C, A, U}, ""),
    (list_collective_drafts, {M, C, A}, "Only staff see drafts."),
    (combine, {M, C}, denied("invoice.edit_draft")),
    (invoices_in_advance, {M, C}, denied("invoice.edit_draft")),
]

WRITES = {
    create_profile,
    update_profile,
    delete_profile,
    set_group_profile,
    combine,
    invoices_in_advance,
}

CASES = [
    pytest.param(setup, role, role in allowed, message, id=f"{setup.__name__}-{role}")
    for setup, allowed, message in TABLE
    for role in (M, C, A, U)
]


def snapshot() -> dict[str, object]:
    return {
        "audit": AuditEntry.objects.count(),
        "profiles": sorted(
            CollectiveProfile.objects.values_list("pk", "version", "spending_limit")
        ),
        "groups": sorted(CustomerGroup.objects.values_list("pk", "collective_profile_id")),
        "invoices": sorted(Invoice.objects.values_list("pk", "version", "send_date")),
        "charges": Charge.objects.count(),
    }


@time_machine.travel(DEC_15, tick=False)
@pytest.mark.parametrize("setup, role, allowed, message", CASES)
def test_role_may_or_may_not_call_collective_endpoint(
    world: World, setup: Callable[[World], Call], role: str, allowed: bool, message: str
):
    call = setup(world)
    api = world.api(role)
    before = snapshot()

    response = call(api)

    if allowed:
        assert 200 <= response.status < 300, response.body
        if setup in WRITES:
            assert AuditEntry.objects.count() > before["audit"]
    else:
        assert response.status == 403, response.body
        assert response.body == {
            "errors": [{"field": None, "code": "permission_denied", "message": message}]
        }
        assert snapshot() == before
