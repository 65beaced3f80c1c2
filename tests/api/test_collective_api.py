"""Collective invoices over the API: profiles, customer groups, an account's credit status, the
spending limit on the existing order endpoints, invoices in advance, combining drafts and
their send dates."""

from __future__ import annotations

from datetime import date

import pytest
import time_machine

from kontor.billing.advance import contract_invoices_in_advance
from kontor.billing.collective import collective_profile_create, customer_group_set_profile
from kontor.billing.models import Charge, CollectiveProfile
from kontor.catalog.models import TariffVersion
from kontor.contracts.models import Subscription
from kontor.contracts.services import subscription_create
from kontor.core.models import AuditEntry
from kontor.customers.models import Account, CustomerGroup
from kontor.invoicing.models import Invoice
from tests.api.conftest import World, make_account, party
from tests.builders import tariff

NOV_10 = date(2026, 11, 10)
DEC_15 = date(2026, 12, 15)


def profile_of(w: World, **data: object) -> CollectiveProfile:
    values = {"name": "Sammelrechnung", "interval": "monthly", **data}
    return collective_profile_create(actor=w.manager, data=values)


def collecting_account(w: World, profile: CollectiveProfile) -> Account:
    group = CustomerGroup.objects.create(name="Sammelkunden")
    customer_group_set_profile(actor=w.manager, group_id=group.pk, profile_id=profile.pk)
    return make_account(w.manager, group=group.pk, party=party(company_name="Sammel KG"))


def bimonthly_subscription(w: World) -> Subscription:
    version = TariffVersion.objects.filter(tariff__code="WART-2").first() or tariff(
        w.manager, code="WART-2", price="50.00", interval=2, minimum=12, renewal=12
    )
    acc = make_account(w.manager, party=party(company_name="Wartung GmbH"))
    return subscription_create(
        actor=w.manager,
        account_id=acc.pk,
        tariff_version_id=version.pk,
        start_date=date(2027, 1, 1),
    )


def drafts_in_advance(w: World, until: date = date(2027, 4, 30)) -> list[Invoice]:
    sub = bimonthly_subscription(w)
    return contract_invoices_in_advance(
        actor=w.manager, contract_id=sub.contract_id, until=until, today=DEC_15
    )


def charge_body(text: str, price: str, version: TariffVersion) -> dict[str, object]:
    """A one-off charge on 10 Nov 2026."""
    return {
        "description": text,
        "unit_price": price,
        "service_date": "2026-11-10",
        "tax_category_id": version.tax_category_id,
    }


def errors(response) -> list[tuple[str | None, str]]:
    return [(e["field"], e["code"]) for e in response.body["errors"]]


# --- profiles and customer groups -------------------------------------------------------------


def test_profile_create_read_change_delete(world, api):
    created = api.post(
        "/collective-profiles",
        {
            "name": "Jahresrechnung",
            "interval": "yearly",
            "day_of_month": 15,
            "month_of_year": 1,
            "spending_limit": "500.00",
            "payment_term_days": 30,
        },
    )
    assert created.status == 201, created.body
    pid = created.body["id"]
    assert created.body == {
        "id": pid,
        "version": 1,
        "name": "Jahresrechnung",
        "interval": "yearly",
        "day_of_month": 15,
        "month_of_year": 1,
        "spending_limit": "500.00",
        "payment_term_days": 30,
        "customer_groups": [],
    }
    read = world.api("accountant").get(f"/collective-profiles/{pid}")
    assert (read.status, read.body, read.headers["ETag"]) == (200, created.body, '"1"')
    assert [p["name"] for p in api.get("/collective-profiles").body] == ["Jahresrechnung"]

    without_version = api.patch(f"/collective-profiles/{pid}", {"spending_limit": None})
    assert (without_version.status, errors(without_version)) == (
        428,
        [("version", "version_required")],
    )
    changed = api.patch(
        f"/collective-profiles/{pid}",
        {"interval": "monthly", "spending_limit": None},
        HTTP_IF_MATCH='"1"',
    )
    assert changed.status == 200, changed.body
    assert (changed.body["version"], changed.headers["ETag"]) == (2, '"2"')
    assert (changed.body["interval"], changed.body["month_of_year"]) == ("monthly", None)
    assert changed.body["spending_limit"] is None
    stale = api.patch(f"/collective-profiles/{pid}", {"name": "X"}, HTTP_IF_MATCH='"1"')
    assert (stale.status, errors(stale)) == (409, [("version", "stale_version")])
    assert CollectiveProfile.objects.get().name == "Jahresrechnung"

    deleted = api.delete(f"/collective-profiles/{pid}")
    assert (deleted.status, deleted.body) == (204, None)
    gone = api.get(f"/collective-profiles/{pid}")
    assert (gone.status, errors(gone)) == (404, [(None, "not_found")])


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({"interval": "monthly"}, [("name", "required")]),
        (
            {"name": " ", "interval": "weekly", "day_of_month": 32, "spending_limit": "-1"},
            [
                ("name", "invalid"),
                ("interval", "invalid"),
                ("day_of_month", "invalid"),
                ("spending_limit", "invalid"),
            ],
        ),
        ({"name": "J", "interval": "yearly"}, [("month_of_year", "required")]),
        (
            {"name": "M", "interval": "monthly", "spending_limit": 5},
            [("spending_limit", "money_as_string")],
        ),
        ({"name": "M", "interval": "monthly", "limit": "5.00"}, [("limit", "unknown_field")]),
        (
            {"name": "M", "interval": "monthly", "day_of_month": "x"},
            [("day_of_month", "int_parsing")],
        ),
    ],
    ids=["missing-name", "service-rules", "yearly-needs-month", "money-as-number", "typo", "type"],
)
def test_profile_validation_names_the_field(world, api, body, expected):
    response = api.post("/collective-profiles", body)

    assert response.status == 422, response.body
    assert sorted(errors(response)) == sorted(expected)
    assert not CollectiveProfile.objects.exists()


def test_duplicate_name_and_patch_validation(world, api):
    profile_of(world)
    other = profile_of(world, name="Zweites")

    duplicate = api.post("/collective-profiles", {"name": "Sammelrechnung", "interval": "monthly"})
    bad_patch = api.patch(
        f"/collective-profiles/{other.pk}",
        {"name": "Sammelrechnung", "payment_term_days": 400},
        HTTP_IF_MATCH='"1"',
    )

    assert (duplicate.status, errors(duplicate)) == (422, [("name", "duplicate")])
    assert (bad_patch.status, errors(bad_patch)) == (422, [("payment_term_days", "invalid")])
    assert "0 to 365" in bad_patch.body["errors"][0]["message"]
    missing = api.patch("/collective-profiles/999999", {"name": "Y"}, HTTP_IF_MATCH='"1"')
    assert (missing.status, errors(missing)) == (404, [(None, "not_found")])


def test_customer_group_gets_and_loses_a_profile(world, api):
    profile = profile_of(world)
    group = CustomerGroup.objects.create(name="Sammelkunden")
    plain = CustomerGroup.objects.create(name="Agenturen")

    assigned = api.patch(f"/customer-groups/{group.pk}", {"collective_profile": profile.pk})

    assert assigned.status == 200, assigned.body
    assert assigned.body == {
        "id": group.pk,
        "version": 1,
        "name": "Sammelkunden",
        "description": "",
        "collective_profile": profile.pk,
    }
    listed = world.api("clerk").get("/customer-groups").body
    assert [(g["id"], g["name"], g["collective_profile"]) for g in listed] == [
        (plain.pk, "Agenturen", None),
        (group.pk, "Sammelkunden", profile.pk),
    ]
    read = api.get(f"/collective-profiles/{profile.pk}").body
    assert read["customer_groups"] == [{"id": group.pk, "name": "Sammelkunden"}]
    in_use = api.delete(f"/collective-profiles/{profile.pk}")
    assert (in_use.status, errors(in_use)) == (409, [(None, "profile_in_use")])
    assert "Sammelkunden" in in_use.body["errors"][0]["message"]

    removed = api.patch(f"/customer-groups/{group.pk}", {"collective_profile": None})
    assert (removed.status, removed.body["collective_profile"]) == (200, None)
    assert api.get(f"/collective-profiles/{profile.pk}").body["customer_groups"] == []


def test_customer_group_patch_errors(world, api):
    group = CustomerGroup.objects.create(name="Sammelkunden")

    empty = api.patch(f"/customer-groups/{group.pk}", {})
    no_profile = api.patch(f"/customer-groups/{group.pk}", {"collective_profile": 999999})
    no_group = api.patch("/customer-groups/999999", {"collective_profile": None})

    assert (empty.status, errors(empty)) == (422, [(None, "no_changes")])
    assert (no_profile.status, errors(no_profile)) == (
        422,
        [("collective_profile", "not_found")],
    )
    assert (no_group.status, errors(no_group)) == (404, [(None, "not_found")])
    assert CustomerGroup.objects.get().collective_profile_id is None


# --- credit status and the spending limit ------------------------------------------------------


@pytest.fixture
def limited(world: World) -> tuple[Account, TariffVersion]:
    """At 10 Nov 2026: limit 100.00, a one-off of 60.00 collected, a 30.00 monthly module from
    10 Nov (21/30 = 21.00 up to the billing date 1 Dec): 19.00 left."""
    acc = collecting_account(world, profile_of(world, spending_limit="100.00"))
    monthly = tariff(world.manager, code="WEB-M", price="30.00", minimum=0, renewal=1)
    with time_machine.travel(NOV_10, tick=False):
        response = world.api("clerk").post(
            f"/accounts/{acc.pk}/charges", charge_body("Einrichtung", "60.00", monthly)
        )
        assert response.status == 201, response.body
        subscription_create(
            actor=world.clerk, account_id=acc.pk, tariff_version_id=monthly.pk, start_date=NOV_10
        )
    return acc, monthly


@time_machine.travel(NOV_10, tick=False)
def test_collective_status_shows_limit_and_credit_left(world, limited):
    acc, _monthly = limited

    response = world.api("accountant").get(f"/accounts/{acc.pk}/collective")

    assert response.status == 200, response.body
    assert response.body == {
        "profile_id": CollectiveProfile.objects.get().pk,
        "profile_name": "Sammelrechnung",
        "interval": "monthly",
        "next_billing_date": "2026-12-01",
        "interval_start": "2026-11-01",
        "spending_limit": "100.00",
        "collected": "60.00",
        "upcoming": "21.00",
        "remaining": "19.00",
        "pending_items": 1,
        "pending_amount": "60.00",
        "pending_first_date": "2026-12-01",
    }


def test_collective_status_of_an_account_that_does_not_collect(world):
    own = world.api("customer").get(f"/accounts/{world.own.pk}/collective")
    other = world.api("customer").get(f"/accounts/{world.other.pk}/collective")

    assert own.status == 200, own.body
    assert (own.body["profile_id"], own.body["remaining"], own.body["collected"]) == (
        None,
        None,
        "0.00",
    )
    assert (other.status, errors(other)) == (404, [(None, "not_found")])


@time_machine.travel(NOV_10, tick=False)
def test_spending_limit_refuses_charges_and_subscriptions_with_409(world, limited):
    acc, monthly = limited
    big = tariff(
        world.manager, code="BIG-L", price="40.00", minimum=0, renewal=1, module_code="BIG"
    )
    clerk = world.api("clerk")
    before = (Charge.objects.count(), Subscription.objects.count(), AuditEntry.objects.count())

    charge = clerk.post(f"/accounts/{acc.pk}/charges", charge_body("Beratung", "25.00", monthly))
    order = clerk.post(
        f"/accounts/{acc.pk}/subscriptions",
        {"tariff_version_id": big.pk, "start_date": "2026-11-10"},
    )

    assert (charge.status, errors(charge)) == (409, [(None, "spending_limit")])
    assert charge.body["errors"][0]["message"] == (
        "Spending limit reached: the limit for the interval up to 12/01/2026 is 100.00 EUR, "
        "81.00 EUR are used, 19.00 EUR are left; this order costs 25.00 EUR."
    )
    assert (order.status, errors(order)) == (409, [(None, "spending_limit")])
    assert "19.00 EUR are left; this order costs 28.00 EUR" in order.body["errors"][0]["message"]
    after = (Charge.objects.count(), Subscription.objects.count(), AuditEntry.objects.count())
    assert after == before, "nothing was charged, ordered or logged"
    fits = clerk.post(f"/accounts/{acc.pk}/charges", charge_body("Kleinteil", "19.00", monthly))
    assert fits.status == 201, fits.body
    assert clerk.get(f"/accounts/{acc.pk}/collective").body["remaining"] == "0.00"


# --- invoices in advance, collective drafts, combining, send dates --------------------------


@time_machine.travel(DEC_15, tick=False)
def test_invoices_in_advance_then_combine_and_change_send_dates(world):
    sub = bimonthly_subscription(world)
    clerk = world.api("clerk")

    created = clerk.post(
        f"/contracts/{sub.contract_id}/invoices-in-advance", {"until": "2027-12-31"}
    )

    assert created.status == 201, created.body
    assert [
        (d["send_date"], d["period_start"], d["net_total"], d["status"]) for d in created.body
    ] == [(f"2027-{m:02d}-01", f"2027-{m:02d}-01", "50.00", "draft") for m in (1, 3, 5, 7, 9, 11)]
    ids = [d["id"] for d in created.body]
    listed = world.api("accountant").get("/invoices/collective")
    assert listed.body["count"] == 6
    first = listed.body["items"][0]
    assert first == {
        "id": ids[0],
        "version": first["version"],
        "account_id": sub.contract.account_id,
        "customer_number": sub.contract.account.customer_number,
        "period_start": "2027-01-01",
        "period_end": "2027-02-28",
        "currency": "EUR",
        "net_total": "50.00",
        "gross_total": "59.50",
        "send_date": "2027-01-01",
        "line_count": 1,
    }

    combined = clerk.post("/invoices/combine", {"invoice_ids": ids[:2]})
    assert combined.status == 200, combined.body
    assert (combined.body["id"], combined.body["send_date"]) == (ids[0], "2027-01-01")
    assert [(x["period_start"], x["period_end"]) for x in combined.body["lines"]] == [
        ("2027-01-01", "2027-02-28"),
        ("2027-03-01", "2027-04-30"),
    ]
    assert (combined.body["net_total"], combined.body["gross_total"]) == ("100.00", "119.00")
    assert combined.headers["ETag"] == f'"{combined.body["version"]}"'
    chosen = clerk.post("/invoices/combine", {"invoice_ids": ids[2:4], "send_date": "2027-05-03"})
    undated = clerk.post("/invoices/combine", {"invoice_ids": ids[4:], "send_date": None})
    assert (chosen.body["send_date"], undated.body["send_date"]) == ("2027-05-03", None)
    assert not Invoice.objects.filter(pk__in=[ids[1], ids[3], ids[5]]).exists()

    waiting = clerk.get("/invoices/collective", {"without_send_date": "true"}).body
    assert [(d["id"], d["line_count"]) for d in waiting["items"]] == [(ids[4], 2)]
    # a send date is set and cleared with the invoices' PATCH (null clears it)
    version = undated.body["version"]
    dated = clerk.patch(
        f"/invoices/{ids[4]}", {"send_date": "2027-09-01"}, HTTP_IF_MATCH=f'"{version}"'
    )
    assert (dated.status, dated.body["send_date"]) == (200, "2027-09-01"), dated.body
    assert clerk.get("/invoices/collective", {"without_send_date": "true"}).body["count"] == 0
    cleared = clerk.patch(
        f"/invoices/{ids[4]}", {"send_date": None}, HTTP_IF_MATCH=f'"{dated.body["version"]}"'
    )
    assert (cleared.status, cleared.body["send_date"]) == (200, None), cleared.body
    assert Invoice.objects.get(pk=ids[4]).send_date is None


@time_machine.travel(DEC_15, tick=False)
def test_combine_refusals(world, api):
    drafts = drafts_in_advance(world)
    foreign = drafts_in_advance(world, until=date(2027, 2, 28))[0]
    ids = [d.pk for d in drafts]

    cases = {
        "one": api.post("/invoices/combine", {"invoice_ids": ids[:1]}),
        "missing": api.post("/invoices/combine", {}),
        "accounts": api.post("/invoices/combine", {"invoice_ids": [ids[0], foreign.pk]}),
        "bad_date": api.post("/invoices/combine", {"invoice_ids": ids, "send_date": "1.5.2027"}),
        "unknown": api.post("/invoices/combine", {"invoice_ids": [ids[0], 999999]}),
    }

    assert {name: (r.status, errors(r)) for name, r in cases.items()} == {
        "one": (422, [("invoice_ids", "too_few")]),
        "missing": (422, [("invoice_ids", "required")]),
        "accounts": (422, [("invoice_ids", "accounts")]),
        "bad_date": (422, [("send_date", "date_from_datetime_parsing")]),
        "unknown": (404, [(None, "not_found")]),
    }
    assert [Invoice.objects.get(pk=pk).lines.count() for pk in ids] == [1, 1], "nothing moved"
    version = Invoice.objects.get(pk=ids[1]).version
    api.post(f"/invoices/{ids[1]}/finalize", {}, HTTP_IF_MATCH=f'"{version}"')
    finalized = api.post("/invoices/combine", {"invoice_ids": ids})
    assert (finalized.status, errors(finalized)) == (409, [(None, "invoice_finalized")])


@time_machine.travel(DEC_15, tick=False)
def test_invoices_in_advance_refusals(world, api):
    sub = bimonthly_subscription(world)
    path = f"/contracts/{sub.contract_id}/invoices-in-advance"

    cases = {
        "missing": api.post(path, {}),
        "past": api.post(path, {"until": "2026-12-01"}),
        "too_far": api.post(path, {"until": "2030-01-01"}),
        "nothing": api.post(path, {"until": "2026-12-31"}),
        "unknown": api.post("/contracts/999999/invoices-in-advance", {"until": "2027-01-31"}),
    }

    assert {name: (r.status, errors(r)) for name, r in cases.items()} == {
        "missing": (422, [("until", "required")]),
        "past": (422, [("until", "out_of_range")]),
        "too_far": (422, [("until", "out_of_range")]),
        "nothing": (409, [(None, "nothing_due")]),
        "unknown": (404, [(None, "not_found")]),
    }
    assert not Invoice.objects.exists() and not Charge.objects.exists()
