"""`accounts_export`: the catalog, customer groups, branches and accounts in the import format
`kontor/v1`, so an export loads into an empty Kontor as it is.

Every field is written out (defaults too, `null` for empty optional fields), money as strings.
Deleted (anonymised) accounts are left out. A bank account carries one mandate in the format:
its active one, else its most recent.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import Prefetch

from kontor.catalog.models import Article, ArticleType, Module, TariffVersion, TaxCategory
from kontor.contracts.models import Subscription
from kontor.core.permissions import Action, require
from kontor.customers.models import (
    Account,
    AccountStatus,
    BankAccount,
    Branch,
    CustomerGroup,
    MandateStatus,
)
from kontor.customers.services.party import PARTY_FIELDS
from kontor.exchange.schema import FORMAT


def accounts_export(*, actor: Any) -> dict[str, Any]:
    require(actor, Action.DATA_EXPORT)
    return {
        "format": FORMAT,
        "catalog": _catalog(),
        "customer_groups": [
            {"name": g.name, "description": g.description}
            for g in CustomerGroup.objects.order_by("name")
        ],
        "branches": [{"code": b.code, "name": b.name} for b in Branch.objects.order_by("code")],
        "accounts": [_account(account) for account in _accounts()],
    }


def money(value: Decimal) -> str:
    """At least two decimal places, more only when the value has them: 12.9000 → "12.90"."""
    normalized = value.normalize()
    exponent = normalized.as_tuple().exponent
    if isinstance(exponent, int) and exponent > -2:
        normalized = normalized.quantize(Decimal("0.01"))
    return format(normalized, "f")


def quantity(value: Decimal) -> str:
    return format(value.normalize(), "f")


def _day(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def _catalog() -> dict[str, Any]:
    categories = TaxCategory.objects.prefetch_related("rates").order_by("code")
    articles = Article.objects.select_related("article_type", "tax_category").order_by("number")
    versions = TariffVersion.objects.select_related("tax_category", "article").order_by(
        "valid_from"
    )
    modules = Module.objects.prefetch_related(
        "tariffs__addons", Prefetch("tariffs__versions", queryset=versions)
    ).order_by("code")
    return {
        "tax_categories": [
            {
                "code": c.code,
                "name": c.name,
                "rates": [
                    {
                        "rate": money(r.rate),
                        "valid_from": _day(r.valid_from),
                        "valid_to": _day(r.valid_to),
                    }
                    for r in sorted(c.rates.all(), key=lambda r: r.valid_from)
                ],
            }
            for c in categories
        ],
        "article_types": [
            {"code": t.code, "name": t.name} for t in ArticleType.objects.order_by("code")
        ],
        "articles": [
            {
                "number": a.number,
                "name": a.name,
                "type": a.article_type.code,
                "unit": a.unit,
                "tax_category": a.tax_category.code,
                "price": money(a.price),
                "is_addon": a.is_addon,
            }
            for a in articles
        ],
        "modules": [_module(m) for m in modules],
    }


def _module(module: Module) -> dict[str, Any]:
    return {
        "code": module.code,
        "name": module.name,
        "description": module.description,
        "tariffs": [
            {
                "code": t.code,
                "name": t.name,
                "addons": sorted(a.number for a in t.addons.all()),
                "versions": [_version(v) for v in t.versions.all()],
            }
            for t in sorted(module.tariffs.all(), key=lambda t: t.code)
        ],
    }


def _version(v: TariffVersion) -> dict[str, Any]:
    return {
        "valid_from": _day(v.valid_from),
        "price": money(v.price),
        "setup_fee": money(v.setup_fee),
        "billing_interval_months": v.billing_interval_months,
        "minimum_term_months": v.minimum_term_months,
        "renewal_term_months": v.renewal_term_months,
        "notice": {"amount": v.notice_amount, "unit": v.notice_unit, "anchor": v.notice_anchor},
        "contract_type": v.contract_type,
        "billing_timing": v.billing_timing,
        "tax_category": v.tax_category.code,
        "article": v.article.number if v.article else None,
    }


def _accounts() -> Any:
    subscriptions = Subscription.objects.select_related(
        "contract", "tariff_version__tariff"
    ).prefetch_related("addons__article")
    return (
        Account.objects.filter(status=AccountStatus.ACTIVE)
        .select_related("contract_party", "group", "branch")
        .prefetch_related(
            "recipients",
            Prefetch("bank_accounts", queryset=BankAccount.objects.prefetch_related("mandates")),
            Prefetch("subscriptions", queryset=subscriptions),
        )
        .order_by("customer_number")
    )


def _account(a: Account) -> dict[str, Any]:
    party = a.contract_party
    billing = None
    if a.has_billing_address:
        billing = {
            name: getattr(a, f"billing_{name}")
            for name in ("name", "street", "address_extra", "postal_code", "city", "country")
        }
    return {
        "customer_number": a.customer_number,
        "external_customer_number": a.external_customer_number,
        "contract_party": {name: getattr(party, name) for name in PARTY_FIELDS},
        "billing_address": billing,
        "recipients": [
            {"email": r.email, "delivery_mode": r.delivery_mode}
            for r in sorted(a.recipients.all(), key=lambda r: r.pk)
        ],
        "deviating_invoice_email": a.deviating_invoice_email,
        "po_number": a.po_number,
        "vat_treatment": a.vat_treatment,
        "vat_id": a.vat_id,
        "leitweg_id": a.leitweg_id,
        "payment_terms_days": a.payment_term_days,
        "payment_method": a.payment_method,
        "is_test": a.is_test,
        "deliver_by_post": a.deliver_by_post,
        "group": a.group.name if a.group else None,
        "branch": a.branch.code if a.branch else None,
        "language": a.language,
        "currency": a.currency,
        "contract_period_start": _day(a.contract_period_start),
        "bank_accounts": [_bank_account(b) for b in sorted(a.bank_accounts.all(), key=_pk)],
        "subscriptions": [
            _subscription(s)
            for s in sorted(a.subscriptions.all(), key=lambda s: (s.start_date, s.pk))
        ],
    }


def _pk(row: Any) -> int:
    return row.pk


def _bank_account(b: BankAccount) -> dict[str, Any]:
    mandates = sorted(b.mandates.all(), key=lambda m: (m.status == MandateStatus.ACTIVE, m.pk))
    mandate = mandates[-1] if mandates else None
    return {
        "holder": b.holder,
        "iban": b.iban,
        "bic": b.bic,
        "mandate": None
        if mandate is None
        else {
            "reference": mandate.reference,
            "signed_on": _day(mandate.signed_on),
            "scheme": mandate.scheme,
            "status": mandate.status,
            "ended_on": _day(mandate.ended_on),
        },
    }


def _subscription(s: Subscription) -> dict[str, Any]:
    return {
        "contract": s.contract.reference,
        "tariff": s.tariff_version.tariff.code,
        "tariff_version_from": _day(s.tariff_version.valid_from),
        "quantity": quantity(s.quantity),
        "start_date": _day(s.start_date),
        "end_date": _day(s.end_date),
        "notice_given_on": _day(s.notice_given_on),
        "billed_until": _day(s.billed_until),
        "deviating_price": money(s.deviating_price) if s.deviating_price is not None else None,
        "addons": [
            {
                "article": addon.article.number,
                "quantity": quantity(addon.quantity),
                "start_date": _day(addon.start_date),
                "end_date": _day(addon.end_date),
            }
            for addon in sorted(s.addons.all(), key=lambda x: (x.start_date, x.pk))
        ],
    }
