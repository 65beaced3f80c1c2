"""Request and response bodies for billing runs, invoices, credit notes and charges."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from ninja import Schema
from pydantic import Field

from kontor.api.schemas.common import InSchema, MoneyIn, MoneyOut, QuantityIn, QuantityOut


class RunEntryOut(Schema):
    kind: str = Field(description="failed or refused (safety bound)")
    account_id: int
    customer_number: str
    subscription_id: int | None
    message: str

    @staticmethod
    def resolve_customer_number(obj: Any) -> str:
        return obj.account.customer_number

    @staticmethod
    def resolve_subscription_id(obj: Any) -> int | None:
        return obj.subscription_id_ref


class RunProgressOut(Schema):
    accounts_done: int
    accounts_total: int


class RunCountsOut(Schema):
    charges: int
    invoices: int
    finalized: int


class BillingRunOut(Schema):
    id: int
    as_of: date
    status: str = Field(description="preview, pending, running, done or failed")
    preview: bool
    finalize: bool
    progress: RunProgressOut
    counts: RunCountsOut
    report: dict[str, Any] = Field(
        description="a preview's summary: accounts, lines, net_total, refused, per_account"
    )
    entries: list[RunEntryOut] = Field(description="failed and refused accounts")
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None

    @staticmethod
    def resolve_preview(obj: Any) -> bool:
        return obj.dry_run

    @staticmethod
    def resolve_progress(obj: Any) -> dict[str, int]:
        return {"accounts_done": obj.accounts_done, "accounts_total": obj.accounts_total}

    @staticmethod
    def resolve_counts(obj: Any) -> dict[str, int]:
        return {
            "charges": obj.charges_created,
            "invoices": obj.invoices_created,
            "finalized": obj.invoices_finalized,
        }

    @staticmethod
    def resolve_entries(obj: Any) -> list[Any]:
        return list(obj.entries.select_related("account").order_by("kind", "account_id"))


class BillingRunIn(InSchema):
    as_of: date = Field(description="the billing date: bill everything due up to this day")
    preview: bool = Field(False, description="only compute what would be billed")
    finalize: bool = Field(True, description="number the invoices (else drafts)")


class InvoiceLineOut(Schema):
    position: int
    description: str
    article_number: str
    period_start: date | None
    period_end: date | None
    quantity: QuantityOut
    unit: str
    unit_price: MoneyOut
    net_amount: MoneyOut
    vat_category: str
    vat_rate: MoneyOut

    @staticmethod
    def resolve_vat_category(obj: Any) -> str:
        return obj.tax_category

    @staticmethod
    def resolve_vat_rate(obj: Any) -> Any:
        return obj.tax_rate


class InvoiceTaxOut(Schema):
    vat_category: str
    vat_rate: MoneyOut
    basis: MoneyOut
    amount: MoneyOut
    exemption_reason: str

    @staticmethod
    def resolve_vat_category(obj: Any) -> str:
        return obj.category

    @staticmethod
    def resolve_vat_rate(obj: Any) -> Any:
        return obj.rate


class InvoiceSummaryOut(Schema):
    id: int
    version: int
    number: str | None
    kind: str = Field(description="invoice or credit_note")
    status: str = Field(description="draft or finalized")
    account_id: int
    customer_number: str
    issue_date: date | None
    due_date: date | None
    send_date: date | None
    period_start: date | None
    period_end: date | None
    currency: str
    net_total: MoneyOut
    tax_total: MoneyOut
    gross_total: MoneyOut
    is_test: bool
    corrects_id: int | None
    billing_run_id: int | None

    @staticmethod
    def resolve_customer_number(obj: Any) -> str:
        return obj.account.customer_number


class InvoiceOut(InvoiceSummaryOut):
    header_text: str
    footer_text: str
    snapshot: dict[str, Any] | None = Field(description="seller and buyer as printed")
    lines: list[InvoiceLineOut]
    taxes: list[InvoiceTaxOut] = Field(description="VAT breakdown per category and rate")

    @staticmethod
    def resolve_lines(obj: Any) -> list[Any]:
        return list(obj.lines.order_by("position"))

    @staticmethod
    def resolve_taxes(obj: Any) -> list[Any]:
        return list(obj.taxes.order_by("category", "rate"))


class InvoicePatchIn(InSchema):
    header_text: str | None = None
    footer_text: str | None = None
    send_date: date | None = None
    version: int | None = None


class InvoiceLinePatchIn(InSchema):
    description: str | None = None
    quantity: QuantityIn | None = None
    unit_price: MoneyIn | None = None
    version: int | None = None


class FinalizeIn(InSchema):
    issue_date: date | None = Field(None, description="empty: today")
    version: int | None = None


class CreditNoteIn(InSchema):
    reason: str
    lines: dict[int, MoneyIn] | None = Field(
        None,
        description='net amounts to credit per line position, e.g. {"1": "10.00"}; '
        "empty: the whole invoice",
    )
    finalize: bool = True
    issue_date: date | None = None


class ChargeIn(InSchema):
    description: str
    unit_price: MoneyIn
    quantity: QuantityIn = "1"
    tax_category_id: int
    service_date: date
    article_number: str = ""


class ChargeOut(Schema):
    id: int
    account_id: int
    kind: str
    description: str
    period_start: date
    period_end: date
    quantity: QuantityOut
    unit_price: MoneyOut
    amount: MoneyOut
    tax_category_id: int
    idempotency_key: str | None
    invoiced: bool

    @staticmethod
    def resolve_invoiced(obj: Any) -> bool:
        return hasattr(obj, "invoice_line")


class InvoiceNowIn(InSchema):
    as_of: date | None = Field(None, description="empty: today; charges up to this day")
    finalize: bool = True
