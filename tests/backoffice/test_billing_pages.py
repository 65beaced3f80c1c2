"""Back-office billing pages: runs (new, detail, execute), invoices (list, detail, draft edits,
finalize, delete, credit notes), charges (list, one-off charge, invoice now), per role."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from kontor.billing.charges import charge_create
from kontor.billing.models import BillingRun, BillingSettings, Charge, RunStatus
from kontor.billing.run_start import billing_run_start
from kontor.catalog.models import TaxCategory
from kontor.invoicing.models import Invoice
from tests.backoffice.conftest import login
from tests.billing_world import AS_OF, billing_world, invoice_of, run_billing

pytestmark = pytest.mark.django_db

M, C, A = "manager", "clerk", "accountant"


@pytest.fixture
def world(manager, clerk, accountant):
    w = billing_world(manager)
    w.users = {M: manager, C: clerk, A: accountant}  # type: ignore[attr-defined]
    return w


def client(world, role):
    return login(world.users[role])


def text(response) -> str:
    return response.content.decode()


# --- who may open what -------------------------------------------------------------------


def _pages(world):
    run = run_billing(world.manager, finalize=False)
    draft = invoice_of(world.muster)
    account = world.muster.pk
    return {
        "runs": (reverse("admin:billing_billingrun_changelist"), {M, C, A}),
        "new_run": (reverse("admin:billing_billingrun_add"), {M, C}),
        "run": (reverse("admin:billing_billingrun_change", args=[run.pk]), {M, C, A}),
        "invoices": (reverse("admin:invoicing_invoice_changelist"), {M, C, A}),
        "invoice": (reverse("admin:invoicing_invoice_change", args=[draft.pk]), {M, C, A}),
        "charges": (
            reverse("admin:billing_charge_changelist") + f"?account__id__exact={account}",
            {M, C, A},
        ),
        "add_charge": (reverse("admin:billing_charge_account_add", args=[account]), {M, C}),
        "invoice_now": (
            reverse("admin:billing_charge_account_invoice_now", args=[account]),
            {M, C},
        ),
    }


@pytest.mark.parametrize("role", [M, C, A])
def test_page_access_per_role(world, role):
    pages = _pages(world)
    http = client(world, role)

    statuses = {name: http.get(url).status_code for name, (url, _roles) in pages.items()}

    assert statuses == {name: 200 if role in roles else 403 for name, (_u, roles) in pages.items()}


@pytest.mark.parametrize(("role", "allowed"), [(M, True), (C, False), (A, False)])
def test_credit_note_page_for_managers_only(world, role, allowed):
    run_billing(world.manager)
    url = reverse("admin:invoicing_invoice_credit_note", args=[invoice_of(world.muster).pk])

    assert client(world, role).get(url).status_code == (200 if allowed else 403)


# --- billing runs ------------------------------------------------------------------------


def test_new_preview_run_shows_what_would_be_billed(world):
    http = client(world, C)

    response = http.post(
        reverse("admin:billing_billingrun_add"),
        {"as_of": "2026-12-01", "mode": "preview", "finalize": "on"},
        follow=True,
    )

    page = text(response)
    assert 'id="preview-report"' in page
    assert "2 accounts, 4 lines, net total 55.80" in page
    assert "<td>K-00001</td><td>2</td><td>25.80</td>" in page
    assert 'id="execute-run"' not in page
    assert Charge.objects.count() == 0


def test_new_run_bills_and_shows_progress_and_counts(world):
    response = client(world, M).post(
        reverse("admin:billing_billingrun_add"),
        {"as_of": "2026-12-01", "mode": "execute", "finalize": "on"},
        follow=True,
    )

    page = text(response)
    assert '<td id="run-progress">2/2 accounts</td>' in page
    assert '<td id="run-charges">4</td>' in page
    assert '<td id="run-invoices">2</td>' in page
    assert '<td id="run-finalized">2</td>' in page
    assert 'http-equiv="refresh"' not in page
    assert Invoice.objects.filter(status="finalized").count() == 2


def test_new_run_with_a_bad_date_shows_the_error_and_starts_nothing(world):
    response = client(world, M).post(
        reverse("admin:billing_billingrun_add"), {"as_of": "2026-02-30", "mode": "execute"}
    )

    assert response.status_code == 200
    assert "Enter a valid date." in text(response)
    assert BillingRun.objects.count() == 0


def test_running_run_refreshes_itself_and_can_be_resumed(world):
    run = billing_run_start(actor=world.manager, as_of=AS_OF, execute=False)
    BillingRun.objects.filter(pk=run.pk).update(status=RunStatus.RUNNING, accounts_total=2)
    url = reverse("admin:billing_billingrun_change", args=[run.pk])

    page = text(client(world, C).get(url))
    assert '<meta http-equiv="refresh" content="5">' in page
    assert "0/2 accounts" in page

    client(world, C).post(reverse("admin:billing_billingrun_execute", args=[run.pk]))

    assert BillingRun.objects.get(pk=run.pk).status == RunStatus.DONE
    assert 'http-equiv="refresh"' not in text(client(world, C).get(url))


def test_accountant_sees_no_execute_button_and_may_not_execute(world):
    run = billing_run_start(actor=world.manager, as_of=AS_OF, execute=False)
    http = client(world, A)

    page = text(http.get(reverse("admin:billing_billingrun_change", args=[run.pk])))
    response = http.post(reverse("admin:billing_billingrun_execute", args=[run.pk]))

    assert 'id="execute-run"' not in page
    assert response.status_code == 403
    assert BillingRun.objects.get(pk=run.pk).status == RunStatus.PENDING


def test_run_detail_lists_refused_and_failed_accounts(world):
    settings = BillingSettings.load()
    settings.max_periods_per_run = 1
    settings.save()
    no_rate = TaxCategory.objects.create(code="X", name="without a rate")
    charge_create(
        actor=world.manager,
        account_id=world.muster.pk,
        description="Setup",
        unit_price="50.00",
        tax_category_id=no_rate.pk,
        service_date=date(2026, 11, 20),
    )
    run = run_billing(world.manager)

    page = text(client(world, A).get(reverse("admin:billing_billingrun_change", args=[run.pk])))

    refused = page.split('id="refused-entries"')[1].split("</div>")[0]
    failed = page.split('id="failed-entries"')[1].split("</div>")[0]
    assert "K-00002" in refused
    # written in the language the run ran in (the provider's default, German)
    assert "2 Abrechnungszeiträume sind erstmals fällig" in refused
    assert "K-00001" in failed
    assert f"no VAT rate for tax category {no_rate.pk}" in failed


# --- invoices ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("q=K-00002", ["RE-2026-000002"]),
        ("q=RE-2026-000001", ["RE-2026-000001"]),
        ("status__exact=draft", []),
        ("kind__exact=invoice", ["RE-2026-000002", "RE-2026-000001"]),
        ("is_test__exact=1", []),
    ],
)
def test_invoice_list_filters_and_search(world, query, expected):
    run_billing(world.manager)

    page = text(client(world, A).get(reverse("admin:invoicing_invoice_changelist") + "?" + query))

    assert [n for n in ("RE-2026-000002", "RE-2026-000001") if f">{n}<" in page] == expected


def test_finalized_invoice_page_shows_the_printed_facts(world):
    run_billing(world.manager)
    invoice = invoice_of(world.beispiel)

    page = text(client(world, M).get(reverse("admin:invoicing_invoice_change", args=[invoice.pk])))

    assert '<td id="invoice-number">RE-2026-000002</td>' in page
    assert "Beispiel Hosting GmbH" in page
    buyer = page.split('id="buyer-address"')[1].split("</td>")[0]
    assert "Beispiel AG" in buyer and "Hamburg" in buyer
    assert page.count('<tr id="line-') == 2
    assert '<td class="num">10.00</td>' in page
    assert "35.70 EUR" in page
    assert 'id="create-credit-note"' in page
    assert 'id="edit-draft"' not in page
    assert 'id="finalize"' not in page


def test_accountant_reads_a_draft_but_cannot_change_it(world):
    run_billing(world.manager, finalize=False)
    invoice = invoice_of(world.muster)
    url = reverse("admin:invoicing_invoice_change", args=[invoice.pk])
    http = client(world, A)

    page = text(http.get(url))
    response = http.post(
        url, {"form": "texts", "version": invoice.version, "header_text": "von der Buchhaltung"}
    )

    assert 'id="edit-draft"' not in page
    assert 'id="finalize"' not in page
    assert response.status_code == 403
    assert Invoice.objects.get(pk=invoice.pk).header_text == ""


def test_edit_draft_texts_and_send_date(world):
    run_billing(world.manager, finalize=False)
    invoice = invoice_of(world.muster)
    url = reverse("admin:invoicing_invoice_change", args=[invoice.pk])

    response = client(world, C).post(
        url,
        {
            "form": "texts",
            "version": invoice.version,
            "header_text": "Vielen Dank für Ihren Auftrag.",
            "footer_text": "",
            "send_date": "2026-12-03",
        },
    )

    assert response.status_code == 302
    saved = Invoice.objects.get(pk=invoice.pk)
    assert (saved.header_text, saved.send_date) == (
        "Vielen Dank für Ihren Auftrag.",
        date(2026, 12, 3),
    )
    assert saved.version == invoice.version + 1


def test_stale_draft_edit_is_refused_and_changes_nothing(world):
    run_billing(world.manager, finalize=False)
    invoice = invoice_of(world.muster)

    response = client(world, C).post(
        reverse("admin:invoicing_invoice_change", args=[invoice.pk]),
        {"form": "texts", "version": invoice.version - 1, "header_text": "alt"},
    )

    assert response.status_code == 200
    assert "errorlist" in text(response)
    assert Invoice.objects.get(pk=invoice.pk).header_text == ""


def test_edit_a_draft_line_recomputes_the_totals(world):
    run_billing(world.manager, finalize=False)
    invoice = invoice_of(world.muster)

    client(world, M).post(
        reverse("admin:invoicing_invoice_change", args=[invoice.pk]),
        {
            "form": "line_2",
            "line_2-version": invoice.version,
            "line_2-position": 2,
            "line_2-description": "Webhosting M, Dezember",
            "line_2-quantity": "2",
            "line_2-unit_price": "12.90",
        },
    )

    saved = Invoice.objects.get(pk=invoice.pk)
    assert saved.lines.get(position=2).description == "Webhosting M, Dezember"
    assert (saved.net_total, saved.tax_total, saved.gross_total) == (
        Decimal("38.70"),
        Decimal("7.35"),
        Decimal("46.05"),
    )


def test_finalize_a_draft(world):
    run_billing(world.manager, finalize=False)
    invoice = invoice_of(world.muster)

    client(world, C).post(
        reverse("admin:invoicing_invoice_finalize", args=[invoice.pk]),
        {"version": invoice.version},
    )

    saved = Invoice.objects.get(pk=invoice.pk)
    assert saved.status == "finalized"
    assert saved.number == f"RE-{saved.issue_date.year}-000001"


def test_delete_a_draft(world):
    run_billing(world.manager, finalize=False)
    invoice = invoice_of(world.muster)

    response = client(world, C).post(
        reverse("admin:invoicing_invoice_delete_draft", args=[invoice.pk]),
        {"version": invoice.version},
    )

    assert response.status_code == 302
    assert not Invoice.objects.filter(pk=invoice.pk).exists()
    assert Charge.objects.filter(account=world.muster, invoice_line__isnull=True).count() == 2


def test_finalized_invoice_cannot_be_deleted_from_the_page(world):
    run_billing(world.manager)
    invoice = invoice_of(world.muster)

    response = client(world, M).post(
        reverse("admin:invoicing_invoice_delete_draft", args=[invoice.pk]), follow=True
    )

    assert "is finalized and can no longer be changed" in text(response)
    assert Invoice.objects.filter(pk=invoice.pk).exists()


def test_full_credit_note(world):
    run_billing(world.manager)
    invoice = invoice_of(world.muster)

    response = client(world, M).post(
        reverse("admin:invoicing_invoice_credit_note", args=[invoice.pk]),
        {"reason": "Storno", "full": "on", "finalize": "on"},
    )

    note = Invoice.objects.get(kind="credit_note")
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:invoicing_invoice_change", args=[note.pk])
    assert (note.number, note.corrects_id, note.gross_total) == (
        f"GS-{note.issue_date.year}-000001",
        invoice.pk,
        Decimal("-30.70"),
    )


def test_partial_credit_note_per_line(world):
    run_billing(world.manager)
    invoice = invoice_of(world.muster)

    client(world, M).post(
        reverse("admin:invoicing_invoice_credit_note", args=[invoice.pk]),
        {"reason": "Ausfall", "line_2": "5.00", "finalize": "on"},
    )

    note = Invoice.objects.get(kind="credit_note")
    assert list(note.lines.values_list("net_amount", flat=True)) == [Decimal("-5.00")]
    assert note.gross_total == Decimal("-5.95")


def test_credit_note_above_the_open_amount_shows_the_error(world):
    run_billing(world.manager)
    invoice = invoice_of(world.muster)

    response = client(world, M).post(
        reverse("admin:invoicing_invoice_credit_note", args=[invoice.pk]),
        {"reason": "zu viel", "line_1": "13.00", "finalize": "on"},
    )

    assert response.status_code == 200
    assert "Credit between 0.01 and the open amount 12.90." in text(response)
    assert not Invoice.objects.filter(kind="credit_note").exists()


# --- charges -----------------------------------------------------------------------------


@pytest.mark.parametrize(("role", "buttons"), [(C, True), (A, False)])
def test_charge_list_of_an_account_offers_the_actions(world, role, buttons):
    url = reverse("admin:billing_charge_changelist") + f"?account__id__exact={world.muster.pk}"

    page = text(client(world, role).get(url))

    assert ('id="add-charge"' in page) is buttons
    assert ('id="invoice-now"' in page) is buttons


def test_add_a_one_off_charge_then_invoice_now(world):
    http = client(world, C)

    added = http.post(
        reverse("admin:billing_charge_account_add", args=[world.muster.pk]),
        {
            "description": "Einrichtung Mailserver",
            "quantity": "1",
            "unit_price": "49.00",
            "tax_category": world.tax_category_id,
            "service_date": "2026-11-20",
        },
    )
    invoiced = http.post(
        reverse("admin:billing_charge_account_invoice_now", args=[world.muster.pk]),
        {"as_of": "2026-11-24", "finalize": "on"},
        follow=True,
    )

    assert added.status_code == 302
    invoice = Invoice.objects.get()
    assert (invoice.gross_total, invoice.status) == (Decimal("58.31"), "finalized")
    assert "1 invoice was created." in text(invoiced)


def test_accountant_cannot_add_a_charge(world):
    response = client(world, A).post(
        reverse("admin:billing_charge_account_add", args=[world.muster.pk]),
        {
            "description": "x",
            "quantity": "1",
            "unit_price": "1.00",
            "tax_category": world.tax_category_id,
            "service_date": "2026-11-20",
        },
    )

    assert response.status_code == 403
    assert Charge.objects.count() == 0


@pytest.mark.parametrize("role", [M, C, A])
def test_account_page_links_to_its_charges(world, role):
    page = text(
        client(world, role).get(reverse("admin:customers_account_change", args=[world.muster.pk]))
    )

    link = reverse("admin:billing_charge_changelist") + f"?account__id__exact={world.muster.pk}"
    assert f'id="account-billing" href="{link}"' in page
