"""Turn charges into invoices, in bulk: grouping, lines, VAT, numbers, snapshots.

Used by billing runs (thousands of accounts per call) and by the single-invoice services.
Everything here runs inside the caller's transaction; numbers are taken under the series
counter's row lock, so a rollback returns them and the series stays gapless.
"""

from __future__ import annotations

import dataclasses
import functools
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet

from kontor.billing.models import (
    BillingSettings,
    Charge,
    CollectiveProfile,
    InvoiceSplit,
    SellerProfile,
)
from kontor.catalog.models import TaxRate
from kontor.contracts.models import Contract
from kontor.core import clock
from kontor.core.bulk import bulk_insert, bulk_insert_rows
from kontor.customers.models import Account, Branch
from kontor.customers.selectors import account_snapshots
from kontor.invoicing.models import (
    Invoice,
    InvoiceKind,
    InvoiceLine,
    InvoiceStatus,
    InvoiceTax,
    NumberSeries,
    OutboxEntry,
)
from kontor.invoicing.numbering import series_for, take_numbers
from kontor.invoicing.taxes import EXEMPTION_REASONS, TaxableLine, compute_totals, line_category

ZERO = Decimal("0.00")
ZERO_RATED = {"AE", "O", "E", "Z", "K", "G"}
COLLECTIVE_KEY = "collective:"


@dataclass(frozen=True, slots=True)
class OpenCharge:
    """An uninvoiced charge as plain values (what an invoice line needs of it)."""

    pk: int
    account_id: int
    subscription_id: int | None
    contract_id: int | None
    contract_type: str
    kind: str
    period_start: date
    period_end: date
    description: str
    quantity: Decimal
    unit: str
    unit_price: Decimal
    amount: Decimal
    tax_category_id: int
    article_number: str
    collective_profile_id: int | None = None


def open_charge_rows(charges: QuerySet[Charge]) -> list[OpenCharge]:
    """The charges of `charges` as plain rows, in its order (a billing chunk reads
    thousands; model instances cost more than the query)."""
    return [OpenCharge(*row) for row in charges.values_list(*_field_names(OpenCharge))]


@dataclass
class PlannedInvoice:
    account_id: int
    grouping_key: str
    charges: list[Any]  # Charge or OpenCharge
    kind: str = InvoiceKind.INVOICE
    lines: list[dict[str, Any]] = field(default_factory=list)  # InvoiceLine rows
    invoice: Invoice | None = None


class TaxRates:
    """Dated rates per tax category, loaded once per run."""

    def __init__(self) -> None:
        self._rates: dict[int, list[TaxRate]] = defaultdict(list)
        self._found: dict[tuple[int, date], tuple[str, Decimal]] = {}
        for rate in TaxRate.objects.select_related("category").order_by("valid_from"):
            self._rates[rate.category_id].append(rate)

    def on(self, category_id: int, day: date) -> tuple[str, Decimal]:
        key = (category_id, day)
        if key not in self._found:
            self._found[key] = self._lookup(category_id, day)
        return self._found[key]

    def _lookup(self, category_id: int, day: date) -> tuple[str, Decimal]:
        found = None
        for rate in self._rates.get(category_id, []):
            if rate.valid_from <= day and (rate.valid_to is None or rate.valid_to >= day):
                found = rate
        if found is None:
            raise LookupError(f"no VAT rate for tax category {category_id} on {day}")
        return found.category.code, found.rate


def plan_invoices(
    charges: Iterable[Charge] | Iterable[OpenCharge], split: str
) -> list[PlannedInvoice]:
    """Group uninvoiced charges into invoices per the billing setting `invoice_split`; the
    collected charges of an account go on one collective invoice per profile."""
    groups: dict[tuple[int, str], list[Any]] = defaultdict(list)
    for charge in charges:
        if charge.collective_profile_id:
            key = f"{COLLECTIVE_KEY}{charge.collective_profile_id}"
        elif split == InvoiceSplit.CONTRACT and charge.contract_id:
            key = f"contract:{charge.contract_id}"
        elif split == InvoiceSplit.CONTRACT_TYPE and charge.contract_type:
            key = f"type:{charge.contract_type}"
        else:
            key = ""
        groups[(charge.account_id, key)].append(charge)
    return [
        PlannedInvoice(account_id, key, sorted(items, key=_charge_order))
        for (account_id, key), items in sorted(groups.items())
    ]


def _charge_order(charge: Any) -> tuple[Any, ...]:
    return (charge.subscription_id or 0, charge.period_start, charge.kind, charge.pk or 0)


def issue_invoices(
    plans: Sequence[PlannedInvoice],
    *,
    as_of: date,
    finalize: bool,
    actor: Any,
    run_id: int | None = None,
    settings: BillingSettings | None = None,
    rates: TaxRates | None = None,
) -> list[Invoice]:
    """Create the invoices of `plans` (drafts, or finalized with numbers when `finalize`)."""
    settings = settings or BillingSettings.load()
    rates = rates or TaxRates()
    snapshots = account_snapshots(sorted({plan.account_id for plan in plans}))
    series: dict[tuple[str, bool, str], NumberSeries] = {}
    branches = _invoice_branches(plans, snapshots, settings)
    by_post = _post_flags(plans, settings)
    terms = _collective_terms(plans)
    kept = []
    for plan in plans:
        snapshot = snapshots[plan.account_id]
        branch_id, branch_code = branches[id(plan)]
        _build_lines(plan, snapshot.vat_treatment, rates, as_of)
        totals = compute_totals(
            TaxableLine(x["tax_category"], x["tax_rate"], x["net_amount"]) for x in plan.lines
        )
        if totals.gross == 0 and not settings.create_zero_invoices:
            continue
        plan.kind = InvoiceKind.CREDIT_NOTE if totals.gross < 0 else InvoiceKind.INVOICE
        key = (plan.kind, snapshot.is_test, branch_code)
        if key not in series:
            series[key] = series_for(
                plan.kind, is_test=key[1], branch_code=key[2], settings=settings
            )
        plan.invoice = Invoice(
            account_id=plan.account_id,
            kind=plan.kind,
            grouping_key=plan.grouping_key,
            series=series[key],
            currency=snapshot.currency,
            net_total=totals.net,
            tax_total=totals.tax,
            gross_total=totals.gross,
            billing_run_id=run_id,
            branch_id=branch_id,
            is_test=snapshot.is_test,
            deliver_by_post=by_post[plan.account_id],
            period_start=min(x["period_start"] for x in plan.lines if x["period_start"]),
            period_end=max(x["period_end"] for x in plan.lines if x["period_end"]),
        )
        if plan.grouping_key.startswith(COLLECTIVE_KEY):
            profile_id = int(plan.grouping_key.removeprefix(COLLECTIVE_KEY))
            plan.invoice.is_collective = True
            plan.invoice.collective_profile_id = profile_id
            plan.invoice.payment_term_days = terms[profile_id]
        plan.invoice._totals = totals  # type: ignore[attr-defined]
        kept.append(plan)
    invoices = [plan.invoice for plan in kept if plan.invoice is not None]
    if finalize:
        assign_numbers(invoices, issue_date=as_of, actor=actor, snapshots=snapshots)
    bulk_insert(invoices)
    _store_children(kept)
    if finalize:
        record_finalized(invoices, new=True)
    return invoices


def _post_flags(plans: Sequence[PlannedInvoice], settings: BillingSettings) -> dict[int, bool]:
    """account id → delivered by post: the account's own choice, else the setting."""
    own = dict(
        Account.objects.filter(
            pk__in={plan.account_id for plan in plans}, deliver_by_post__isnull=False
        ).values_list("pk", "deliver_by_post")
    )
    return defaultdict(lambda: settings.deliver_by_post_default, own)


def _collective_terms(plans: Sequence[PlannedInvoice]) -> dict[int, int | None]:
    """profile id → the payment term of its collective invoices (None: the account's)."""
    ids = {
        int(plan.grouping_key.removeprefix(COLLECTIVE_KEY))
        for plan in plans
        if plan.grouping_key.startswith(COLLECTIVE_KEY)
    }
    if not ids:
        return {}
    return dict(CollectiveProfile.objects.filter(pk__in=ids).values_list("pk", "payment_term_days"))


def _invoice_branches(
    plans: Sequence[PlannedInvoice], snapshots: dict[int, Any], settings: BillingSettings
) -> dict[int, tuple[int | None, str]]:
    """The branch of each planned invoice: the account's (registration) branch, or — when the
    setting says so — the branch of the invoice's contract, falling back to the account's."""
    codes = dict(Branch.objects.values_list("code", "pk"))
    by_contract: dict[int, tuple[int, str]] = {}
    if not settings.branch_from_account:
        contract_ids = {c.contract_id for plan in plans for c in plan.charges if c.contract_id}
        by_contract = {
            pk: (branch_id, code)
            for pk, branch_id, code in Contract.objects.filter(
                pk__in=contract_ids, branch__isnull=False
            ).values_list("pk", "branch_id", "branch__code")
        }
    result = {}
    for plan in plans:
        code = snapshots[plan.account_id].branch_code
        chosen = (codes.get(code), code)
        for charge in plan.charges:
            if charge.contract_id in by_contract:
                chosen = by_contract[charge.contract_id]
                break
        result[id(plan)] = chosen
    return result


def _build_lines(plan: PlannedInvoice, vat_treatment: str, rates: TaxRates, as_of: date) -> None:
    plan.lines = []
    for position, charge in enumerate(plan.charges, start=1):
        code, rate = rates.on(charge.tax_category_id, charge.period_end or as_of)
        category = line_category(vat_treatment, code)
        plan.lines.append(
            {
                "position": position,
                "description": charge.description[:300],
                "period_start": charge.period_start,
                "period_end": charge.period_end,
                "quantity": charge.quantity,
                "unit": charge.unit,
                "unit_price": charge.unit_price,
                "net_amount": charge.amount,
                "tax_category": category,
                "tax_rate": ZERO if category in ZERO_RATED and category != code else rate,
                "article_number": charge.article_number,
                "charge_id": charge.pk,
            }
        )


def _store_children(plans: Sequence[PlannedInvoice]) -> None:
    lines, taxes = [], []
    for plan in plans:
        invoice = plan.invoice
        assert invoice is not None and invoice.pk is not None
        for line in plan.lines:
            line["invoice_id"] = invoice.pk
            lines.append(line)
        totals = invoice._totals  # type: ignore[attr-defined]
        taxes += [
            {
                "invoice_id": invoice.pk,
                "category": g.category,
                "rate": g.rate,
                "basis": g.basis,
                "amount": g.amount,
                "exemption_reason": EXEMPTION_REASONS.get(g.category, {}).get("de", ""),
            }
            for g in totals.groups
        ]
    bulk_insert_rows(InvoiceLine, lines)
    bulk_insert_rows(InvoiceTax, taxes)


def assign_numbers(
    invoices: Sequence[Invoice],
    *,
    issue_date: date,
    actor: Any,
    snapshots: dict[int, Any] | None = None,
) -> None:
    """Number, date and snapshot invoices in memory (the caller saves them). Numbers follow
    the order of `invoices` within each series."""
    seller = seller_snapshot()
    snapshots = snapshots or account_snapshots(sorted({i.account_id for i in invoices}))
    by_series: dict[int, list[Invoice]] = defaultdict(list)
    for invoice in invoices:
        by_series[invoice.series_id].append(invoice)
    now = clock.now()
    for items in by_series.values():
        numbers = take_numbers(items[0].series, issue_date, len(items))
        for invoice, number in zip(items, numbers, strict=True):
            buyer = snapshots[invoice.account_id]
            invoice.number = number
            invoice.status = InvoiceStatus.FINALIZED
            invoice.issue_date = issue_date
            term = invoice.payment_term_days
            term = buyer.payment_term_days if term is None else term
            invoice.due_date = issue_date + timedelta(days=term)
            invoice.send_date = invoice.send_date or issue_date
            invoice.snapshot = {
                "seller": seller,
                "buyer": {**plain(buyer), "payment_term_days": term},
            }
            invoice.finalized_at = now
            invoice.finalized_by = actor if getattr(actor, "pk", None) else None


def record_finalized(invoices: Sequence[Invoice], *, new: bool = False) -> None:
    """The business event for documents and delivery: one outbox entry per invoice. `new`:
    the invoices were created in this transaction, so no entry for them can exist yet."""
    bulk_insert_rows(
        OutboxEntry,
        [
            {
                "topic": "invoice.finalized",
                "key": str(i.pk),
                "payload": {"invoice_id": i.pk, "number": i.number},
            }
            for i in invoices
        ],
        ignore_conflicts=not new,
    )


def seller_snapshot() -> dict[str, Any]:
    seller = SellerProfile.load()
    fields = [
        f.name for f in SellerProfile._meta.concrete_fields if f.name not in {"id", "version"}
    ]
    return {name: getattr(seller, name) for name in fields}


_ATOMS = frozenset({str, int, bool, float, Decimal, date, type(None)})


def plain(value: Any) -> Any:
    """`dataclasses.asdict` without its deep copies (strings and numbers are immutable):
    snapshots of thousands of accounts per chunk."""
    if type(value) in _ATOMS:
        return value
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        result = {name: getattr(value, name) for name in _field_names(type(value))}
        for name, item in result.items():
            if type(item) not in _ATOMS:
                result[name] = plain(item)
        return result
    if isinstance(value, tuple):
        return tuple(plain(item) for item in value)
    if isinstance(value, list):
        return [plain(item) for item in value]
    if isinstance(value, dict):
        return {key: plain(item) for key, item in value.items()}
    return value


@functools.cache
def _field_names(cls: type) -> tuple[str, ...]:
    return tuple(f.name for f in dataclasses.fields(cls))
