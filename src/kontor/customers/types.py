"""Plain data crossing app boundaries: input for services and the frozen snapshot that
issued documents keep of an account."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class PostalAddress:
    name: str
    street: str
    postal_code: str
    city: str
    country: str
    address_extra: str = ""
    contact_person: str = ""

    def lines(self) -> list[str]:
        """The address block as printed (DIN 5008 order)."""
        result = [self.name]
        if self.contact_person:
            result.append(self.contact_person)
        result += [line for line in (self.address_extra, self.street) if line]
        result.append(f"{self.postal_code} {self.city}".strip())
        return result


@dataclass(frozen=True)
class PartyData:
    """Input for a contract party (create, or a change request)."""

    kind: str
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

    def as_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


@dataclass(frozen=True)
class RecipientData:
    email: str
    delivery_mode: str = "attachment"


@dataclass(frozen=True)
class UploadedDocument:
    name: str
    content: bytes
    description: str = ""


@dataclass(frozen=True)
class AccountSnapshot:
    """Everything an issued document prints about the account, frozen at issue time.

    Invoices store `as_dict()` as JSON; later changes to the account never touch it.
    """

    account_id: int
    customer_number: str
    contract_party: PostalAddress
    billing_address: PostalAddress
    vat_treatment: str
    vat_id: str
    leitweg_id: str
    po_number: str
    payment_method: str
    payment_term_days: int
    language: str
    currency: str
    invoice_emails: tuple[tuple[str, str], ...] = field(default_factory=tuple)
    mandate_reference: str = ""
    mandate_signed_on: str = ""
    iban: str = ""
    bic: str = ""
    branch_code: str = ""
    is_test: bool = False

    def as_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> AccountSnapshot:
        values = dict(data)
        values["contract_party"] = PostalAddress(**values["contract_party"])
        values["billing_address"] = PostalAddress(**values["billing_address"])
        values["invoice_emails"] = tuple(tuple(pair) for pair in values.get("invoice_emails", ()))
        return cls(**values)
