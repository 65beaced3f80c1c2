"""Writing the accounts of a checked import file through the customer and contract services,
so the same rules apply as in the back office. A service's error lands under the JSON path
of the item it concerns."""

from __future__ import annotations

from collections import Counter
from typing import Any

from kontor.contracts.models import SubscriptionAddon
from kontor.contracts.services import (
    subscription_book_addon,
    subscription_cancel,
    subscription_create,
)
from kontor.core.batch import Batch, current
from kontor.core.errors import KontorError
from kontor.customers.models import Account, Mandate, MandateStatus
from kontor.customers.services import (
    account_create,
    bank_account_add,
    mandate_create,
    mandate_revoke,
)
from kontor.customers.types import PartyData, RecipientData
from kontor.exchange.index import Index
from kontor.exchange.problems import Problems, resolved
from kontor.exchange.schema import AccountIn, BankAccountIn, SubscriptionIn

ACCOUNT_RENAMES = {
    "billing_name": "billing_address.name",
    "billing_street": "billing_address.street",
    "billing_address_extra": "billing_address.address_extra",
    "billing_postal_code": "billing_address.postal_code",
    "billing_city": "billing_address.city",
    "billing_country": "billing_address.country",
    "payment_term_days": "payment_terms_days",
}
SUBSCRIPTION_RENAMES = {"tariff_version": "tariff", "effective_date": "start_date"}
FLUSH_EVERY = 5000  # collected history rows and audit entries


def write_accounts(
    actor: Any, accounts: list[AccountIn], index: Index, problems: Problems, counts: dict[str, int]
) -> list[str]:
    numbers = []
    batch = current()
    for i, item in enumerate(accounts):
        path = f"accounts[{i}]"
        if batch is None:
            number = _write_account(actor, item, path, index, problems, counts)
        else:
            if batch.pending >= FLUSH_EVERY:
                batch.flush()  # between accounts: memory stays flat on large files
            number = _write_account_at_once(actor, item, path, index, batch, counts)
            if number is None:
                # A service refused: the account was undone; write it again call by call, so
                # that every refusal is reported under its path as without the batch.
                number = _write_account(actor, item, path, index, problems, counts)
        if number is not None:
            numbers.append(number)
    return numbers


def _write_account_at_once(
    actor: Any, item: AccountIn, path: str, index: Index, batch: Batch, counts: dict[str, int]
) -> str | None:
    """The account and everything under it under one savepoint (not one per service call);
    None, with nothing written, when any service refused."""
    tally: Counter[str] = Counter()
    try:
        with batch.unit():
            number = _write_account(actor, item, path, index, Problems(strict=True), tally)
    except KontorError:
        return None
    for name, count in tally.items():
        counts[name] += count
    return number


def _write_account(
    actor: Any, item: AccountIn, path: str, index: Index, problems: Problems, counts: Any
) -> str | None:
    """Write one account; its customer number, or None when the account itself failed."""
    with problems.guard(path, ACCOUNT_RENAMES) as guard:
        account = _create_account(actor, item, index)
    if not guard.ok:
        return None
    counts["accounts"] += 1
    with problems.guard(path):
        _write_bank_accounts(actor, account, item.bank_accounts, path, problems, counts)
    for j, subscription in enumerate(item.subscriptions):
        sub_path = f"{path}.subscriptions[{j}]"
        with problems.guard(sub_path, SUBSCRIPTION_RENAMES):
            _write_subscription(actor, account, subscription, sub_path, index, problems, counts)
    return account.customer_number


def _create_account(actor: Any, item: AccountIn, index: Index) -> Account:
    billing = item.billing_address
    fields: dict[str, Any] = {
        "external_customer_number": item.external_customer_number,
        "deviating_invoice_email": item.deviating_invoice_email,
        "po_number": item.po_number,
        "vat_treatment": item.vat_treatment,
        "vat_id": item.vat_id,
        "leitweg_id": item.leitweg_id,
        "payment_term_days": item.payment_terms_days,
        "payment_method": item.payment_method,
        "is_test": item.is_test,
        "deliver_by_post": item.deliver_by_post,
        "group": resolved(index.groups, item.group) if item.group else None,
        "branch": resolved(index.branches, item.branch) if item.branch else None,
        "language": item.language,
        "currency": item.currency,
        "contract_period_start": item.contract_period_start,
    }
    if billing is not None:
        for name in ("name", "street", "address_extra", "postal_code", "city", "country"):
            fields[f"billing_{name}"] = getattr(billing, name)
    return account_create(
        actor=actor,
        party=PartyData(**item.contract_party.model_dump()),
        fields=fields,
        recipients=[RecipientData(r.email, r.delivery_mode) for r in item.recipients],
        customer_number=item.customer_number,
    )


def _write_bank_accounts(
    actor: Any,
    account: Account,
    banks: list[BankAccountIn],
    path: str,
    problems: Problems,
    counts: dict[str, int],
) -> None:
    created = []
    for j, bank in enumerate(banks):
        bank_path = f"{path}.bank_accounts[{j}]"
        with problems.guard(bank_path) as guard:
            row = bank_account_add(
                actor=actor, account_id=account.pk, holder=bank.holder, iban=bank.iban, bic=bank.bic
            )
        if guard.ok:
            counts["bank_accounts"] += 1
            if bank.mandate is not None:
                created.append((row.pk, bank.mandate, f"{bank_path}.mandate"))
    # Ended mandates first: the service refuses a second active mandate, not an ended one.
    created.sort(key=lambda entry: entry[1].status == "active")
    for bank_account_id, mandate, mandate_path in created:
        with problems.guard(mandate_path, {"bank_account": "reference"}) as guard:
            row = mandate_create(
                actor=actor,
                account_id=account.pk,
                bank_account_id=bank_account_id,
                reference=mandate.reference,
                signed_on=mandate.signed_on,
                scheme=mandate.scheme,
            )
            if mandate.status != MandateStatus.ACTIVE:
                row = mandate_revoke(actor=actor, mandate_id=row.pk, ended_on=mandate.ended_on)
            if mandate.status == MandateStatus.EXPIRED:
                # No service expires a mandate (that is a SEPA rule run over time, not a user
                # action); an imported expired mandate is a historic fact, so set it here.
                Mandate.objects.filter(pk=row.pk).update(status=MandateStatus.EXPIRED)
        if guard.ok:
            counts["mandates"] += 1


def _write_subscription(
    actor: Any,
    account: Account,
    item: SubscriptionIn,
    path: str,
    index: Index,
    problems: Problems,
    counts: dict[str, int],
) -> None:
    valid_from = index.version_for(item.tariff, item.start_date, item.tariff_version_from)
    versions = index.tariff_versions.get(item.tariff, {})
    cancelled = item.notice_given_on is not None
    subscription = subscription_create(
        actor=actor,
        account_id=account.pk,
        tariff_version_id=resolved(versions, valid_from),  # type: ignore[arg-type]
        start_date=item.start_date,
        quantity=item.quantity,
        deviating_price=item.deviating_price,
        contract_reference=item.contract,
        billed_until=item.billed_until,
        # A fixed end is part of the booking; a cancellation is recorded below with its date.
        end_date=None if cancelled else item.end_date,
    )
    counts["subscriptions"] += 1
    for k, addon in enumerate(item.addons):
        addon_path = f"{path}.addons[{k}]"
        with problems.guard(addon_path) as guard:
            booked = subscription_book_addon(
                actor=actor,
                subscription_id=subscription.pk,
                article_id=resolved(index.articles, addon.article),
                start_date=addon.start_date,
                quantity=addon.quantity,
            )
            if addon.end_date is not None:
                # The service books an add-on until the module ends; an imported add-on that
                # ended earlier is a historic fact (checked to lie within the term), set here.
                SubscriptionAddon.objects.filter(pk=booked.pk).update(end_date=addon.end_date)
        if guard.ok:
            counts["addons"] += 1
    if cancelled:
        subscription_cancel(
            actor=actor,
            subscription_id=subscription.pk,
            expected_version=None,
            notice_given_on=item.notice_given_on,
            end_date=item.end_date,
        )
