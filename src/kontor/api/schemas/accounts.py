"""Request and response bodies for accounts and what hangs off them."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from ninja import Schema
from pydantic import Field, IPvAnyAddress

from kontor.api.schemas.common import InSchema


class PartyIn(InSchema):
    kind: str = Field(examples=["company"], description="company or person")
    company_name: str = ""
    first_name: str = ""
    last_name: str = ""
    contact_person: str = ""
    street: str = ""
    address_extra: str = ""
    postal_code: str = ""
    city: str = ""
    country: str = "DE"
    email: str = ""
    phone: str = ""


class PartyOut(Schema):
    kind: str
    display_name: str
    company_name: str
    first_name: str
    last_name: str
    contact_person: str
    street: str
    address_extra: str
    postal_code: str
    city: str
    country: str
    email: str
    phone: str
    version: int


class RecipientIn(InSchema):
    email: str
    delivery_mode: str = Field("attachment", description="attachment or link")


class RecipientOut(Schema):
    email: str
    delivery_mode: str


class AccountFieldsIn(InSchema):
    """The account's own fields. Payment terms, the test flag and the contract period start
    are for managers only."""

    external_customer_number: str | None = None
    billing_name: str | None = None
    billing_street: str | None = None
    billing_address_extra: str | None = None
    billing_postal_code: str | None = None
    billing_city: str | None = None
    billing_country: str | None = None
    deviating_invoice_email: str | None = None
    po_number: str | None = None
    vat_treatment: str | None = Field(None, description="domestic, reverse_charge, not_taxable")
    vat_id: str | None = None
    leitweg_id: str | None = None
    payment_term_days: int | None = None
    payment_method: str | None = Field(None, description="sepa_dd or transfer")
    is_test: bool | None = None
    deliver_by_post: bool | None = Field(
        None, description="invoices also by post; null: the billing settings' default"
    )
    group: int | None = Field(None, description="customer group id")
    branch: int | None = Field(None, description="branch id")
    owner: int | None = Field(None, description="portal user id")
    language: str | None = Field(None, description="de, en or sv")
    currency: str | None = None
    contract_period_start: date | None = None


class AccountCreateIn(AccountFieldsIn):
    contract_party: PartyIn
    recipients: list[RecipientIn] = []
    customer_number: str | None = Field(None, description="empty: the next number")


class AccountPatchIn(AccountFieldsIn):
    version: int | None = Field(None, description="alternative to the If-Match header")
    contract_party: Any = Field(None, description="not changeable here: use a change request")


class RecipientsIn(InSchema):
    recipients: list[RecipientIn]
    version: int | None = None


class BankAccountIn(InSchema):
    holder: str
    iban: str = Field(examples=["DE89370400440532013000"])
    bic: str = ""


class BankAccountOut(Schema):
    id: int
    holder: str
    iban: str
    bic: str
    created_at: datetime


class MandateIn(InSchema):
    bank_account_id: int
    reference: str
    signed_on: date
    scheme: str = Field("CORE", description="CORE or B2B")


class MandateRevokeIn(InSchema):
    ended_on: date | None = Field(None, description="empty: today")


class MandateOut(Schema):
    id: int
    account_id: int
    bank_account_id: int
    reference: str
    signed_on: date
    scheme: str
    status: str
    ended_on: date | None


class AccountSummaryOut(Schema):
    id: int
    customer_number: str
    external_customer_number: str
    status: str
    name: str
    group: int | None
    branch: int | None
    version: int

    @staticmethod
    def resolve_name(obj: Any) -> str:
        return obj.contract_party.display_name

    @staticmethod
    def resolve_group(obj: Any) -> int | None:
        return obj.group_id

    @staticmethod
    def resolve_branch(obj: Any) -> int | None:
        return obj.branch_id


class AccountOut(Schema):
    id: int
    customer_number: str
    external_customer_number: str
    status: str
    version: int
    contract_party: PartyOut
    billing_name: str
    billing_street: str
    billing_address_extra: str
    billing_postal_code: str
    billing_city: str
    billing_country: str
    deviating_invoice_email: str
    po_number: str
    vat_treatment: str
    vat_id: str
    leitweg_id: str
    payment_term_days: int | None
    payment_method: str
    is_test: bool
    deliver_by_post: bool | None = Field(
        description="invoices also by post; null: the billing settings' default"
    )
    group: int | None
    branch: int | None
    owner: int | None
    language: str
    currency: str
    contract_period_start: date | None
    created_at: datetime
    anonymised_at: datetime | None
    recipients: list[RecipientOut]
    bank_accounts: list[BankAccountOut]
    mandates: list[MandateOut]

    @staticmethod
    def resolve_group(obj: Any) -> int | None:
        return obj.group_id

    @staticmethod
    def resolve_branch(obj: Any) -> int | None:
        return obj.branch_id

    @staticmethod
    def resolve_owner(obj: Any) -> int | None:
        return obj.owner_id

    @staticmethod
    def resolve_recipients(obj: Any) -> list[Any]:
        return list(obj.recipients.order_by("id"))

    @staticmethod
    def resolve_bank_accounts(obj: Any) -> list[Any]:
        return list(obj.bank_accounts.order_by("id"))

    @staticmethod
    def resolve_mandates(obj: Any) -> list[Any]:
        return list(obj.mandates.order_by("id"))


class EvidenceOut(Schema):
    id: int
    name: str
    description: str
    sha256: str

    @staticmethod
    def resolve_name(obj: Any) -> str:
        return obj.file.name.rsplit("/", 1)[-1]


class ChangeRequestOut(Schema):
    id: int
    account_id: int
    status: str
    proposed: dict[str, Any]
    previous: dict[str, Any] | None
    reason: str
    requested_at: datetime
    decided_at: datetime | None
    decision_note: str
    evidence: list[EvidenceOut]

    @staticmethod
    def resolve_evidence(obj: Any) -> list[Any]:
        return list(obj.evidence.order_by("id"))


class DecisionIn(InSchema):
    note: str = ""


class LegalAcceptanceIn(InSchema):
    document_id: int
    accepted_at: datetime = Field(examples=["2025-03-01T10:15:00+01:00"])
    ip_address: IPvAnyAddress | None = None


class LegalAcceptanceOut(Schema):
    id: int
    account_id: int
    document_id: int
    accepted_at: datetime
    ip_address: str | None
