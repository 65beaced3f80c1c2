"""Request and response bodies for collective invoices: profiles, an account's collective
status (spending limit), collective drafts, combining, invoices in advance."""

from __future__ import annotations

from datetime import date
from typing import Any

from ninja import Schema
from pydantic import Field

from kontor.api.schemas.common import InSchema, MoneyIn, MoneyOut


class GroupRefOut(Schema):
    id: int
    name: str


class CollectiveProfileOut(Schema):
    id: int
    version: int
    name: str
    interval: str = Field(description="monthly or yearly")
    day_of_month: int = Field(description="the billing day; 29-31 mean the month's end")
    month_of_year: int | None = Field(description="yearly profiles only")
    spending_limit: MoneyOut | None = Field(description="net per interval; null: no limit")
    payment_term_days: int | None = Field(description="null: the account's payment term")
    customer_groups: list[GroupRefOut] = Field(description="the groups that use the profile")

    @staticmethod
    def resolve_customer_groups(obj: Any) -> list[Any]:
        return sorted(obj.groups.all(), key=lambda group: (group.name, group.pk))


class CollectiveProfileIn(InSchema):
    name: str
    interval: str = Field(description="monthly or yearly")
    day_of_month: int = 1
    month_of_year: int | None = None
    spending_limit: MoneyIn | None = None
    payment_term_days: int | None = None


class CollectiveProfilePatchIn(InSchema):
    name: str | None = None
    interval: str | None = None
    day_of_month: int | None = None
    month_of_year: int | None = None
    spending_limit: MoneyIn | None = None
    payment_term_days: int | None = None
    version: int | None = None


class CollectiveStatusOut(Schema):
    profile_id: int | None = Field(description="null: the account does not collect")
    profile_name: str
    interval: str
    next_billing_date: date | None
    interval_start: date | None
    spending_limit: MoneyOut | None
    collected: MoneyOut = Field(description="charged in this interval, waiting for its date")
    upcoming: MoneyOut = Field(description="what contracts will still charge in the interval")
    remaining: MoneyOut | None = Field(description="credit left; null: no limit")
    pending_items: int = Field(description="collected items not yet invoiced")
    pending_amount: MoneyOut
    pending_first_date: date | None = Field(description="the earliest billing date of those")


class CollectiveDraftOut(Schema):
    id: int
    version: int
    account_id: int
    customer_number: str
    period_start: date | None
    period_end: date | None
    currency: str
    net_total: MoneyOut
    gross_total: MoneyOut
    send_date: date | None = Field(description="finalized and sent on this day; null: not yet")
    line_count: int

    @staticmethod
    def resolve_customer_number(obj: Any) -> str:
        return obj.account.customer_number


class CombineIn(InSchema):
    invoice_ids: list[int] = Field(description="at least two drafts of the same account")
    send_date: date | None = Field(
        None, description="absent: the earliest send date of the drafts; null: none yet"
    )


class InvoicesInAdvanceIn(InSchema):
    until: date = Field(description="draft every billing period that starts up to this day")
