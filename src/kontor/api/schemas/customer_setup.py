"""Request and response bodies for customer groups, branches and legal documents."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.urls import reverse
from ninja import Schema
from pydantic import Field

from kontor.api.schemas.common import InSchema


class CustomerGroupOut(Schema):
    id: int
    version: int
    name: str
    description: str
    collective_profile: int | None = Field(description="id of the collective invoice profile")

    @staticmethod
    def resolve_collective_profile(obj: Any) -> int | None:
        return obj.collective_profile_id


class CustomerGroupIn(InSchema):
    name: str = Field(description="unique, case-insensitively", examples=["Vereine"])
    description: str = ""
    collective_profile: int | None = Field(None, description="a collective invoice profile id")


class CustomerGroupPatchIn(InSchema):
    name: str | None = None
    description: str | None = None
    collective_profile: int | None = Field(None, description="a profile id; null takes it away")
    version: int | None = Field(None, description="required with name or description")


class BranchOut(Schema):
    id: int
    version: int
    code: str
    name: str


class BranchIn(InSchema):
    code: str = Field(description="A-Z, 0-9, '-', '_'; at most 20; unique", examples=["HH"])
    name: str = Field(examples=["Hamburg"])


class BranchPatchIn(InSchema):
    code: str | None = Field(None, description="only while nothing uses the branch")
    name: str | None = None
    version: int | None = None


class LegalDocumentOut(Schema):
    id: int
    doc_type: str = Field(description="terms, privacy or dpa")
    version: str = Field(description="the document's version label, e.g. v3")
    valid_from: date
    sha256: str = Field(description="SHA-256 of the file (hex); empty for files from before")
    acceptances: int = Field(description="accounts that accepted it; > 0: immutable")
    content_url: str | None = Field(description="download; null when there is no file")

    @staticmethod
    def resolve_acceptances(obj: Any) -> int:
        from kontor.customers.services.legal import legal_document_acceptances

        count = getattr(obj, "acceptance_count", None)
        return legal_document_acceptances(obj) if count is None else count

    @staticmethod
    def resolve_content_url(obj: Any) -> str | None:
        if not obj.file:
            return None
        return reverse("api-v1:legal_document_content", args=[obj.pk])
