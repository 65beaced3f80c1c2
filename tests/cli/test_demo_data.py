"""`kontor demo-data`: a realistic, valid and repeatable demo."""

from __future__ import annotations

import hashlib
import random
import stat
from datetime import date
from decimal import Decimal
from io import StringIO

import pytest
from django.contrib.auth import authenticate
from django.contrib.auth.models import User
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.db.models import Count, Q
from django.utils import translation
from schwifty import IBAN
from stdnum.de import leitweg
from stdnum.eu import vat

from kontor.catalog.models import TariffVersion, TaxCategory, TaxRate
from kontor.cli.demo import generate
from kontor.cli.demo_accounts import (
    austrian_vat_id,
    dutch_vat_id,
    german_iban,
    german_vat_id,
    leitweg_id,
    tiny_pdf,
)
from kontor.contracts.models import EndReason, Subscription, SubscriptionAddon
from kontor.core.models import AuditEntry
from kontor.core.permissions import Role
from kontor.customers.models import (
    Account,
    ChangeRequestStatus,
    ContractPartyChangeRequest,
    LegalAcceptance,
    LegalDocument,
    Mandate,
    MandateStatus,
    VatTreatment,
)
from tests.builders import account as build_account
from tests.conftest import make_user

DEMO_TODAY = date(2025, 6, 16)
ROLES = ("manager", "clerk", "accountant")


@pytest.fixture(autouse=True)
def demo_dirs(settings, tmp_path):
    settings.VAR_DIR = tmp_path / "var"
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    return tmp_path


def run_demo(*args: str) -> str:
    out = StringIO()
    with translation.override("en"):
        call_command("demo_data", "--accounts", "20", "--today", DEMO_TODAY.isoformat(), *args,
                     stdout=out)  # fmt: skip
    return out.getvalue()


def logins(demo_dirs) -> dict[str, str]:
    lines = (demo_dirs / "var" / "demo-logins.txt").read_text().splitlines()
    return dict(line.split() for line in lines if not line.startswith("#"))


@pytest.fixture
def demo(db, demo_dirs) -> str:
    return run_demo()


def test_loads_the_requested_number_of_accounts_each_with_a_complete_contract_party(demo):
    assert "20 accounts" in demo
    assert Account.objects.count() == 20
    for account in Account.objects.select_related("contract_party"):
        party = account.contract_party
        assert party.display_name.strip()
        assert all(value.strip() for value in (party.street, party.postal_code, party.city))
        assert party.country in {"DE", "AT", "NL"}


def test_every_mandate_has_a_valid_iban_and_no_account_has_two_active_mandates(demo):
    mandates = Mandate.objects.select_related("bank_account", "account")
    assert mandates.count() >= 10
    for mandate in mandates:
        IBAN(mandate.bank_account.iban, validate_bban=True)  # raises when invalid
        assert mandate.account.payment_method == "sepa_dd"
    most_active = (
        Account.objects.annotate(active=Count("mandates", filter=Q(mandates__status="active")))
        .order_by("-active")
        .values_list("active", flat=True)
        .first()
    )
    assert most_active == 1
    assert Mandate.objects.filter(status=MandateStatus.REVOKED).count() == 1


def test_identifiers_are_valid_and_eu_accounts_use_reverse_charge(demo):
    vat_accounts = Account.objects.exclude(vat_id="")
    assert vat_accounts.count() >= 3
    assert all(vat.is_valid(account.vat_id) for account in vat_accounts)
    reverse_charge = Account.objects.get(vat_treatment=VatTreatment.REVERSE_CHARGE)
    assert reverse_charge.vat_id.startswith("ATU")
    public = Account.objects.get(group__name="Öffentliche Hand")
    assert leitweg.is_valid(public.leitweg_id)
    assert (public.payment_term_days, public.payment_method) == (30, "transfer")
    assert public.po_number.startswith("BANF-2025-")


def test_contracts_show_cancellations_tariff_changes_and_add_ons(demo):
    in_progress = Subscription.objects.filter(
        end_reason=EndReason.CANCELLED, end_date__gt=DEMO_TODAY
    )
    assert in_progress.count() >= 1
    assert all(sub.notice_given_on <= DEMO_TODAY for sub in in_progress)
    assert Subscription.objects.filter(end_reason=EndReason.TARIFF_CHANGE).count() >= 1
    assert Subscription.objects.filter(predecessor__isnull=False).count() >= 1
    assert SubscriptionAddon.objects.exists()
    booked = Subscription.objects.filter(predecessor__isnull=True)  # not tariff successors
    starts = booked.values_list("start_date", flat=True)
    assert min(starts) >= date(2022, 6, 1)
    assert max(starts) <= DEMO_TODAY


def test_catalog_has_the_2020_vat_reduction_and_a_tariff_price_change(demo):
    rates = TaxRate.objects.filter(category__code="S").order_by("valid_from")
    assert [(r.rate, r.valid_from, r.valid_to) for r in rates] == [
        (Decimal("19.00"), date(2007, 1, 1), date(2020, 6, 30)),
        (Decimal("16.00"), date(2020, 7, 1), date(2020, 12, 31)),
        (Decimal("19.00"), date(2021, 1, 1), None),
    ]
    assert set(TaxCategory.objects.values_list("code", flat=True)) == {"S", "AA"}
    prices = TariffVersion.objects.filter(tariff__code="MS-STD").order_by("valid_from")
    assert [(v.price, v.valid_from) for v in prices] == [
        (Decimal("79.0000"), date(2021, 1, 1)),
        (Decimal("89.0000"), date(2024, 8, 1)),
    ]


def test_every_account_accepted_terms_and_privacy_and_one_party_change_is_pending(demo):
    assert LegalAcceptance.objects.count() == 40
    request = ContractPartyChangeRequest.objects.get()
    assert request.status == ChangeRequestStatus.PENDING
    evidence = request.evidence.get()
    assert evidence.file.read().startswith(b"%PDF-1.4")
    for document in LegalDocument.objects.all():  # published like staff publish them
        content = document.file.read()
        assert content.startswith(b"%PDF-") and document.file.name.endswith(".pdf")
        assert document.sha256 == hashlib.sha256(content).hexdigest()


def test_role_users_can_log_in_with_the_printed_passwords(demo, demo_dirs):
    path = demo_dirs / "var" / "demo-logins.txt"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    passwords = logins(demo_dirs)
    assert sorted(passwords) == sorted(ROLES)
    for role in ROLES:
        assert f"{role:<11} {passwords[role]}" in demo
        user = authenticate(username=role, password=passwords[role])
        assert user is not None and user.is_staff
        assert list(user.groups.values_list("name", flat=True)) == [role]


def test_writes_go_through_services_and_are_audited_as_the_manager(demo):
    actors = set(AuditEntry.objects.values_list("actor__username", flat=True))
    assert actors == {"manager"}
    assert AuditEntry.objects.filter(action="account.created").count() == 20


def test_a_second_run_changes_nothing_and_prints_the_same_logins(demo, demo_dirs):
    counts = (Account.objects.count(), Subscription.objects.count(), AuditEntry.objects.count())
    second = run_demo()
    assert "already loaded" in second
    assert (
        Account.objects.count(), Subscription.objects.count(), AuditEntry.objects.count()
    ) == counts  # fmt: skip
    assert User.objects.count() == 3
    for role, password in logins(demo_dirs).items():
        assert f"{role:<11} {password}" in second


def test_a_fresh_database_reuses_the_passwords_of_an_existing_logins_file(db, demo_dirs):
    path = demo_dirs / "var" / "demo-logins.txt"
    path.parent.mkdir()
    path.write_text("# kept from an earlier demo\nmanager kept-secret-1\n")
    output = run_demo()
    assert authenticate(username="manager", password="kept-secret-1") is not None
    passwords = logins(demo_dirs)
    assert passwords["manager"] == "kept-secret-1"
    assert sorted(passwords) == sorted(ROLES)
    assert "manager     kept-secret-1" in output


def test_refuses_a_database_that_already_has_accounts_and_writes_nothing(db, demo_dirs):
    build_account(_manager())
    with pytest.raises(CommandError, match="empty database"):
        run_demo()
    assert Account.objects.count() == 1
    assert not User.objects.filter(username="clerk").exists()
    assert not (demo_dirs / "var" / "demo-logins.txt").exists()


def _manager() -> User:
    return make_user("boss", Role.MANAGER)


def test_the_same_seed_gives_the_same_data(db):
    manager = _manager()

    def names() -> list[tuple[str, str, str]]:
        class Rollback(Exception):
            pass

        try:
            with transaction.atomic():
                generate(actor=manager, accounts=5, seed=7, today=DEMO_TODAY)
                result = [
                    (a.customer_number, a.contract_party.display_name, a.vat_id)
                    for a in Account.objects.select_related("contract_party")
                ]
                raise Rollback
        except Rollback:
            return result

    assert names() == names()


@pytest.mark.parametrize(
    "make",
    [german_vat_id, austrian_vat_id, dutch_vat_id],
)
def test_generated_vat_ids_pass_python_stdnum(make):
    rng = random.Random(3)
    assert all(vat.is_valid(make(rng)) for _ in range(50))


def test_generated_ibans_and_leitweg_ids_are_valid():
    rng = random.Random(3)
    for _ in range(30):
        IBAN(german_iban(rng), validate_bban=True)
        assert leitweg.is_valid(leitweg_id(rng))


def test_tiny_pdf_has_a_correct_cross_reference_table():
    pdf = tiny_pdf(["Handelsregisterauszug", "Firma (neu): Müller GmbH"])
    xref = int(pdf.rsplit(b"startxref\n", 1)[1].split(b"\n")[0])
    assert pdf[xref:].startswith(b"xref\n0 6\n")
    first_object = int(pdf[xref:].split(b"\n")[3].split()[0])
    assert pdf[first_object:].startswith(b"1 0 obj")
    assert "Müller".encode("cp1252") in pdf


def test_first_billing_run_on_the_demo_bills_this_month_and_documents_validate(
    demo, settings, tmp_path
):
    """The demo provider's old system billed up to last month: the first run refuses nothing,
    and the invoices it issues become valid Factur-X documents."""
    from kontor.billing.models import BillingRunEntry
    from kontor.billing.runs import billing_run_create, billing_run_execute
    from kontor.documents.services import invoice_documents_render
    from kontor.invoicing.models import Invoice

    settings.MEDIA_ROOT = tmp_path
    manager = User.objects.get(username="manager")
    run = billing_run_create(actor=manager, as_of=DEMO_TODAY.replace(day=1))
    run = billing_run_execute(actor=manager, run_id=run.pk)
    assert run.status == "done"
    assert not BillingRunEntry.objects.filter(run=run).exists()
    invoices = list(Invoice.objects.filter(billing_run=run).order_by("id")[:3])
    assert invoices and all(
        i.period_start >= DEMO_TODAY.replace(day=1) for i in invoices if i.kind == "invoice"
    )
    for invoice in invoices:
        assert invoice_documents_render(invoice.pk)


def test_associations_collect_for_a_monthly_collective_invoice(demo):
    """The demo's associations have a monthly collective invoice profile: this month's run
    collects their items, the run on the 1st of next month bills them on one invoice each."""
    from kontor.billing.models import Charge
    from kontor.billing.runs import billing_run_create, billing_run_execute
    from kontor.customers.models import Account
    from kontor.invoicing.models import Invoice

    manager = User.objects.get(username="manager")
    associations = set(Account.objects.filter(group__name="Vereine").values_list("pk", flat=True))
    assert associations
    first, following = DEMO_TODAY.replace(day=1), date(2025, 7, 1)
    for day in (first, following):
        billing_run_execute(actor=manager, run_id=billing_run_create(actor=manager, as_of=day).pk)
    collected = Charge.objects.filter(account_id__in=associations, period_start__lt=following)
    assert collected.exists() and not collected.filter(collective_date__isnull=True).exists()
    billed = Invoice.objects.filter(account_id__in=associations)
    assert set(billed.values_list("account_id", flat=True)) == set(
        collected.values_list("account_id", flat=True)
    )
    assert all(i.is_collective and i.issue_date == following for i in billed)
    assert billed.count() == len(set(billed.values_list("account_id", flat=True)))


def test_public_sector_invoices_become_xrechnung_that_pass_the_german_rules(
    demo, settings, tmp_path
):
    """Every demo account with a Leitweg-ID gets an XRechnung; rendering validates it against
    XSD, EN 16931 and the KoSIT rules (a failure would raise)."""
    from kontor.billing.runs import billing_run_create, billing_run_execute
    from kontor.documents.models import DocumentKind
    from kontor.documents.services import invoice_documents_render
    from kontor.invoicing.models import Invoice

    settings.MEDIA_ROOT = tmp_path
    manager = User.objects.get(username="manager")
    run = billing_run_create(actor=manager, as_of=DEMO_TODAY.replace(day=1))
    billing_run_execute(actor=manager, run_id=run.pk)
    public = Invoice.objects.filter(billing_run=run).exclude(account__leitweg_id="")
    assert public.exists()
    for invoice in public:
        invoice_documents_render(invoice.pk)
        assert invoice.documents.filter(kind=DocumentKind.XRECHNUNG_XML).exists()
