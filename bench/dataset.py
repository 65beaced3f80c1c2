"""A synthetic provider for the billing benchmark, written with bulk inserts.

This is benchmark scaffolding, not product code: it writes rows directly (no services, no
history, no audit) so that 100,000 accounts take seconds, but every row is one the services
could have written. Deterministic: account `i` always gets the same subscriptions.

The population, per account: a company contract party, one invoice recipient, every second
account a SEPA mandate; one contract with one module, every second account a second module
(1.5 subscriptions per account). Billing intervals are mixed: 60 % monthly, 25 % quarterly,
15 % yearly; a few tariffs carry a setup fee. Starts are spread over May and June 2026.

`apply_changes` then changes 10 % of the subscriptions mid-July, after the first run has
billed them: half change tariff on 16 July (the old row ends, a successor starts), half are
cancelled to 20 July. The July run then bills prorated parts and credits what was billed
in advance beyond the end.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction

from kontor.billing.models import BillingSettings, SellerProfile
from kontor.catalog.models import Module, Tariff, TariffVersion, TaxCategory, TaxRate
from kontor.contracts.models import Contract, EndReason, Subscription
from kontor.customers.models import (
    Account,
    BankAccount,
    ContractParty,
    InvoiceRecipient,
    Mandate,
    PaymentMethod,
)

BATCH = 5000
FIRST_RUN = date(2026, 6, 1)
MONTHLY_RUN = date(2026, 7, 1)
STARTS = (date(2026, 5, 1), date(2026, 5, 17), date(2026, 6, 1))
CHANGE_DAY = date(2026, 7, 16)
CANCEL_END = date(2026, 7, 20)

# code, name, price per interval, interval (months), setup fee; 20 slots → the interval mix
TARIFFS = [
    ("WEB-S", "Webhosting S", "4.90", 1, "0"),
    ("WEB-M", "Webhosting M", "12.90", 1, "0"),
    ("WEB-L", "Webhosting L", "29.90", 1, "0"),
    ("SRV-M", "Managed Server", "89.00", 1, "49.00"),
    ("MAIL-Q", "Mail Business", "19.50", 3, "0"),
    ("DOM-Y", "Domain .de", "12.00", 12, "0"),
    ("BAK-Y", "Backup Jahr", "119.00", 12, "0"),
]
SLOTS = [0] * 3 + [1] * 5 + [2] * 2 + [3] * 2 + [4] * 5 + [5] * 2 + [6]
SUCCESSOR = {0: 1, 1: 2, 2: 1, 3: 2, 4: 1, 5: 6, 6: 5}  # upgrades, downgrades, interval changes


def build(accounts: int) -> dict[str, int]:
    """Write the catalog and `accounts` accounts with their subscriptions."""
    with transaction.atomic():
        actor = User.objects.create_superuser("bench", "bench@example.com", "pw-bench")
        versions = _catalog()
        BillingSettings.load()
        SellerProfile.objects.update_or_create(
            pk=1,
            defaults=dict(
                name="Beispiel Hosting GmbH",
                street="Hafenstraße 1",
                postal_code="20457",
                city="Hamburg",
                vat_id="DE123456789",
                iban="DE89370400440532013000",
            ),
        )
    counts = {"accounts": 0, "subscriptions": 0}
    for first in range(0, accounts, BATCH):
        with transaction.atomic():
            batch = _accounts(range(first, min(first + BATCH, accounts)))
            counts["accounts"] += len(batch)
            counts["subscriptions"] += _subscriptions(batch, versions)
    counts["actor_id"] = actor.pk
    return counts


def _catalog() -> list[TariffVersion]:
    standard = TaxCategory.objects.create(code="S", name="Standard")
    TaxRate.objects.create(category=standard, rate=Decimal("19.00"), valid_from=date(2007, 1, 1))
    reduced = TaxCategory.objects.create(code="AA", name="Ermäßigt")
    TaxRate.objects.create(category=reduced, rate=Decimal("7.00"), valid_from=date(2007, 1, 1))
    versions = []
    for code, name, price, interval, setup in TARIFFS:
        module = Module.objects.create(code=code, name=name)
        tariff = Tariff.objects.create(module=module, code=code, name=name)
        versions.append(
            TariffVersion.objects.create(
                tariff=tariff,
                valid_from=date(2020, 1, 1),
                price=Decimal(price),
                setup_fee=Decimal(setup),
                billing_interval_months=interval,
                minimum_term_months=interval,
                renewal_term_months=interval,
                tax_category=standard,
            )
        )
    return versions


def _accounts(indexes: range) -> list[Account]:
    parties = ContractParty.objects.bulk_create(
        [
            ContractParty(
                kind="company",
                company_name=f"Kunde {i:06d} GmbH",
                contact_person="Erika Muster",
                street=f"Hauptstraße {i % 200 + 1}",
                postal_code=f"{10115 + i % 80000:05d}",
                city="Berlin",
                country="DE",
                email=f"info{i}@kunde.example",
            )
            for i in indexes
        ]
    )
    accounts = Account.objects.bulk_create(
        [
            Account(
                customer_number=f"K-{i + 1:06d}",
                contract_party=party,
                payment_method=(
                    PaymentMethod.SEPA_DIRECT_DEBIT if i % 2 == 0 else PaymentMethod.BANK_TRANSFER
                ),
                language="de" if i % 10 else "en",
            )
            for i, party in zip(indexes, parties, strict=True)
        ]
    )
    InvoiceRecipient.objects.bulk_create(
        [InvoiceRecipient(account=a, email=f"rechnung{a.pk}@kunde.example") for a in accounts]
    )
    _mandates([a for i, a in zip(indexes, accounts, strict=True) if i % 2 == 0])
    return accounts


def _mandates(accounts: list[Account]) -> None:
    banks = BankAccount.objects.bulk_create(
        [
            BankAccount(
                account=a,
                holder=f"Kunde {a.pk} GmbH",
                iban=f"DE{a.pk % 97:02d}3704004400{a.pk:010d}",
                bic="COBADEFFXXX",
            )
            for a in accounts
        ]
    )
    Mandate.objects.bulk_create(
        [
            Mandate(account=a, bank_account=b, reference=f"M-{a.pk:08d}", signed_on=STARTS[0])
            for a, b in zip(accounts, banks, strict=True)
        ]
    )


def _subscriptions(accounts: list[Account], versions: list[TariffVersion]) -> int:
    contracts = Contract.objects.bulk_create(
        [Contract(account=a, reference=f"V-{a.pk}") for a in accounts]
    )
    rows = []
    for account, contract in zip(accounts, contracts, strict=True):
        slots = [account.pk % len(SLOTS)] + (
            [(account.pk * 7) % len(SLOTS)] if account.pk % 2 else []
        )
        for n, slot in enumerate(slots):
            version = versions[SLOTS[slot]]
            rows.append(
                Subscription(
                    contract=contract,
                    account=account,
                    module_id=version.tariff.module_id,
                    tariff_version=version,
                    quantity=Decimal(1 + (account.pk + n) % 3),
                    start_date=STARTS[(account.pk + n) % len(STARTS)],
                )
            )
    Subscription.objects.bulk_create(rows, batch_size=BATCH)
    return len(rows)


def apply_changes() -> dict[str, int]:
    """Change every 10th subscription mid-July (after the June run billed it)."""
    versions = list(TariffVersion.objects.select_related("tariff").order_by("pk"))
    index = {v.pk: n for n, v in enumerate(versions)}
    changed = cancelled = 0
    ids = list(Subscription.objects.order_by("pk").values_list("pk", flat=True))[::10]
    for first in range(0, len(ids), BATCH):
        with transaction.atomic():
            subs = list(Subscription.objects.filter(pk__in=ids[first : first + BATCH]))
            successors, updated = [], []
            for n, sub in enumerate(subs):
                if n % 2 == 0:
                    successors.append(
                        _successor(sub, versions[SUCCESSOR[index[sub.tariff_version_id]]])
                    )
                    sub.end_date, sub.end_reason = (
                        CHANGE_DAY - timedelta(days=1),
                        EndReason.TARIFF_CHANGE,
                    )
                    changed += 1
                else:
                    sub.end_date, sub.end_reason = CANCEL_END, EndReason.CANCELLED
                    cancelled += 1
                sub.notice_given_on = date(2026, 6, 20)
                sub.end_date_overridden = True
                updated.append(sub)
            Subscription.objects.bulk_update(
                updated, ["end_date", "end_reason", "notice_given_on", "end_date_overridden"]
            )
            Subscription.objects.bulk_create(successors)
    return {"tariff_changes": changed, "cancellations": cancelled}


def _successor(old: Subscription, version: TariffVersion) -> Subscription:
    return Subscription(
        contract_id=old.contract_id,
        account_id=old.account_id,
        module_id=version.tariff.module_id,
        tariff_version=version,
        quantity=old.quantity,
        start_date=CHANGE_DAY,
        predecessor_id=old.pk,
    )


def actor() -> Any:
    return User.objects.get(username="bench")
