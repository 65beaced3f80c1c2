"""One-off charges (setup fees booked by hand, later return-debit and dunning fees, postal
surcharges): pending until the next billing run picks them up, or invoiced at once. An
account with a collective invoice profile collects them for its next collective invoice, and
its spending limit applies."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from kontor.billing.collective import collect_charge
from kontor.billing.collective_limits import spending_check
from kontor.billing.models import BillingSettings, Charge, ChargeKind
from kontor.catalog.models import TaxCategory
from kontor.core import clock
from kontor.core.audit import audit
from kontor.core.errors import Conflict, invalid
from kontor.core.money import MoneyError, round_money, to_decimal
from kontor.core.permissions import Action, require
from kontor.customers.selectors import active_account_or_404
from kontor.invoicing.issue import issue_invoices, plan_invoices
from kontor.invoicing.models import Invoice


@transaction.atomic
def charge_create(
    *,
    actor: Any,
    account_id: int,
    description: str,
    unit_price: Decimal | str,
    tax_category_id: int,
    service_date: date,
    quantity: Decimal | str = "1",
    idempotency_key: str | None = None,
    article_number: str = "",
    enforce_limit: bool = True,
) -> Charge:
    """A pending one-off charge. With an idempotency key, the same key never charges twice.
    `enforce_limit=False`: fees Kontor books itself for something already done (postage,
    later return-debit and dunning fees) are never refused by a spending limit; they still
    count against it."""
    require(actor, Action.CHARGE_CREATE)
    account = active_account_or_404(account_id)
    if not description.strip():
        raise invalid("description", _("This field is required."), "required")
    try:
        price = to_decimal(unit_price, places=4)
        qty = to_decimal(quantity, places=3)
    except MoneyError as exc:
        raise invalid("unit_price", str(exc)) from exc
    if not TaxCategory.objects.filter(pk=tax_category_id).exists():
        raise invalid(
            "tax_category", _("Tax category %s does not exist.") % tax_category_id, "not_found"
        )
    charge = Charge(
        account=account,
        kind=ChargeKind.ONE_OFF,
        period_start=service_date,
        period_end=service_date,
        description=description.strip()[:300],
        quantity=qty,
        unit_price=price,
        amount=round_money(price * qty),
        tax_category_id=tax_category_id,
        article_number=article_number,
        idempotency_key=idempotency_key or None,
    )
    collect_charge(charge)
    try:
        with transaction.atomic():
            charge.save()
    except IntegrityError as exc:
        existing = Charge.objects.filter(idempotency_key=charge.idempotency_key).first()
        if existing is not None and _same_charge(existing, charge):
            return existing  # a replay of the same request: the charge exists already
        raise Conflict(
            _("This idempotency key was used for a different charge."),
            code="idempotency_key_reused",
            field="idempotency_key",
        ) from exc
    if enforce_limit:
        spending_check(account_id=account.pk, day=service_date, new_amount=charge.amount)
    audit(actor, "charge.created", account, amount=charge.amount, description=description)
    return charge


def _same_charge(a: Charge, b: Charge) -> bool:
    fields = (
        "account_id",
        "description",
        "quantity",
        "unit_price",
        "tax_category_id",
        "period_start",
    )
    return all(getattr(a, name) == getattr(b, name) for name in fields)


@transaction.atomic
def account_invoice_now(
    *, actor: Any, account_id: int, as_of: date | None = None, finalize: bool = True
) -> list[Invoice]:
    """Invoice an account's pending charges now, outside a billing run. Collected charges are
    included ("bill now"): they go on a collective invoice now instead of on their date —
    those dated up to today, never one dated in the future (whatever `as_of` says)."""
    require(actor, Action.INVOICE_FINALIZE if finalize else Action.INVOICE_EDIT_DRAFT)
    account = active_account_or_404(account_id)
    day = as_of or clock.today()
    settings = BillingSettings.load()
    pending = (
        Charge.objects.filter(account=account, invoice_line__isnull=True, period_start__lte=day)
        .exclude(collective_date__isnull=False, period_start__gt=clock.today())
        .order_by("id")
    )
    invoices = issue_invoices(
        plan_invoices(pending, settings.invoice_split),
        as_of=day,
        finalize=finalize,
        actor=actor,
        settings=settings,
    )
    audit(actor, "account.invoiced_now", account, invoices=[i.pk for i in invoices])
    return invoices
