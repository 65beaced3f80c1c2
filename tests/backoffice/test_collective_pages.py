"""Back-office pages for collective invoices: profiles, customer groups, the account's
collective panel with "Bill now", invoices in advance, the collective invoices page (send
dates, combining) and the dashboard notice; per role, on 15 December 2026."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from types import SimpleNamespace

import pytest
import time_machine
from django.contrib.messages import get_messages
from django.urls import reverse

from kontor.billing.advance import contract_invoices_in_advance
from kontor.billing.charges import charge_create
from kontor.billing.collective import collective_profile_create, customer_group_set_profile
from kontor.billing.models import Charge, CollectiveProfile
from kontor.contracts.models import Subscription
from kontor.contracts.services import subscription_create
from kontor.customers.models import CustomerGroup
from kontor.invoicing.collective import drafts_finalize_due, invoices_combine
from kontor.invoicing.models import Invoice, InvoiceStatus
from kontor.invoicing.services import invoice_draft_update
from tests.backoffice.conftest import login
from tests.builders import account, party, tariff

pytestmark = pytest.mark.django_db

M, C, A = "manager", "clerk", "accountant"
TODAY = date(2026, 12, 15)
D = Decimal


@pytest.fixture(autouse=True)
def today():
    with time_machine.travel(TODAY, tick=False):
        yield TODAY


@pytest.fixture
def world(manager, clerk, accountant):
    """K-00001 collects (monthly on the 1st, limit 100.00) and has 60.00 collected for 1 Jan;
    K-00002 and K-00003 each have a bimonthly 50.00 module from 1 January 2027."""
    bimonthly = tariff(manager, code="WART-2", price="50.00", interval=2, minimum=12, renewal=12)
    profile = collective_profile_create(
        actor=manager,
        data={"name": "Monatlich", "interval": "monthly", "spending_limit": "100.00"},
    )
    group = CustomerGroup.objects.create(name="Sammelkunden")
    customer_group_set_profile(actor=manager, group_id=group.pk, profile_id=profile.pk)
    collecting = account(manager, group=group.pk)
    charge_create(
        actor=manager,
        account_id=collecting.pk,
        description="Einrichtung",
        unit_price="60.00",
        tax_category_id=bimonthly.tax_category_id,
        service_date=date(2026, 12, 10),
    )
    plain = account(manager, party=party(company_name="Beispiel AG"))
    other = account(manager, party=party(company_name="Dritte KG"))
    subs = [
        subscription_create(
            actor=manager,
            account_id=acc.pk,
            tariff_version_id=bimonthly.pk,
            start_date=date(2027, 1, 1),
        )
        for acc in (plain, other)
    ]
    users = {M: manager, C: clerk, A: accountant}
    return SimpleNamespace(
        manager=manager,
        clerk=clerk,
        users=users,
        profile=profile,
        group=group,
        collecting=collecting,
        plain=plain,
        other=other,
        contract=subs[0].contract,
        other_contract=subs[1].contract,
        category=bimonthly.tax_category_id,
    )


def client(world, role):
    return login(world.users[role])


def text(response) -> str:
    return response.content.decode()


def flash(response) -> list[str]:
    """The messages a redirecting response leaves for the next page."""
    return [str(message) for message in get_messages(response.wsgi_request)]


def shown(response) -> list[str]:
    """The messages shown on the page a followed redirect ends on."""
    return [str(message) for message in response.context["messages"]]


def cell(response, element_id: str) -> str:
    match = re.search(rf'id="{element_id}"[^>]*>(.*?)</td>', text(response), re.S)
    assert match, f"#{element_id} is not on the page"
    return " ".join(re.sub(r"<[^>]+>", " ", match[1]).split())


def drafts_in_advance(world, contract=None) -> list[Invoice]:
    return contract_invoices_in_advance(
        actor=world.clerk, contract_id=(contract or world.contract).pk, until=date(2027, 4, 30)
    )


COLLECTIVE = reverse("admin:invoicing_invoice_collective")
COMBINE = reverse("admin:invoicing_invoice_combine")
INDEX = reverse("admin:index")
PROFILES = reverse("admin:billing_collectiveprofile_changelist")
PROFILE_ADD = reverse("admin:billing_collectiveprofile_add")


def profile_url(profile) -> str:
    return reverse("admin:billing_collectiveprofile_change", args=[profile.pk])


def profile_post(**overrides: str) -> dict[str, str]:
    return {
        "name": "Jährlich",
        "interval": "yearly",
        "day_of_month": "15",
        "month_of_year": "1",
        "spending_limit": "",
        "payment_term_days": "30",
        **overrides,
    }


# --- profiles ------------------------------------------------------------------------------


@pytest.mark.parametrize("role", [M, C, A])
def test_profile_pages_per_role(world, role):
    http = client(world, role)
    listing = http.get(PROFILES)
    assert listing.status_code == 200 and "Monatlich" in text(listing)
    assert http.get(profile_url(world.profile)).status_code == 200
    history = reverse("admin:billing_collectiveprofile_history", args=[world.profile.pk])
    assert http.get(history).status_code == 200
    manages = role == M
    assert http.get(PROFILE_ADD).status_code == (200 if manages else 403)
    if not manages:
        changed = http.post(profile_url(world.profile), {**profile_post(), "version": "1"})
        assert changed.status_code == 403
        assert http.post(PROFILE_ADD, profile_post()).status_code == 403
        assert CollectiveProfile.objects.get().name == "Monatlich"


def test_manager_creates_a_yearly_profile(world):
    response = client(world, M).post(PROFILE_ADD, profile_post())
    assert response.status_code == 302
    created = CollectiveProfile.objects.get(name="Jährlich")
    assert (
        created.interval,
        created.day_of_month,
        created.month_of_year,
        created.spending_limit,
        created.payment_term_days,
    ) == ("yearly", 15, 1, None, 30)


@pytest.mark.parametrize(
    ("post", "errors"),
    [
        (
            {"interval": "monthly", "day_of_month": "32", "spending_limit": "-1"},
            {
                "day_of_month": ["Give a whole number from 1 to 31."],
                "spending_limit": ["Give an amount of at least 0 with at most 2 decimal places."],
            },
        ),
        ({"month_of_year": ""}, {"month_of_year": ["A yearly profile needs the month."]}),
        ({"name": "Monatlich"}, {"name": ["A profile with this name exists."]}),
    ],
)
def test_profile_form_shows_the_service_errors_on_the_fields(world, post, errors):
    response = client(world, M).post(PROFILE_ADD, profile_post(**post))
    assert response.status_code == 200
    assert response.context["adminform"].form.errors == errors
    assert CollectiveProfile.objects.count() == 1


def test_profile_change_keeps_the_version_and_lists_its_groups(world):
    http = client(world, M)
    page = text(http.get(profile_url(world.profile)))
    assert '<input type="hidden" name="version" value="1"' in page
    group_url = reverse("admin:customers_customergroup_change", args=[world.group.pk])
    assert f'<a href="{group_url}">Sammelkunden</a>' in page
    post = profile_post(name="Monatlich", interval="monthly", day_of_month="1", month_of_year="")
    response = http.post(
        profile_url(world.profile), {**post, "spending_limit": "150", "version": "1"}
    )
    assert response.status_code == 302
    world.profile.refresh_from_db()
    assert (world.profile.spending_limit, world.profile.version) == (D("150.00"), 2)

    stale = http.post(profile_url(world.profile), {**post, "spending_limit": "90", "version": "1"})
    assert stale.status_code == 200
    [error] = stale.context["adminform"].form.non_field_errors()
    assert error.startswith("This record was changed by someone else")
    assert CollectiveProfile.objects.get().spending_limit == D("150.00")


def test_profile_in_use_is_not_deleted_an_unused_one_is(world):
    http = client(world, M)
    delete_url = reverse("admin:billing_collectiveprofile_delete", args=[world.profile.pk])
    assert http.get(delete_url).status_code == 200
    refused = http.post(delete_url, {"post": "yes"})
    assert refused.url == profile_url(world.profile)
    assert flash(refused) == [
        "Not deleted: The profile is assigned to the customer group(s) Sammelkunden; "
        "remove it there first."
    ]
    unused = collective_profile_create(
        actor=world.manager, data={"name": "Leer", "interval": "monthly"}
    )
    url = reverse("admin:billing_collectiveprofile_delete", args=[unused.pk])
    assert client(world, C).post(url, {"post": "yes"}).status_code == 403
    deleted = http.post(url, {"post": "yes"})
    assert deleted.url == PROFILES
    assert list(CollectiveProfile.objects.values_list("name", flat=True)) == ["Monatlich"]


def test_manager_sets_and_clears_the_profile_of_a_customer_group(world):
    url = reverse("admin:customers_customergroup_change", args=[world.group.pk])
    assert client(world, A).get(url).status_code == 200
    form = {"name": "Sammelkunden", "description": "", "version": "1"}
    assert client(world, C).post(url, {**form, "collective_profile": ""}).status_code == 403
    http = client(world, M)
    assert http.post(url, {**form, "collective_profile": ""}).status_code == 302
    assert CustomerGroup.objects.get().collective_profile is None
    chosen = {**form, "collective_profile": str(world.profile.pk)}
    assert http.post(url, chosen).status_code == 302
    assert CustomerGroup.objects.get().collective_profile == world.profile
    listing = text(http.get(reverse("admin:customers_customergroup_changelist")))
    assert f'<a href="{profile_url(world.profile)}">Monatlich</a>' in listing


# --- the account page ----------------------------------------------------------------------


@pytest.mark.parametrize("role", [M, C, A])
def test_account_panel_shows_the_collective_status(world, role):
    page = client(world, role).get(
        reverse("admin:customers_account_change", args=[world.collecting.pk])
    )
    assert cell(page, "collective-profile") == "Monatlich (monthly)"
    assert cell(page, "collective-next-date") == "01/01/2027"
    assert cell(page, "collective-limit") == "100.00 EUR"
    assert cell(page, "collective-collected") == "60.00 EUR"
    assert cell(page, "collective-upcoming") == "0.00 EUR"
    assert cell(page, "collective-remaining") == "40.00 EUR"
    assert cell(page, "collective-pending") == "1 item, 60.00 EUR, to be billed from 01/01/2027"
    assert ('id="bill-now"' in text(page)) == (role != A)


def test_pending_items_stay_on_the_panel_after_leaving_the_profile(world):
    customer_group_set_profile(actor=world.manager, group_id=world.group.pk, profile_id=None)
    page = client(world, C).get(
        reverse("admin:customers_account_change", args=[world.collecting.pk])
    )
    assert cell(page, "collective-profile").startswith("None: the account no longer collects.")
    assert cell(page, "collective-pending") == "1 item, 60.00 EUR, to be billed from 01/01/2027"
    assert 'id="bill-now"' in text(page)
    plain = client(world, C).get(reverse("admin:customers_account_change", args=[world.plain.pk]))
    assert 'id="section-collective"' not in text(plain)


def test_bill_now_creates_the_collective_invoice_at_once(world):
    url = reverse("admin:customers_account_bill_now", args=[world.collecting.pk])
    assert client(world, A).post(url).status_code == 403
    assert not Invoice.objects.exists()

    response = client(world, C).post(url)

    invoice = Invoice.objects.get()
    assert response.url == reverse("admin:invoicing_invoice_change", args=[invoice.pk])
    assert flash(response) == [f"Invoice {invoice.number} was created with the collected items."]
    assert (invoice.status, invoice.is_collective, invoice.issue_date, invoice.net_total) == (
        InvoiceStatus.FINALIZED,
        True,
        TODAY,
        D("60.00"),
    )
    assert not Charge.objects.filter(invoice_line__isnull=True).exists()


def test_spending_limit_refusals_show_on_the_charge_and_booking_forms(world):
    http = client(world, C)
    charge = http.post(
        reverse("admin:billing_charge_account_add", args=[world.collecting.pk]),
        {
            "description": "Beratung",
            "quantity": "1",
            "unit_price": "50.00",
            "tax_category": str(world.category),
            "service_date": "2026-12-15",
            "article_number": "",
        },
    )
    [error] = charge.context["form"].non_field_errors()
    assert error.startswith("Spending limit reached") and "40.00 EUR are left" in error
    monthly = tariff(world.manager, code="WEB-M", price="80.00", minimum=0, renewal=1)
    booking = http.post(
        reverse("admin:customers_account_subscription_add", args=[world.collecting.pk]),
        {"tariff": str(monthly.tariff_id), "start_date": "2026-12-15", "quantity": "1"},
    )
    [error] = booking.context["form"].non_field_errors()
    assert error.startswith("Spending limit reached")
    assert Charge.objects.filter(account=world.collecting).count() == 1
    assert not Subscription.objects.filter(account=world.collecting).exists()


# --- invoices in advance ------------------------------------------------------------------


def test_invoices_in_advance_from_the_account_page(world):
    http = client(world, C)
    page = text(http.get(reverse("admin:customers_account_change", args=[world.plain.pk])))
    url = reverse(
        "admin:customers_account_invoices_in_advance", args=[world.plain.pk, world.contract.pk]
    )
    assert f'<a href="{url}">contract K-00002</a>' in page
    assert http.get(url).status_code == 200

    response = http.post(url, {"until": "2027-04-30"})

    assert response.url == COLLECTIVE
    assert flash(response) == ["2 drafts were created for contract K-00002."]
    drafts = Invoice.objects.filter(account=world.plain).order_by("send_date")
    assert [(d.send_date, d.status, d.is_collective) for d in drafts] == [
        (date(2027, 1, 1), InvoiceStatus.DRAFT, True),
        (date(2027, 3, 1), InvoiceStatus.DRAFT, True),
    ]


def test_invoices_in_advance_errors_and_permissions(world):
    url = reverse(
        "admin:customers_account_invoices_in_advance", args=[world.plain.pk, world.contract.pk]
    )
    http = client(world, C)
    past = http.post(url, {"until": "2026-12-01"})
    assert past.context["form"].errors == {
        "until": ["Give a date from today up to three years ahead."]
    }
    early = http.post(url, {"until": "2026-12-31"})
    assert early.context["form"].non_field_errors() == [
        "Contract K-00002 has nothing to bill up to 2026-12-31."
    ]
    foreign = reverse(
        "admin:customers_account_invoices_in_advance",
        args=[world.plain.pk, world.other_contract.pk],
    )
    assert http.get(foreign).status_code == 404
    accountant = client(world, A)
    assert accountant.get(url).status_code == 403
    assert accountant.post(url, {"until": "2027-04-30"}).status_code == 403
    page = accountant.get(reverse("admin:customers_account_change", args=[world.plain.pk]))
    assert 'id="invoices-in-advance"' not in text(page)
    assert not Invoice.objects.exists()


# --- the collective invoices page ---------------------------------------------------------


@pytest.mark.parametrize("role", [M, C, A])
def test_collective_page_per_role(world, role):
    first, second = drafts_in_advance(world)
    http = client(world, role)
    page = http.get(COLLECTIVE)
    assert page.status_code == 200
    html = text(page)
    detail = reverse("admin:invoicing_invoice_change", args=[first.pk])
    assert f'<a href="{detail}">draft #{first.pk}</a>' in html
    assert "59.50 EUR" in html  # gross of one period: 50.00 + 19 % VAT
    may_edit = role != A
    assert ('id="combine-form"' in html) == may_edit
    assert (f'id="send-date-form-{first.pk}"' in html) == may_edit
    if not may_edit:
        assert http.post(COMBINE, {"invoice_ids": [first.pk, second.pk]}).status_code == 403
        send_date = reverse("admin:invoicing_invoice_send_date", args=[first.pk])
        assert http.post(send_date, {"version": "1", "send_date": ""}).status_code == 403
        assert Invoice.objects.count() == 2
    invoices = text(http.get(reverse("admin:invoicing_invoice_changelist")))
    assert f'id="collective-invoices" href="{COLLECTIVE}"' in invoices


def test_combine_two_drafts_from_the_list(world):
    first, second = drafts_in_advance(world)

    response = client(world, C).post(COMBINE, {"invoice_ids": [first.pk, second.pk]})

    assert response.url == COLLECTIVE
    assert flash(response) == [
        f"2 drafts were combined into draft #{first.pk} (send date: 01/01/2027)."
    ]
    combined = Invoice.objects.get()
    assert (combined.pk, combined.send_date, combined.lines.count(), combined.gross_total) == (
        first.pk,
        date(2027, 1, 1),
        2,
        D("119.00"),
    )


@pytest.mark.parametrize(
    ("post", "expected"),
    [({"no_send_date": "on"}, None), ({"send_date": "2027-02-01"}, date(2027, 2, 1))],
)
def test_combine_with_a_chosen_or_no_send_date(world, post, expected):
    ids = [d.pk for d in drafts_in_advance(world)]
    client(world, M).post(COMBINE, {"invoice_ids": ids, **post})
    assert Invoice.objects.get().send_date == expected


def test_combine_refusals_name_the_reason(world):
    first, second = drafts_in_advance(world)
    [foreign, _later] = drafts_in_advance(world, world.other_contract)
    http = client(world, C)
    cases = [
        (
            {"invoice_ids": [first.pk, foreign.pk]},
            "Only drafts of the same account can be combined.",
        ),
        ({"invoice_ids": [first.pk]}, "Select at least two drafts to combine."),
        (
            {"invoice_ids": [first.pk, second.pk], "no_send_date": "on", "send_date": "2027-01-02"},
            "Give a send date or tick “no send date”, not both.",
        ),
    ]
    for post, reason in cases:
        assert shown(http.post(COMBINE, post, follow=True)) == [f"Not combined: {reason}"]
    assert Invoice.objects.count() == 4
    [sent, _other] = drafts_finalize_due(today=date(2027, 1, 1))
    finalized = http.post(COMBINE, {"invoice_ids": [first.pk, second.pk]}, follow=True)
    assert shown(finalized) == [
        f"Not combined: Invoice {Invoice.objects.get(pk=first.pk).number} is finalized; "
        "only drafts can be combined."
    ]
    assert Invoice.objects.get(pk=second.pk).lines.count() == 1


def test_send_date_is_set_and_cleared_on_the_list(world):
    first, _second = drafts_in_advance(world)
    url = reverse("admin:invoicing_invoice_send_date", args=[first.pk])
    http = client(world, C)

    moved = http.post(url, {"version": "1", "send_date": "2027-01-05", "next": COLLECTIVE})
    assert (moved.url, flash(moved)) == (COLLECTIVE, [f"draft #{first.pk} is sent on 01/05/2027."])
    assert Invoice.objects.get(pk=first.pk).send_date == date(2027, 1, 5)
    http.get(COLLECTIVE)  # shows (and so clears) the message
    cleared = http.post(url, {"version": "2", "send_date": ""}, follow=True)
    assert shown(cleared) == [f"draft #{first.pk} has no send date now."]
    assert Invoice.objects.get(pk=first.pk).send_date is None
    stale = http.post(url, {"version": "2", "send_date": "2027-01-09"}, follow=True)
    [message] = shown(stale)
    assert message.startswith(f"Send date of draft #{first.pk} not saved: This record was changed")
    assert Invoice.objects.get(pk=first.pk).send_date is None
    offsite = http.post(url, {"version": "3", "send_date": "", "next": "https://evil.example/"})
    assert offsite.url == COLLECTIVE


# --- the dashboard notice -----------------------------------------------------------------


def test_dashboard_notice_until_the_collective_draft_has_a_send_date(world):
    combined = invoices_combine(
        actor=world.clerk, invoice_ids=[d.pk for d in drafts_in_advance(world)], send_date=None
    )
    readonly = text(client(world, A).get(INDEX))
    assert "1 collective invoice without a send date" in readonly
    assert f'id="missing-send-date-{combined.pk}"' in readonly
    assert f'id="send-date-form-{combined.pk}"' not in readonly

    http = client(world, C)
    assert f'id="send-date-form-{combined.pk}"' in text(http.get(INDEX))
    url = reverse("admin:invoicing_invoice_send_date", args=[combined.pk])
    response = http.post(
        url, {"version": str(combined.version), "send_date": "2027-01-01", "next": INDEX}
    )

    assert response.url == INDEX
    assert Invoice.objects.get().send_date == date(2027, 1, 1)
    page = text(http.get(INDEX))
    assert 'id="collective-notices"' not in page
    assert f'id="collective-invoices-link"><a href="{COLLECTIVE}"' in page


def test_dashboard_warns_of_drafts_left_after_their_send_date(world):
    late, due_today = drafts_in_advance(world)
    for draft, day in ((late, date(2026, 12, 10)), (due_today, TODAY)):
        invoice_draft_update(
            actor=world.clerk,
            invoice_id=draft.pk,
            expected_version=None,
            changes={"send_date": day},
        )
    page = text(client(world, A).get(INDEX))
    assert "1 draft not sent on its send date" in page
    warning = page[page.index('id="drafts-overdue"') :]
    assert f"draft #{late.pk}" in warning and "12/10/2026" in warning
    assert f"draft #{due_today.pk}" not in warning
