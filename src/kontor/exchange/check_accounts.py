"""Checks on the accounts of an import file, before any write. They use the same validators
as the customer services (schwifty for IBAN/BIC, python-stdnum for VAT and Leitweg IDs)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from babel.numbers import list_currencies
from django.utils.translation import gettext as _

from kontor.core.errors import ValidationFailed
from kontor.customers.services.party import clean_party
from kontor.customers.types import PartyData
from kontor.customers.validators import (
    EU_VAT_PREFIXES,
    clean_bic,
    clean_country,
    clean_email,
    clean_eu_vat_id,
    clean_iban,
    clean_leitweg_id,
    clean_mandate_reference,
)
from kontor.exchange.check_catalog import declare, require_known, valid_items
from kontor.exchange.index import Index
from kontor.exchange.problems import Problems
from kontor.exchange.schema import AccountIn, AddonIn, ImportFile, MandateIn, SubscriptionIn


def _validate(problems: Problems, cleaner: Callable[..., Any], value: Any, path: str) -> Any:
    try:
        return cleaner(value, path)
    except ValidationFailed as exc:
        problems.errors.extend(exc.errors)
        return None


def check_accounts(
    data: ImportFile, index: Index, problems: Problems, *, deviating_price_allowed: bool
) -> None:
    currencies = set(list_currencies())
    for i, account in valid_items(data.accounts):
        path = f"accounts[{i}]"
        if account.customer_number:
            declare(
                index,
                problems,
                index.customer_numbers,
                "customer_number",
                account.customer_number,
                f"{path}.customer_number",
            )
        if account.external_customer_number:
            # Not unique in the model, but a second account with the same number from the
            # previous system is almost always a file loaded twice.
            declare(
                index,
                problems,
                index.external_numbers,
                "external_customer_number",
                account.external_customer_number,
                f"{path}.external_customer_number",
            )
        _check_fields(account, path, index, problems, currencies)
        _check_bank_accounts(account, path, index, problems)
        for j, subscription in enumerate(account.subscriptions):
            _check_subscription(
                subscription,
                f"{path}.subscriptions[{j}]",
                index,
                problems,
                deviating_price_allowed=deviating_price_allowed,
            )


def _check_fields(
    account: AccountIn, path: str, index: Index, problems: Problems, currencies: set[str]
) -> None:
    party = PartyData(**account.contract_party.model_dump())
    try:
        clean_party(party, prefix=f"{path}.contract_party")
    except ValidationFailed as exc:
        problems.errors.extend(exc.errors)
    if account.billing_address:
        _validate(
            problems,
            clean_country,
            account.billing_address.country,
            f"{path}.billing_address.country",
        )
    if account.deviating_invoice_email:
        _validate(
            problems,
            clean_email,
            account.deviating_invoice_email,
            f"{path}.deviating_invoice_email",
        )
    _validate(problems, clean_leitweg_id, account.leitweg_id, f"{path}.leitweg_id")
    _check_vat(account, path, problems)
    if account.currency.upper() not in currencies:
        problems.add(
            f"{path}.currency",
            "invalid",
            _("%s is not an ISO 4217 currency code.") % account.currency,
        )
    require_known(problems, index.groups, account.group, f"{path}.group", _("customer group"))
    require_known(problems, index.branches, account.branch, f"{path}.branch", _("branch"))
    seen: set[str] = set()
    for j, recipient in enumerate(account.recipients):
        email_path = f"{path}.recipients[{j}].email"
        _validate(problems, clean_email, recipient.email, email_path)
        if recipient.email.lower() in seen:
            problems.add(email_path, "duplicate", _("%s is listed twice.") % recipient.email)
        seen.add(recipient.email.lower())


def _check_vat(account: AccountIn, path: str, problems: Problems) -> None:
    vat_id = account.vat_id.upper().replace(" ", "")
    if account.vat_treatment == "reverse_charge" and not vat_id:
        problems.add(
            f"{path}.vat_id", "required", _("EU reverse charge needs the customer's EU VAT ID.")
        )
    elif vat_id and (
        account.vat_treatment == "reverse_charge" or vat_id[:2].lower() in EU_VAT_PREFIXES
    ):
        _validate(problems, clean_eu_vat_id, vat_id, f"{path}.vat_id")


def _check_bank_accounts(account: AccountIn, path: str, index: Index, problems: Problems) -> None:
    ibans: set[str] = set()
    active_at: str | None = None
    for j, bank in enumerate(account.bank_accounts):
        bank_path = f"{path}.bank_accounts[{j}]"
        iban = _validate(problems, clean_iban, bank.iban, f"{bank_path}.iban")
        if iban and iban in ibans:
            problems.add(
                f"{bank_path}.iban", "duplicate", _("This IBAN is already on the account.")
            )
        ibans.add(iban)
        if bank.bic:
            _validate(problems, clean_bic, bank.bic, f"{bank_path}.bic")
        if bank.mandate is not None:
            mandate_path = f"{bank_path}.mandate"
            active_at = _check_mandate(bank.mandate, mandate_path, active_at, index, problems)


def _check_mandate(
    mandate: MandateIn, mandate_path: str, active_at: str | None, index: Index, problems: Problems
) -> str | None:
    """Check one mandate; returns where the account's active mandate is (so far)."""
    reference = _validate(
        problems, clean_mandate_reference, mandate.reference, f"{mandate_path}.reference"
    )
    if reference:
        declare(
            index,
            problems,
            index.mandate_references,
            "mandate",
            reference,
            f"{mandate_path}.reference",
        )
    if mandate.status == "active":
        if active_at is not None:
            problems.add(
                f"{mandate_path}.status",
                "active_mandate_exists",
                _(
                    "The account has more than one active SEPA mandate (also at %s); "
                    "at most one may be active."
                )
                % active_at,
            )
        active_at = active_at or mandate_path
    elif mandate.ended_on is None:
        problems.add(
            f"{mandate_path}.ended_on",
            "required",
            _("A revoked or expired mandate needs the day it ended."),
        )
    if mandate.ended_on is not None and mandate.ended_on < mandate.signed_on:
        problems.add(
            f"{mandate_path}.ended_on",
            "invalid",
            _("The end lies before the date of signature."),
        )
    return active_at


def _check_subscription(
    subscription: SubscriptionIn,
    path: str,
    index: Index,
    problems: Problems,
    *,
    deviating_price_allowed: bool,
) -> None:
    start, end = subscription.start_date, subscription.end_date
    if end is not None and end < start:
        problems.add(f"{path}.end_date", "invalid", _("The end date lies before the start date."))
    if subscription.deviating_price is not None and not deviating_price_allowed:
        problems.add(
            f"{path}.deviating_price",
            "setting_off",
            _("Deviating prices are switched off in the billing settings."),
        )
    tariff = subscription.tariff
    if ("tariffs", tariff) in index.broken:
        return  # the tariff's own problems are reported where it is declared
    if tariff not in index.tariffs:
        require_known(problems, index.tariffs, tariff, f"{path}.tariff", _("tariff"))
        return  # its add-ons cannot be checked against an unknown tariff
    elif index.version_for(tariff, start, subscription.tariff_version_from) is None:
        field = "tariff_version_from" if subscription.tariff_version_from else "start_date"
        problems.add(
            f"{path}.{field}",
            "tariff_not_valid",
            _("Tariff %(tariff)s has no version valid from %(day)s.")
            % {"tariff": tariff, "day": subscription.tariff_version_from or start},
        )
    elif subscription.tariff_version_from and subscription.tariff_version_from > start:
        problems.add(
            f"{path}.tariff_version_from",
            "tariff_not_valid",
            _("The tariff version is valid only from %s, after the start.")
            % subscription.tariff_version_from,
        )
    for k, addon in enumerate(subscription.addons):
        _check_addon(addon, subscription, f"{path}.addons[{k}]", index, problems)


def _check_addon(
    addon: AddonIn, subscription: SubscriptionIn, addon_path: str, index: Index, problems: Problems
) -> None:
    tariff, start, end = subscription.tariff, subscription.start_date, subscription.end_date
    if addon.article not in index.articles:
        require_known(
            problems, index.articles, addon.article, f"{addon_path}.article", _("article")
        )
    elif addon.article not in index.tariff_addons.get(tariff, set()):
        problems.add(
            f"{addon_path}.article",
            "not_an_addon",
            _("%(article)s is not an add-on option of tariff %(tariff)s.")
            % {"article": addon.article, "tariff": tariff},
        )
    if addon.start_date < start or (end is not None and addon.start_date > end):
        problems.add(
            f"{addon_path}.start_date",
            "invalid",
            _("The add-on must start within the module's term."),
        )
    if addon.end_date is not None and addon.end_date < addon.start_date:
        problems.add(
            f"{addon_path}.end_date", "invalid", _("The end date lies before the start date.")
        )
    elif addon.end_date is not None and end is not None and addon.end_date > end:
        problems.add(
            f"{addon_path}.end_date",
            "invalid",
            _("The add-on must end within the module's term."),
        )
