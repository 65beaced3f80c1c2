"""Demo data: a German hosting provider, "Beispiel Hosting GmbH", with its catalog, customers,
mandates and contracts (the customers are built in `demo_accounts.py`). Everything goes
through the services with the demo manager as actor, so every rule holds and the change log
fills up. Deterministic for a seed and a "demo today".

Only the things no service exists for (role users, customer groups, branches, legal
documents) are written directly.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from django.contrib.auth.models import Group, User
from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from kontor.billing.collective import collective_profile_create, customer_group_set_profile
from kontor.catalog import services as catalog
from kontor.catalog.models import Module, TaxCategory
from kontor.cli.demo_accounts import AccountBuilder, DemoCatalog, DemoSummary, tiny_pdf
from kontor.core import clock
from kontor.core.errors import Conflict, invalid
from kontor.core.periods import add_months
from kontor.core.permissions import STAFF_ROLES, Role
from kontor.customers.models import Account, CustomerGroup, LegalDocument, LegalDocumentType
from kontor.customers.services import branch_create, customer_group_create, legal_document_create
from kontor.customers.types import UploadedDocument

MARKER_MODULE = "WEB"  # the demo's Webhosting module: present = demo data loaded
GROUP_NAMES = ("Privatkunden", "Geschäftskunden", "Vereine", "Öffentliche Hand")


# ---------------------------------------------------------------- users and state


def demo_data_loaded() -> bool:
    return Module.objects.filter(code=MARKER_MODULE).exists()


def database_has_data() -> bool:
    return Account.objects.exists() or TaxCategory.objects.exists() or Module.objects.exists()


def ensure_role_users(known: dict[str, str]) -> dict[str, str]:
    """One staff user per role, named after it. Returns username -> password for the users
    created now (with the password from `known` if given, else a fresh one) and for existing
    users whose `known` password still works; other existing users are left alone."""
    logins: dict[str, str] = {}
    for role in STAFF_ROLES:
        group, _created = Group.objects.get_or_create(name=role.value)
        user = User.objects.filter(username=role.value).first()
        if user is None:
            password = known.get(role.value) or secrets.token_urlsafe(12)
            user = User.objects.create_user(role.value, password=password, is_staff=True)
            user.groups.add(group)
            logins[role.value] = password
        elif role.value in known and user.check_password(known[role.value]):
            logins[role.value] = known[role.value]
    return logins


# ---------------------------------------------------------------- catalog


@dataclass(frozen=True)
class _T:
    code: str
    name: str
    price: str
    interval: int
    minimum: int
    renewal: int
    notice: tuple[int, str, str]
    setup: str = "0"


TERM_END = (1, "months", "term_end")  # 1 month to the end of the term
MONTH_END = (3, "months", "month_end")  # 3 months to the end of any month
QUARTER_END = (1, "months", "quarter_end")
MODULES: dict[str, tuple[str, str, tuple[str, ...], list[_T]]] = {
    "WEB": ("Webhosting", "HOST-01", ("ADD-DOMAIN", "ADD-STORAGE-10", "ADD-SSL"), [
        _T("WEB-S-M", "Webhosting S (monatlich)", "4.99", 1, 1, 1, TERM_END, "9.90"),
        _T("WEB-S-Y", "Webhosting S (jährlich)", "49.90", 12, 12, 12, TERM_END),
        _T("WEB-M-M", "Webhosting M (monatlich)", "9.99", 1, 12, 1, MONTH_END, "19.90"),
        _T("WEB-M-Y", "Webhosting M (jährlich)", "99.90", 12, 12, 12, TERM_END),
        _T("WEB-L-M", "Webhosting L (monatlich)", "19.99", 1, 24, 1, MONTH_END, "29.90"),
        _T("WEB-L-Y", "Webhosting L (jährlich)", "199.90", 12, 24, 12, TERM_END),
    ]),
    "TEL": ("Telefonservice", "TEL-01", ("ADD-NUMBER",), [
        _T("TEL-BASIS", "Telefonservice Basis", "29.70", 3, 3, 3, QUARTER_END),
        _T("TEL-PLUS", "Telefonservice Plus", "59.70", 3, 3, 3, QUARTER_END, "49.00"),
    ]),
    "DOM": ("Domains", "DOM-01", ("ADD-SSL",), [
        _T("DOM-DE", "Domain .de", "12.00", 12, 12, 12, TERM_END),
        _T("DOM-COM", "Domain .com", "18.00", 12, 12, 12, TERM_END),
    ]),
    "MS": ("Managed Server", "MS-01", ("ADD-BACKUP", "ADD-STORAGE-10"), [
        _T("MS-STD", "Managed Server Standard", "79.00", 1, 12, 1, TERM_END, "99.00"),
        _T("MS-PRO", "Managed Server Pro", "149.00", 1, 12, 1, TERM_END, "99.00"),
    ]),
}  # fmt: skip
ARTICLE_TYPES = (("service", "Dienstleistung"), ("fee", "Gebühr"), ("hardware", "Hardware"))
# number, name, type, tax category, price, unit, add-on
ARTICLES = [
    ("HOST-01", "Webhosting", "service", "S", "4.99", "MON", False),
    ("TEL-01", "Telefonservice", "service", "S", "29.70", "C62", False),
    ("DOM-01", "Domainregistrierung", "service", "S", "12.00", "ANN", False),
    ("MS-01", "Managed Server", "service", "S", "79.00", "MON", False),
    ("FEE-SETUP", "Einrichtungsgebühr", "fee", "S", "19.90", "C62", False),
    ("FEE-TRANSFER", "Domain-Transfer (Auth-Code)", "fee", "S", "5.00", "C62", False),
    ("HW-ROUTER", "Router FRITZ!Box 7530", "hardware", "S", "129.00", "C62", False),
    ("HW-SSD-1TB", "SSD 1 TB für Managed Server", "hardware", "S", "119.00", "C62", False),
    ("HW-BOOK", "Handbuch „Die eigene Website“ (Buch)", "hardware", "AA", "24.90", "C62", False),
    ("ADD-DOMAIN", "Zusätzliche Domain", "service", "S", "1.50", "MON", True),
    ("ADD-STORAGE-10", "Extra Speicher 10 GB", "service", "S", "2.00", "MON", True),
    ("ADD-SSL", "SSL-Zertifikat", "service", "S", "4.90", "MON", True),
    ("ADD-NUMBER", "Zusätzliche Rufnummer", "service", "S", "2.50", "MON", True),
    ("ADD-BACKUP", "Backup-Paket", "service", "S", "9.90", "MON", True),
]


# Rates with the COVID-19 reduction of 2020 (second half-year).
TAX_CATEGORIES = {
    "S": ("Normaler Steuersatz", ("19", "16", "19")),
    "AA": ("Ermäßigter Steuersatz", ("7", "5", "7")),
}
RATE_PERIODS = (
    (date(2007, 1, 1), None),
    (date(2020, 7, 1), date(2020, 12, 31)),
    (date(2021, 1, 1), None),
)


def create_catalog(actor: Any, today: date) -> DemoCatalog:
    taxes = _create_taxes(actor)
    articles = _create_articles(actor, taxes)
    result = DemoCatalog()
    for code, (name, article, addons, tariffs) in MODULES.items():
        module = catalog.module_create(actor=actor, code=code, name=name)
        result.addons[code] = [articles[number] for number in addons]
        for t in tariffs:
            tariff = catalog.tariff_create(
                actor=actor, module_id=module.pk, code=t.code, name=t.name,
                addon_article_ids=result.addons[code],
            )  # fmt: skip
            terms = dict(
                tax_category_id=taxes["S"], setup_fee=t.setup, billing_interval_months=t.interval,
                minimum_term_months=t.minimum, renewal_term_months=t.renewal,
                notice_amount=t.notice[0], notice_unit=t.notice[1], notice_anchor=t.notice[2],
                contract_type="telephony" if code == "TEL" else "hosting",
                billing_timing="arrears" if code == "TEL" else "advance",
                article_id=articles[article],
            )  # fmt: skip
            prices = [(date(today.year - 4, 1, 1), t.price)]
            if t.code == "MS-STD":  # a price change: the second tariff version
                prices.append((add_months(today.replace(day=1), -10), "89.00"))
            result.versions[t.code] = [
                catalog.tariff_version_create(
                    actor=actor, tariff_id=tariff.pk, valid_from=valid_from, price=price, **terms
                )
                for valid_from, price in prices
            ]
    return result


def _create_taxes(actor: Any) -> dict[str, int]:
    ids: dict[str, int] = {}
    for code, (name, rates) in TAX_CATEGORIES.items():
        category = catalog.tax_category_create(actor=actor, code=code, name=name)
        for rate, (valid_from, valid_to) in zip(rates, RATE_PERIODS, strict=True):
            catalog.tax_rate_create(
                actor=actor, category_id=category.pk, rate=rate, valid_from=valid_from,
                valid_to=valid_to,
            )  # fmt: skip
        ids[code] = category.pk
    return ids


def _create_articles(actor: Any, taxes: dict[str, int]) -> dict[str, int]:
    types = {
        code: catalog.article_type_create(actor=actor, code=code, name=name).pk
        for code, name in ARTICLE_TYPES
    }
    return {
        number: catalog.article_create(
            actor=actor, number=number, name=name, article_type_id=types[type_code],
            tax_category_id=taxes[tax], price=price, unit=unit, is_addon=is_addon,
        ).pk
        for number, name, type_code, tax, price, unit, is_addon in ARTICLES
    }  # fmt: skip


def create_reference_data(actor: Any, today: date) -> dict[str, Any]:
    """Groups, branches and the legal documents, through the same services staff use."""
    groups = {name: customer_group_create(actor=actor, name=name) for name in GROUP_NAMES}
    branches = {
        code: branch_create(actor=actor, code=code, name=name)
        for code, name in (("BER", "Berlin"), ("MUC", "München"))
    }
    since = date(today.year - 4, 1, 1)
    documents = [
        _legal_document(actor, doc_type, version, since, title)
        for doc_type, version, title in (
            (LegalDocumentType.TERMS, "v3", "Allgemeine Geschäftsbedingungen"),
            (LegalDocumentType.PRIVACY, "v2", "Datenschutzerklärung"),
        )
    ]
    return {"groups": groups, "branches": branches, "documents": documents}


def create_collective_profile(actor: Any, group: CustomerGroup) -> None:
    """Associations get one collective invoice a month (see docs/collective-invoices.md)."""
    profile = collective_profile_create(
        actor=actor,
        data={
            "name": "Vereine monatlich",
            "interval": "monthly",
            "day_of_month": 1,
            "spending_limit": "1000.00",
            "payment_term_days": 30,
        },
    )
    customer_group_set_profile(actor=actor, group_id=group.pk, profile_id=profile.pk)


def _legal_document(
    actor: Any, doc_type: str, version: str, since: date, title: str
) -> LegalDocument:
    """A one-page PDF standing in for the provider's real document."""
    pdf = tiny_pdf(
        [
            title,
            f"Beispiel Hosting GmbH, Version {version}, gültig ab {since:%d.%m.%Y}",
            "Beispieltext für die Demo: hier steht der Wortlaut des Anbieters.",
        ]
    )
    return legal_document_create(
        actor=actor,
        doc_type=doc_type,
        version=version,
        valid_from=since,
        file=UploadedDocument(name=f"{doc_type}-{version}.pdf", content=pdf),
    )


# ---------------------------------------------------------------- entry point


@dataclass(frozen=True)
class DemoResult:
    already_loaded: bool
    logins: dict[str, str]  # username -> password, as far as known
    summary: DemoSummary | None = None


def demo_load(
    *, logins_file: Path, accounts: int = 200, seed: int = 1, today: date | None = None
) -> DemoResult:
    """Load the demo unless it is there already; the role users' passwords go to
    `logins_file` (mode 600) and are reused from it when it exists."""
    known = read_logins(logins_file)
    if demo_data_loaded():
        return DemoResult(already_loaded=True, logins=known)
    if database_has_data():
        raise Conflict(
            _("The database already holds accounts or a catalog; demo data is only loaded "
              "into an empty database."),
            code="database_not_empty",
        )  # fmt: skip
    if accounts < 1:
        raise invalid("accounts", _("Give at least one account."), "invalid")
    with transaction.atomic():
        logins = ensure_role_users(known)
        manager = User.objects.get(username=Role.MANAGER.value)
        summary = generate(actor=manager, accounts=accounts, seed=seed, today=today)
    write_logins(logins_file, {**known, **logins})
    return DemoResult(already_loaded=False, logins={**known, **logins}, summary=summary)


def generate(
    *, actor: Any, accounts: int = 200, seed: int = 1, today: date | None = None
) -> DemoSummary:
    """Create the whole demo in one transaction, with `actor` (a manager) doing every write."""
    today = today or clock.today()
    with transaction.atomic():
        products = create_catalog(actor, today)
        reference = create_reference_data(actor, today)
        builder = AccountBuilder(actor, seed, today, products, reference)
        for index in range(accounts):
            builder.build(index)
        builder.request_party_change()
        create_collective_profile(actor, reference["groups"]["Vereine"])
        create_seller_profile(actor)
        mark_billed_before(today)
    return builder.summary


def create_seller_profile(actor: Any) -> None:
    """The demo provider's own data, printed on every invoice (valid IDs, so e-invoices pass)."""
    from kontor.billing.services import seller_profile_update

    seller_profile_update(
        actor=actor,
        expected_version=None,
        changes={
            "name": "Beispiel Hosting GmbH",
            "street": "Hafenstraße 12",
            "postal_code": "20457",
            "city": "Hamburg",
            "country": "DE",
            "vat_id": "DE136695976",
            "tax_number": "27/123/45678",
            "email": "rechnung@beispiel-hosting.example",
            "phone": "+49 40 1234567-0",
            "bank_name": "Hamburger Sparkasse",
            "iban": "DE02200505501015871393",
            "bic": "HASPDEHHXXX",
            "creditor_id": "DE98ZZZ09999999999",
            "register": "Amtsgericht Hamburg HRB 123456",
            "managing_directors": "Erika Beispiel",
        },
    )


def mark_billed_before(today: date) -> None:
    """The demo provider moved to Kontor this month: its old system billed everything up to
    the end of last month, so the first billing run bills the current month only."""
    from kontor.contracts.models import Subscription
    from kontor.core.periods import ONE_DAY

    last_month_end = today.replace(day=1) - ONE_DAY
    old = Subscription.objects.filter(start_date__lte=last_month_end)
    old.filter(end_date__lt=last_month_end).update(billed_until=F("end_date"))
    old.exclude(end_date__lt=last_month_end).update(billed_until=last_month_end)


def read_logins(path: Path) -> dict[str, str]:
    if not path.exists():
        return {}
    logins = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        parts = line.split()
        if len(parts) == 2 and not line.startswith("#"):
            logins[parts[0]] = parts[1]
    return logins


def write_logins(path: Path, logins: dict[str, str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write("# Kontor demo: back-office logins (user name, password). Keep private.\n")
        handle.writelines(f"{user} {password}\n" for user, password in logins.items())
    path.chmod(0o600)
