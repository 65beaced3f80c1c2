"""Billing runs, invoices, credit notes, one-off charges and invoice-now over the API."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import pytest
from django.contrib.auth.models import User

from kontor.billing.charges import charge_create
from kontor.billing.models import BillingRun, BillingSettings, Charge
from kontor.billing.run_start import billing_run_start
from kontor.core.models import AuditEntry
from kontor.core.permissions import Role
from kontor.customers.models import Account
from kontor.invoicing.models import Invoice, InvoiceLine
from kontor.invoicing.services import credit_note_create
from tests.api.conftest import ApiClient, Response, token_for
from tests.billing_world import AS_OF, BillingWorld, billing_world, invoice_of, run_billing
from tests.conftest import make_user

M, C, A, U = "manager", "clerk", "accountant", "customer"


@dataclass
class Setup:
    world: BillingWorld
    users: dict[str, User]

    def api(self, role: str = M) -> ApiClient:
        return ApiClient(token_for(self.users[role]))


@pytest.fixture
def s(manager, clerk, accountant) -> Setup:
    customer = make_user("customer", Role.CUSTOMER)
    world = billing_world(manager)
    Account.objects.filter(pk=world.muster.pk).update(owner=customer)
    users = {M: manager, C: clerk, A: accountant, U: customer}
    return Setup(world, users)


@pytest.fixture
def billed(s: Setup) -> Setup:
    run_billing(s.users[M])
    return s


@pytest.fixture
def drafts(s: Setup) -> Setup:
    run_billing(s.users[M], finalize=False)
    return s


# --- billing runs -------------------------------------------------------------------------


def test_preview_run_reports_and_bills_nothing(s):
    response = s.api().post("/billing-runs", {"as_of": "2026-12-01", "preview": True})

    assert response.status == 201, response.body
    assert response.body["status"] == "preview"
    assert response.body["preview"] is True
    assert {k: response.body["report"][k] for k in ("accounts", "lines", "net_total")} == {
        "accounts": 2,
        "lines": 4,
        "net_total": "55.80",
    }
    assert response.body["report"]["per_account"] == [
        {"account": "K-00001", "lines": 2, "net": "25.80"},
        {"account": "K-00002", "lines": 2, "net": "30.00"},
    ]
    assert Charge.objects.count() == 0


def test_create_then_execute_then_read_a_run(s):
    created = s.api(C).post("/billing-runs", {"as_of": "2026-12-01", "finalize": True})
    assert created.status == 201, created.body
    assert created.body["status"] == "pending"
    assert Invoice.objects.count() == 0

    executed = s.api(C).post(f"/billing-runs/{created.body['id']}/execute")
    read = s.api(A).get(f"/billing-runs/{created.body['id']}")

    assert executed.status == 200, executed.body
    for body in (executed.body, read.body):
        assert body["status"] == "done"
        assert body["progress"] == {"accounts_done": 2, "accounts_total": 2}
        assert body["counts"] == {"charges": 4, "invoices": 2, "finalized": 2}
        assert body["entries"] == []
    assert Invoice.objects.filter(status="finalized").count() == 2


def test_run_lists_refused_subscriptions(s):
    settings = BillingSettings.load()
    settings.max_periods_per_run = 1
    settings.save()
    run = run_billing(s.users[M])

    body = s.api(A).get(f"/billing-runs/{run.pk}").body

    assert [(e["kind"], e["customer_number"]) for e in body["entries"]] == [
        ("refused", "K-00001"),
        ("refused", "K-00002"),
    ]
    assert body["entries"][0]["message"].startswith("2 Abrechnungszeiträume sind erstmals fällig")


@pytest.mark.parametrize(
    ("preview", "code"), [(True, "preview_run"), (False, "run_done")], ids=["preview", "done"]
)
def test_execute_refuses_preview_and_done_runs(s, preview, code):
    run = billing_run_start(actor=s.users[M], as_of=AS_OF, preview=preview)

    response = s.api().post(f"/billing-runs/{run.pk}/execute")

    assert response.status == 409
    assert response.body["errors"][0]["code"] == code


def test_run_with_a_bad_date_is_refused(s):
    response = s.api().post("/billing-runs", {"as_of": "2026-13-01"})

    assert response.status == 422
    assert response.body["errors"][0]["field"] == "as_of"
    assert BillingRun.objects.count() == 0


def test_customer_sees_no_billing_runs(billed):
    run = BillingRun.objects.get()
    assert billed.api(U).get(f"/billing-runs/{run.pk}").status == 403
    assert billed.api(U).get("/billing-runs").status == 403


# --- invoices: read ----------------------------------------------------------------------


def test_read_an_invoice_with_lines_taxes_and_totals_as_strings(billed):
    invoice = invoice_of(billed.world.beispiel)

    response = billed.api(A).get(f"/invoices/{invoice.pk}")

    assert response.status == 200
    assert response.headers["ETag"] == f'"{invoice.version}"'
    body = response.body
    assert (body["number"], body["status"], body["kind"]) == (
        "RE-2026-000002",
        "finalized",
        "invoice",
    )
    assert (body["issue_date"], body["due_date"]) == ("2026-12-01", "2026-12-15")
    assert (body["net_total"], body["tax_total"], body["gross_total"]) == ("30.00", "5.70", "35.70")
    assert body["lines"] == [
        {
            "position": 1,
            "description": "Tarif WEB-L",
            "article_number": "",
            "period_start": "2026-11-16",
            "period_end": "2026-11-30",
            "quantity": "1",
            "unit": "C62",
            "unit_price": "10.00",
            "net_amount": "10.00",
            "vat_category": "S",
            "vat_rate": "19.00",
        },
        {
            "position": 2,
            "description": "Tarif WEB-L",
            "article_number": "",
            "period_start": "2026-12-01",
            "period_end": "2026-12-31",
            "quantity": "1",
            "unit": "C62",
            "unit_price": "20.00",
            "net_amount": "20.00",
            "vat_category": "S",
            "vat_rate": "19.00",
        },
    ]
    assert body["taxes"] == [
        {
            "vat_category": "S",
            "vat_rate": "19.00",
            "basis": "30.00",
            "amount": "5.70",
            "exemption_reason": "",
        }
    ]
    assert body["snapshot"]["buyer"]["billing_address"]["name"] == "Beispiel AG"


@pytest.mark.parametrize(
    ("params", "numbers"),
    [
        ({}, ["GS-2026-000001", "RE-2026-000002", "RE-2026-000001"]),
        ({"search": "K-00002"}, ["RE-2026-000002"]),
        ({"search": "RE-2026-000001"}, ["RE-2026-000001"]),
        ({"search": "000001"}, ["GS-2026-000001", "RE-2026-000001"]),
        ({"kind": "credit_note"}, ["GS-2026-000001"]),
        ({"status": "draft"}, []),
        ({"date_from": "2026-12-02"}, ["GS-2026-000001"]),
        ({"date_to": "2026-12-01", "kind": "invoice"}, ["RE-2026-000002", "RE-2026-000001"]),
    ],
)
def test_list_filters(billed, params, numbers):
    credit_note_create(
        actor=billed.users[M],
        invoice_id=invoice_of(billed.world.muster).pk,
        reason="Kulanz",
        issue_date=date(2026, 12, 5),
    )
    response = billed.api(A).get("/invoices", params)

    assert response.status == 200
    assert [i["number"] for i in response.body["items"]] == numbers


def test_list_by_account_with_pagination(billed):
    response = billed.api(A).get(
        "/invoices", {"account": billed.world.beispiel.pk, "limit": 1, "offset": 0}
    )

    assert response.body["count"] == 1
    assert response.body["items"][0]["customer_number"] == "K-00002"
    assert response.body["items"][0]["gross_total"] == "35.70"


def test_customer_sees_only_own_finalized_invoices(billed):
    response = billed.api(U).get("/invoices")

    assert [i["number"] for i in response.body["items"]] == ["RE-2026-000001"]
    other = invoice_of(billed.world.beispiel)
    assert billed.api(U).get(f"/invoices/{other.pk}").status == 404


# --- invoices: drafts --------------------------------------------------------------------


def test_patch_a_draft_with_if_match(drafts):
    invoice = invoice_of(drafts.world.muster)
    body = {"header_text": "Vielen Dank.", "send_date": "2026-12-03"}

    response = drafts.api(C).patch(
        f"/invoices/{invoice.pk}", body, HTTP_IF_MATCH=f'"{invoice.version}"'
    )

    assert response.status == 200, response.body
    assert (response.body["header_text"], response.body["send_date"]) == (
        "Vielen Dank.",
        "2026-12-03",
    )
    assert response.headers["ETag"] == f'"{invoice.version + 1}"'


@pytest.mark.parametrize(
    ("headers", "status", "code"),
    [({}, 428, "version_required"), ({"HTTP_IF_MATCH": '"99"'}, 409, "stale_version")],
)
def test_patch_without_or_with_a_stale_version_changes_nothing(drafts, headers, status, code):
    invoice = invoice_of(drafts.world.muster)

    response = drafts.api().patch(f"/invoices/{invoice.pk}", {"footer_text": "x"}, **headers)

    assert (response.status, response.body["errors"][0]["code"]) == (status, code)
    assert Invoice.objects.get(pk=invoice.pk).footer_text == ""


def test_finalized_invoice_cannot_be_patched(billed):
    invoice = invoice_of(billed.world.muster)

    response = billed.api().patch(
        f"/invoices/{invoice.pk}", {"header_text": "geändert"}, HTTP_IF_MATCH=f'"{invoice.version}"'
    )

    assert response.status == 409
    assert response.body["errors"][0]["code"] == "invoice_finalized"
    assert "RE-2026-000001" in response.body["errors"][0]["message"]
    assert Invoice.objects.get(pk=invoice.pk).header_text == ""


def test_patch_a_draft_line_recomputes_the_totals(drafts):
    invoice = invoice_of(drafts.world.muster)

    response = drafts.api().patch(
        f"/invoices/{invoice.pk}/lines/2",
        {"description": "Webhosting M", "unit_price": "10.00"},
        HTTP_IF_MATCH=f'"{invoice.version}"',
    )

    assert response.status == 200, response.body
    assert response.body["lines"][1]["description"] == "Webhosting M"
    assert response.body["lines"][1]["net_amount"] == "10.00"
    assert (response.body["net_total"], response.body["tax_total"]) == ("22.90", "4.35")


def test_finalize_a_draft(drafts):
    invoice = invoice_of(drafts.world.muster)

    response = drafts.api(C).post(f"/invoices/{invoice.pk}/finalize", {"issue_date": "2026-12-02"})

    assert response.status == 200, response.body
    assert (response.body["number"], response.body["status"]) == ("RE-2026-000001", "finalized")
    assert (response.body["issue_date"], response.body["due_date"]) == ("2026-12-02", "2026-12-16")


def test_delete_a_draft_frees_its_charges(drafts):
    invoice = invoice_of(drafts.world.muster)

    response = drafts.api(C).delete(f"/invoices/{invoice.pk}")

    assert response.status == 204
    assert not Invoice.objects.filter(pk=invoice.pk).exists()
    assert (
        Charge.objects.filter(account=drafts.world.muster, invoice_line__isnull=True).count() == 2
    )


def test_finalized_invoice_cannot_be_deleted(billed):
    invoice = invoice_of(billed.world.muster)

    response = billed.api().delete(f"/invoices/{invoice.pk}")

    assert (response.status, response.body["errors"][0]["code"]) == (409, "invoice_finalized")
    assert Invoice.objects.filter(pk=invoice.pk).exists()


# --- credit notes ------------------------------------------------------------------------


def test_full_credit_note(billed):
    invoice = invoice_of(billed.world.muster)

    response = billed.api().post(f"/invoices/{invoice.pk}/credit-notes", {"reason": "Storno"})

    assert response.status == 201, response.body
    body = response.body
    assert (body["kind"], body["number"], body["corrects_id"]) == (
        "credit_note",
        "GS-2026-000001",
        invoice.pk,
    )
    assert (body["net_total"], body["tax_total"], body["gross_total"]) == (
        "-25.80",
        "-4.90",
        "-30.70",
    )
    assert body["header_text"] == "Storno"


def test_partial_credit_note_per_line(billed):
    invoice = invoice_of(billed.world.muster)

    response = billed.api().post(
        f"/invoices/{invoice.pk}/credit-notes", {"reason": "Ausfall", "lines": {"1": "10.00"}}
    )

    assert response.status == 201, response.body
    assert [(x["position"], x["net_amount"]) for x in response.body["lines"]] == [(1, "-10.00")]
    assert response.body["gross_total"] == "-11.90"


@pytest.mark.parametrize(
    ("lines", "field", "code"),
    [({"1": "12.91"}, "lines[1]", "out_of_range"), ({"7": "1.00"}, "lines", "not_found")],
)
def test_credit_note_beyond_the_invoice_is_refused(billed, lines, field, code):
    invoice = invoice_of(billed.world.muster)

    response = billed.api().post(
        f"/invoices/{invoice.pk}/credit-notes", {"reason": "x", "lines": lines}
    )

    assert response.status == 422
    assert (response.body["errors"][0]["field"], response.body["errors"][0]["code"]) == (
        field,
        code,
    )
    assert Invoice.objects.filter(kind="credit_note").count() == 0


def test_credit_note_amount_as_number_is_refused(billed):
    invoice = invoice_of(billed.world.muster)

    response = billed.api().post(
        f"/invoices/{invoice.pk}/credit-notes", {"reason": "x", "lines": {"1": 10.0}}
    )

    assert response.status == 422
    assert response.body["errors"][0]["code"] == "money_as_string"


# --- charges and invoice now -------------------------------------------------------------


def _charge_body(s: Setup) -> dict[str, object]:
    return {
        "description": "Einrichtung Mailserver",
        "unit_price": "49.00",
        "quantity": "2",
        "tax_category_id": s.world.tax_category_id,
        "service_date": "2026-11-20",
    }


def test_add_a_one_off_charge(s):
    response = s.api(C).post(f"/accounts/{s.world.muster.pk}/charges", _charge_body(s))

    assert response.status == 201, response.body
    assert {
        k: response.body[k] for k in ("kind", "amount", "quantity", "unit_price", "invoiced")
    } == {
        "kind": "one_off",
        "amount": "98.00",
        "quantity": "2",
        "unit_price": "49.00",
        "invoiced": False,
    }


def test_idempotency_key_charges_once(s):
    path = f"/accounts/{s.world.muster.pk}/charges"

    first = s.api().post(path, _charge_body(s), HTTP_IDEMPOTENCY_KEY="shop-order-4711")
    second = s.api().post(path, _charge_body(s), HTTP_IDEMPOTENCY_KEY="shop-order-4711")

    assert first.status == 201
    assert first.body["idempotency_key"] == "shop-order-4711"
    assert (second.status, second.body["id"]) == (201, first.body["id"])
    assert Charge.objects.count() == 1
    other = s.api().post(
        path, {**_charge_body(s), "unit_price": "1.00"}, HTTP_IDEMPOTENCY_KEY="shop-order-4711"
    )
    assert (other.status, other.body["errors"][0]["code"]) == (409, "idempotency_key_reused")
    assert Charge.objects.count() == 1


def test_invoice_now_bills_pending_charges(s):
    charge_create(
        actor=s.users[M],
        account_id=s.world.muster.pk,
        description="Einrichtung",
        unit_price="49.00",
        tax_category_id=s.world.tax_category_id,
        service_date=date(2026, 11, 20),
    )

    response = s.api(C).post(f"/accounts/{s.world.muster.pk}/invoice-now", {"as_of": "2026-11-24"})

    assert response.status == 201, response.body
    assert [(i["number"], i["gross_total"]) for i in response.body] == [("RE-2026-000001", "58.31")]
    assert InvoiceLine.objects.get().description == "Einrichtung"


# --- who may write -----------------------------------------------------------------------

Call = Callable[[ApiClient], Response]


def _draft(s: Setup) -> Invoice:
    run_billing(s.users[M], finalize=False)
    return invoice_of(s.world.muster)


def _final(s: Setup) -> Invoice:
    run_billing(s.users[M])
    return invoice_of(s.world.muster)


def create_run(s: Setup) -> Call:
    return lambda api: api.post("/billing-runs", {"as_of": "2026-12-01"})


def execute_run(s: Setup) -> Call:
    run = billing_run_start(actor=s.users[M], as_of=AS_OF, execute=False)
    return lambda api: api.post(f"/billing-runs/{run.pk}/execute")


def patch_draft(s: Setup) -> Call:
    invoice = _draft(s)
    return lambda api: api.patch(
        f"/invoices/{invoice.pk}", {"footer_text": "x", "version": invoice.version}
    )


def finalize_draft(s: Setup) -> Call:
    invoice = _draft(s)
    return lambda api: api.post(f"/invoices/{invoice.pk}/finalize", {})


def delete_draft(s: Setup) -> Call:
    invoice = _draft(s)
    return lambda api: api.delete(f"/invoices/{invoice.pk}")


def credit(s: Setup) -> Call:
    invoice = _final(s)
    return lambda api: api.post(f"/invoices/{invoice.pk}/credit-notes", {"reason": "Storno"})


def add_charge(s: Setup) -> Call:
    return lambda api: api.post(f"/accounts/{s.world.muster.pk}/charges", _charge_body(s))


def invoice_now(s: Setup) -> Call:
    return lambda api: api.post(f"/accounts/{s.world.muster.pk}/invoice-now", {})


TABLE = [
    (create_run, {M, C}, "billing_run.start"),
    (execute_run, {M, C}, "billing_run.start"),
    (patch_draft, {M, C}, "invoice.edit_draft"),
    (finalize_draft, {M, C}, "invoice.finalize"),
    (delete_draft, {M, C}, "invoice.edit_draft"),
    (credit, {M}, "credit_note.create"),
    (add_charge, {M, C}, "charge.create"),
    (invoice_now, {M, C}, "invoice.finalize"),
]


def _state() -> list[object]:
    return [
        AuditEntry.objects.count(),
        BillingRun.objects.count(),
        Charge.objects.count(),
        sorted(Invoice.objects.values_list("pk", "status", "version", "footer_text")),
    ]


@pytest.mark.parametrize(
    ("setup", "role", "allowed", "action"),
    [
        pytest.param(setup, role, role in allowed, action, id=f"{setup.__name__}-{role}")
        for setup, allowed, action in TABLE
        for role in (M, C, A, U)
    ],
)
def test_role_may_or_may_not_call_billing_write_endpoint(s, setup, role, allowed, action):
    call = setup(s)
    api = s.api(role)
    before = _state()

    response = call(api)

    if allowed:
        assert 200 <= response.status < 300, response.body
        assert _state() != before
    else:
        assert response.status == 403, response.body
        assert response.body["errors"] == [
            {
                "field": None,
                "code": "permission_denied",
                "message": f"You are not allowed to do this ({action}).",
            }
        ]
        assert _state() == before
