"""The import/export file format `kontor/v1` as pydantic models.

Strict: unknown fields are refused, money is a JSON string or integer (never a float), dates
are ISO 8601. Everything refers to other things by business keys (codes, numbers, names),
never by database ids. `docs/import-format.schema.json` is generated from these models
(`kontor import-schema`); `docs/import-format.md` explains every field.
"""

from __future__ import annotations

import json
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictInt

from kontor.exchange.types import (
    Code10,
    Code20,
    Code40,
    IsoDate,
    Money,
    Name100,
    Name200,
    Opt11,
    Opt20,
    Opt40,
    Opt46,
    Opt50,
    Opt60,
    Opt100,
    Opt200,
    Opt254,
    Percent,
    Quantity,
    Req2,
    Req3,
    Req20,
    Req35,
    Req40,
    Req42,
    Req140,
    Req254,
)

FORMAT = "kontor/v1"


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, str_strip_whitespace=True)


def _f(description: str, example: Any = None, **kwargs: Any) -> Any:
    examples = None if example is None else [example]
    return Field(description=description, examples=examples, **kwargs)


# --- catalog -----------------------------------------------------------------------------


class TaxRateIn(Strict):
    rate: Percent = _f("VAT rate in percent.", "19.00")
    valid_from: IsoDate = _f("First day the rate applies.", "2007-01-01")
    valid_to: IsoDate | None = _f(
        "Last day the rate applies; empty = open-ended (a later rate closes it).",
        "2020-12-31",
        default=None,
    )


class TaxCategoryIn(Strict):
    code: Code10 = _f("EN 16931 VAT category code, unique.", "S")
    name: Name100 = _f("Name shown in the back office.", "Standard rate")
    rates: list[TaxRateIn] = _f("Dated rates of the category.", default_factory=list)


class ArticleTypeIn(Strict):
    code: Code20 = _f("Unique code of the article type.", "service")
    name: Name100 = _f("Name of the article type.", "Service")


class ArticleIn(Strict):
    number: Code40 = _f("Unique article number.", "A-1001")
    name: Name200 = _f("Article name as printed on invoices.", "Extra mailbox")
    type: Code20 = _f("Code of an article type (in this file or already in Kontor).", "service")
    unit: Req20 = _f("UN/ECE Rec. 20 unit code.", "C62", default="C62")
    tax_category: Code10 = _f("Code of a tax category.", "S")
    price: Money = _f("Net unit price (up to 4 decimal places).", "2.50")
    is_addon: StrictBool = _f("Bookable as an add-on option of tariffs.", True, default=False)


class NoticeIn(Strict):
    amount: StrictInt = _f("Length of the notice period.", 1, ge=0, le=120)
    unit: Literal["days", "weeks", "months"] = _f("Unit of the notice period.", "months")
    anchor: Literal["term_end", "month_end", "quarter_end", "any_day"] = _f(
        "To which day notice can be given.", "term_end"
    )


def _default_notice() -> NoticeIn:
    return NoticeIn(amount=1, unit="months", anchor="term_end")


class TariffVersionIn(Strict):
    valid_from: IsoDate = _f("First day these terms apply; unique per tariff.", "2024-01-01")
    price: Money = _f("Net price per billing interval.", "12.90")
    setup_fee: Money = _f("One-off net setup fee.", "0", default="0", validate_default=True)
    billing_interval_months: Literal[1, 2, 3, 6, 12] = _f(
        "Billing interval in months.", 1, default=1
    )
    minimum_term_months: StrictInt = _f("Minimum term in months.", 12, default=0, ge=0, le=120)
    renewal_term_months: StrictInt = _f(
        "Automatic renewal in months (0 = runs on monthly).", 12, default=0, ge=0, le=120
    )
    notice: NoticeIn = _f(
        "Notice period; default: 1 month to the end of the term.",
        {"amount": 1, "unit": "months", "anchor": "term_end"},
        default_factory=_default_notice,
    )
    contract_type: Req40 = _f(
        "Free contract type, used to group invoices.", "service", default="service"
    )
    billing_timing: Literal["advance", "arrears"] = _f(
        "Bill in advance or in arrears.", "advance", default="advance"
    )
    tax_category: Code10 = _f("Code of a tax category.", "S")
    article: Code40 | None = _f(
        "Article number printed for the module (empty: the default article).",
        "A-2000",
        default=None,
    )


class TariffIn(Strict):
    code: Code40 = _f("Unique tariff code; subscriptions refer to it.", "WEB-M")
    name: Name200 = _f("Tariff name.", "Webhosting M")
    addons: list[Code40] = _f(
        "Article numbers bookable as add-on options (articles with is_addon).",
        ["A-1001"],
        default_factory=list,
    )
    versions: list[TariffVersionIn] = _f("Dated terms of the tariff.", min_length=1)


class ModuleIn(Strict):
    code: Code40 = _f("Unique module code.", "WEB")
    name: Name200 = _f("Module (product) name.", "Webhosting")
    description: str = _f("Free text.", "Managed web hosting", default="")
    tariffs: list[TariffIn] = _f("Tariffs of the module.", default_factory=list)


class CatalogIn(Strict):
    tax_categories: list[TaxCategoryIn] = _f("VAT categories with rates.", default_factory=list)
    article_types: list[ArticleTypeIn] = _f("Article types.", default_factory=list)
    articles: list[ArticleIn] = _f(
        "Articles (invoice line items, add-on options).", default_factory=list
    )
    modules: list[ModuleIn] = _f("Modules (products) with their tariffs.", default_factory=list)


# --- customers ---------------------------------------------------------------------------


class CustomerGroupIn(Strict):
    name: Name100 = _f("Group name, unique regardless of case; accounts refer to it.", "Resellers")
    description: str = _f("Free text.", "Partners with reseller discount", default="")


class BranchIn(Strict):
    code: Code20 = _f(
        "Branch code of letters A-Z, digits, '-' and '_', unique regardless of case; accounts "
        "refer to it.",
        "HH",
    )
    name: Name100 = _f("Branch name.", "Hamburg")


class PartyIn(Strict):
    kind: Literal["company", "person"] = _f("Company or natural person.", "company")
    company_name: Opt200 = _f("Required for a company.", "Muster GmbH", default="")
    first_name: Opt100 = _f("First name (person).", "Erika", default="")
    last_name: Opt100 = _f("Required for a person.", "Muster", default="")
    contact_person: Opt200 = _f("Contact person (company).", "Erika Muster", default="")
    street: Name200 = _f("Street and number.", "Hauptstraße 1")
    address_extra: Opt200 = _f("Address supplement.", "3. OG", default="")
    postal_code: Req20 = _f("Postal code.", "10115")
    city: Name100 = _f("City.", "Berlin")
    country: Req2 = _f("ISO 3166-1 alpha-2 country code.", "DE", default="DE")
    email: Opt254 = _f("E-mail of the contract party.", "info@muster.example", default="")
    phone: Opt50 = _f("Phone number.", "+49 30 123456", default="")


class BillingAddressIn(Strict):
    name: Name200 = _f("Name printed on invoices.", "Muster GmbH Buchhaltung")
    street: Name200 = _f("Street and number.", "Postfach 12 34")
    address_extra: Opt200 = _f("Address supplement.", "Abteilung Finanzen", default="")
    postal_code: Req20 = _f("Postal code.", "10117")
    city: Name100 = _f("City.", "Berlin")
    country: Req2 = _f("ISO 3166-1 alpha-2 country code.", "DE")


class RecipientIn(Strict):
    email: Req254 = _f("Invoice e-mail address.", "rechnung@muster.example")
    delivery_mode: Literal["attachment", "link"] = _f(
        "PDF attached or a download link.", "attachment", default="attachment"
    )


class MandateIn(Strict):
    reference: Req35 = _f("SEPA mandate reference, unique across Kontor.", "MR-10001")
    signed_on: IsoDate = _f("Date of signature.", "2023-11-20")
    scheme: Literal["CORE", "B2B"] = _f("SEPA scheme.", "CORE", default="CORE")
    status: Literal["active", "revoked", "expired"] = _f(
        "At most one active mandate per account.", "active", default="active"
    )
    ended_on: IsoDate | None = _f(
        "Required when status is revoked or expired.", "2023-11-19", default=None
    )


class BankAccountIn(Strict):
    holder: Req140 = _f("Account holder.", "Muster GmbH")
    iban: Req42 = _f("IBAN (spaces allowed).", "DE89 3704 0044 0532 0130 00")
    bic: Opt11 = _f("BIC; empty: derived from the IBAN.", "COBADEFFXXX", default="")
    mandate: MandateIn | None = _f(
        "SEPA direct debit mandate on this bank account.", None, default=None
    )


class AddonIn(Strict):
    article: Code40 = _f("Number of an add-on article of the subscription's tariff.", "A-1001")
    quantity: Quantity = _f("Quantity.", "2", default="1", validate_default=True)
    start_date: IsoDate = _f("First day; within the subscription's term.", "2024-02-01")
    end_date: IsoDate | None = _f(
        "Last day; empty: until the subscription ends.", "2024-06-30", default=None
    )


class SubscriptionIn(Strict):
    contract: Opt40 | None = _f(
        "Contract reference; empty: the customer number.", "V-2024-001", default=None
    )
    tariff: Code40 = _f("Tariff code.", "WEB-M")
    tariff_version_from: IsoDate | None = _f(
        "valid_from of the tariff version; empty: the version valid on start_date.",
        "2024-01-01",
        default=None,
    )
    quantity: Quantity = _f("Quantity.", "1", default="1", validate_default=True)
    start_date: IsoDate = _f("First day of service.", "2024-01-01")
    end_date: IsoDate | None = _f(
        "Last day of service (ended or cancelled).", "2024-12-31", default=None
    )
    notice_given_on: IsoDate | None = _f(
        "Day the cancellation was received; with it the subscription counts as cancelled.",
        "2024-09-15",
        default=None,
    )
    billed_until: IsoDate | None = _f(
        "Last day the previous system billed; Kontor bills from the day after (no setup fee).",
        "2026-11-30",
        default=None,
    )
    deviating_price: Money | None = _f(
        "Price per interval instead of the tariff's (needs the billing setting).",
        "9.90",
        default=None,
    )
    addons: list[AddonIn] = _f("Booked add-on options.", default_factory=list)


class AccountIn(Strict):
    customer_number: Opt40 | None = _f(
        "Unique; empty: the next number from the configured format.", "K-00042", default=None
    )
    external_customer_number: Opt60 = _f(
        "The number in the previous system.", "OLD-4711", default=""
    )
    contract_party: PartyIn = _f("Who the contract is with.")
    billing_address: BillingAddressIn | None = _f(
        "Printed instead of the contract party's address.", None, default=None
    )
    recipients: list[RecipientIn] = _f("Invoice e-mail recipients.", default_factory=list)
    deviating_invoice_email: Opt254 = _f(
        "Additional invoice e-mail (PDF attached).", "buchhaltung@muster.example", default=""
    )
    po_number: Opt60 = _f("Purchase order number printed on invoices.", "PO-99", default="")
    vat_treatment: Literal["domestic", "reverse_charge", "not_taxable"] = _f(
        "VAT treatment; reverse_charge needs a valid EU VAT ID.", "domestic", default="domestic"
    )
    vat_id: Opt20 = _f("VAT ID.", "DE136695976", default="")
    leitweg_id: Opt46 = _f(
        "Leitweg-ID for XRechnung (public-sector customers).", "04011000-1234512345-06", default=""
    )
    payment_terms_days: StrictInt | None = _f(
        "Payment term override in days; empty: the billing setting.",
        30,
        default=None,
        ge=0,
        le=365,
    )
    payment_method: Literal["sepa_dd", "transfer"] = _f(
        "SEPA direct debit or bank transfer.", "sepa_dd", default="sepa_dd"
    )
    is_test: StrictBool = _f("Test account (not billed for real).", False, default=False)
    deliver_by_post: StrictBool | None = _f(
        "Invoices also by post; empty: the billing settings' default.", True, default=None
    )
    group: Opt100 | None = _f("Customer group name.", "Resellers", default=None)
    branch: Opt20 | None = _f("Branch code.", "HH", default=None)
    language: Literal["de", "en", "sv"] = _f("Language of documents.", "de", default="de")
    currency: Req3 = _f("ISO 4217 currency code.", "EUR", default="EUR")
    contract_period_start: IsoDate | None = _f(
        "Override of the contract period start; empty: the oldest module's start.",
        "2023-01-01",
        default=None,
    )
    bank_accounts: list[BankAccountIn] = _f("Bank accounts with mandates.", default_factory=list)
    subscriptions: list[SubscriptionIn] = _f("Booked modules.", default_factory=list)


class ImportFile(Strict):
    """A Kontor import/export file."""

    model_config = ConfigDict(title="Kontor import file (kontor/v1)")

    format: Literal["kontor/v1"] = _f("Format and version of the file.", FORMAT)
    catalog: CatalogIn = _f("Products and prices.", default_factory=CatalogIn)
    customer_groups: list[CustomerGroupIn] = _f("Customer groups.", default_factory=list)
    branches: list[BranchIn] = _f("Branch offices.", default_factory=list)
    accounts: list[AccountIn] = _f(
        "Customer accounts with bank accounts and subscriptions.", default_factory=list
    )


def json_schema() -> dict[str, Any]:
    """The JSON Schema of the file format, as committed in docs/import-format.schema.json."""
    schema = ImportFile.model_json_schema(mode="validation")
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        **schema,
    }


def json_schema_text() -> str:
    return json.dumps(json_schema(), indent=2, ensure_ascii=False) + "\n"
