"""`invoices_export` and `kontor export invoices`: the kontor-invoices/v1 JSON equals the
figures in the database; date filters; who may export."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from kontor.core.errors import PermissionDenied, ValidationFailed
from kontor.invoicing.export import FORMAT, invoices_export
from kontor.invoicing.models import Invoice
from kontor.invoicing.services import credit_note_create
from tests.billing_world import billing_world, invoice_of, run_billing

pytestmark = pytest.mark.django_db


@pytest.fixture
def billed(manager, clerk, accountant):
    world = billing_world(manager)
    run_billing(manager)
    return world


def test_export_after_a_run_equals_the_database(billed, accountant):
    data = invoices_export(actor=accountant)

    assert data["format"] == FORMAT
    assert data["count"] == 2
    assert [i["number"] for i in data["invoices"]] == ["RE-2026-000001", "RE-2026-000002"]
    for exported in data["invoices"]:
        invoice = Invoice.objects.get(number=exported["number"])
        assert exported["totals"] == {
            "net": str(invoice.net_total),
            "vat": str(invoice.tax_total),
            "gross": str(invoice.gross_total),
        }
        assert [line["net_amount"] for line in exported["lines"]] == [
            str(x.net_amount) for x in invoice.lines.order_by("position")
        ]
        assert sum(Decimal(x["net_amount"]) for x in exported["lines"]) == invoice.net_total
        assert exported["vat_breakdown"] == [
            {
                "vat_category": t.category,
                "vat_rate": str(t.rate),
                "basis": str(t.basis),
                "amount": str(t.amount),
                "exemption_reason": "",
            }
            for t in invoice.taxes.all()
        ]


def test_exported_invoice_carries_every_printed_fact(billed, accountant):
    exported = invoices_export(actor=accountant)["invoices"][1]

    assert {k: v for k, v in exported.items() if k not in {"lines", "buyer", "seller"}} == {
        "number": "RE-2026-000002",
        "kind": "invoice",
        "issue_date": "2026-12-01",
        "due_date": "2026-12-15",
        "send_date": "2026-12-01",
        "period_start": "2026-11-16",
        "period_end": "2026-12-31",
        "currency": "EUR",
        "is_test": False,
        "corrects": None,
        "account": {"customer_number": "K-00002"},
        "header_text": "",
        "footer_text": "",
        "vat_breakdown": [
            {
                "vat_category": "S",
                "vat_rate": "19.00",
                "basis": "30.00",
                "amount": "5.70",
                "exemption_reason": "",
            }
        ],
        "totals": {"net": "30.00", "vat": "5.70", "gross": "35.70"},
    }
    assert exported["lines"][0] == {
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
    }
    assert exported["buyer"]["customer_number"] == "K-00002"
    assert exported["buyer"]["billing_address"] == {
        "name": "Beispiel AG",
        "address_extra": "",
        "contact_person": "Erika Muster",
        "street": "Hauptstraße 1",
        "postal_code": "10115",
        "city": "Hamburg",
        "country": "DE",
    }
    assert exported["seller"]["name"] == "Beispiel Hosting GmbH"
    assert exported["seller"]["vat_id"] == "DE123456789"


def test_credit_note_is_exported_with_the_invoice_it_corrects(billed, manager, accountant):
    original = invoice_of(billed.muster)
    credit_note_create(
        actor=manager,
        invoice_id=original.pk,
        reason="Kulanz",
        lines={1: "5.00"},
        issue_date=date(2026, 12, 5),
    )

    note = invoices_export(actor=accountant)["invoices"][-1]

    assert note["kind"] == "credit_note"
    assert note["issue_date"] == "2026-12-05"
    assert note["number"].startswith("GS-")
    assert note["corrects"] == "RE-2026-000001"
    assert note["totals"] == {"net": "-5.00", "vat": "-0.95", "gross": "-5.95"}


def test_drafts_are_not_exported(manager, accountant, clerk):
    billing_world(manager)
    run_billing(manager, finalize=False)

    assert invoices_export(actor=accountant)["invoices"] == []


@pytest.mark.parametrize(
    ("date_from", "date_to", "numbers"),
    [
        (date(2026, 12, 1), date(2026, 12, 1), ["RE-2026-000001", "RE-2026-000002"]),
        (None, date(2026, 11, 30), []),
        (date(2026, 12, 2), None, []),
        (None, None, ["RE-2026-000001", "RE-2026-000002"]),
    ],
)
def test_date_filters_on_the_issue_date(billed, accountant, date_from, date_to, numbers):
    data = invoices_export(actor=accountant, date_from=date_from, date_to=date_to)

    assert [i["number"] for i in data["invoices"]] == numbers
    assert data["date_from"] == (date_from.isoformat() if date_from else None)


def test_reversed_date_range_is_refused(billed, accountant):
    with pytest.raises(ValidationFailed) as caught:
        invoices_export(actor=accountant, date_from=date(2026, 12, 2), date_to=date(2026, 12, 1))

    assert caught.value.errors[0].field == "date_to"
    assert caught.value.errors[0].code == "invalid_range"


@pytest.mark.parametrize(
    ("role", "allowed"), [("manager", True), ("accountant", True), ("clerk", False)]
)
def test_who_may_export(billed, request, role, allowed):
    actor = request.getfixturevalue(role)
    if allowed:
        assert invoices_export(actor=actor)["count"] == 2
    else:
        with pytest.raises(PermissionDenied):
            invoices_export(actor=actor)


def test_command_writes_the_file(billed, tmp_path):
    path = tmp_path / "invoices.json"
    err = StringIO()

    call_command(
        "export",
        "invoices",
        "--from",
        "2026-12-01",
        "--to",
        "2026-12-31",
        output=str(path),
        as_user="accountant",
        stderr=err,
    )

    data = json.loads(path.read_text(encoding="utf-8"))
    assert data == json.loads(
        json.dumps(
            invoices_export(
                actor=billed.manager, date_from=date(2026, 12, 1), date_to=date(2026, 12, 31)
            )
        )
    )
    assert "2 invoice(s) written to" in err.getvalue()


def test_command_prints_to_stdout(billed):
    out = StringIO()

    call_command("export", "invoices", as_user="manager", stdout=out)

    assert json.loads(out.getvalue())["count"] == 2


@pytest.mark.parametrize(
    ("args", "user", "message"),
    [
        (["--from", "1.12.2026"], "accountant", "--from: '1.12.2026' is not a date"),
        (["--to", "2026-02-30"], "accountant", "--to: '2026-02-30' is not a date"),
        ([], "clerk", "(data.export)"),
    ],
)
def test_command_errors_exit_1(billed, args, user, message, tmp_path):
    path = tmp_path / "out.json"
    with pytest.raises(CommandError) as caught:
        call_command("export", "invoices", *args, output=str(path), as_user=user)

    assert caught.value.returncode == 1
    assert message in str(caught.value)
    assert not path.exists()


def test_accounts_export_still_works(billed):
    out = StringIO()

    call_command("export", "accounts", as_user="accountant", stdout=out)

    assert [a["customer_number"] for a in json.loads(out.getvalue())["accounts"]] == [
        "K-00001",
        "K-00002",
    ]
