"""Reads on accounts. Visibility: staff see every account; a customer sees only own accounts."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

from django.db.models import Count, Min, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from kontor.billing.models import BillingSettings
from kontor.core.batch import remembered
from kontor.core.errors import NotFound, PermissionDenied
from kontor.core.money import round_money
from kontor.core.permissions import Action, is_staff_actor, require
from kontor.customers.models import (
    Account,
    AccountStatus,
    Branch,
    ChangeRequestStatus,
    ContractParty,
    ContractPartyChangeRequest,
    CustomerGroup,
    InvoiceRecipient,
    LegalAcceptance,
    LegalDocument,
    Mandate,
    MandateStatus,
)
from kontor.customers.types import AccountSnapshot, PostalAddress


def account_queryset(actor: Any) -> QuerySet[Account]:
    require(actor, Action.ACCOUNT_VIEW)
    qs = Account.objects.select_related("contract_party", "group", "branch")
    return qs if is_staff_actor(actor) else qs.filter(owner=actor)


def account_list(
    actor: Any,
    *,
    search: str = "",
    group_id: int | None = None,
    branch_id: int | None = None,
    include_deleted: bool = False,
) -> QuerySet[Account]:
    qs = account_queryset(actor)
    if not include_deleted:
        qs = qs.filter(status=AccountStatus.ACTIVE)
    if search:
        qs = qs.filter(
            Q(customer_number__icontains=search)
            | Q(external_customer_number__icontains=search)
            | Q(contract_party__company_name__icontains=search)
            | Q(contract_party__last_name__icontains=search)
        )
    if group_id:
        qs = qs.filter(group_id=group_id)
    if branch_id:
        qs = qs.filter(branch_id=branch_id)
    return qs.order_by("customer_number")


def account_for_actor(actor: Any, account_id: int) -> Account:
    try:
        return account_queryset(actor).get(pk=account_id)
    except (Account.DoesNotExist, ValueError) as exc:
        raise NotFound(_("Account %s does not exist.") % account_id) from exc


def active_account_or_404(account_id: int) -> Account:
    """Inside a write batch read once (or the account the batch created), not per call."""
    return remembered(Account, account_id, "active", lambda: _active_account(account_id))


def _active_account(account_id: int) -> Account:
    try:
        return Account.objects.select_related("contract_party").get(
            pk=account_id, status=AccountStatus.ACTIVE
        )
    except (Account.DoesNotExist, ValueError) as exc:
        raise NotFound(_("Account %s does not exist.") % account_id) from exc


def account_deletion_blockers(account: Account, today: date) -> list[str]:
    """The modules that keep an account from being deleted, as readable strings."""
    from kontor.contracts.models import Subscription

    open_subscriptions = (
        Subscription.objects.filter(account=account)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=today))
        .select_related("tariff_version__tariff__module")
        .order_by("start_date")
    )
    return [
        f"{sub.tariff_version.tariff} ({_('until')} {sub.end_date or _('open-ended')})"
        for sub in open_subscriptions
    ]


def account_uninvoiced(account: Account) -> tuple[int, Decimal]:
    """(count, net total) of the account's charges not invoiced yet — collected ones, say,
    which deleting the account would lose."""
    from kontor.billing.models import Charge

    pending = Charge.objects.filter(account=account, invoice_line__isnull=True).aggregate(
        count=Count("id"), total=Sum("amount")
    )
    return pending["count"], round_money(pending["total"] or Decimal(0))


def account_contract_period_start(account: Account) -> date | None:
    """The account's contract period: a manager's override, else its oldest module's start."""
    if account.contract_period_start:
        return account.contract_period_start
    from kontor.contracts.models import Subscription

    return Subscription.objects.filter(account=account).aggregate(start=Min("start_date"))["start"]


def effective_payment_term_days(account: Account) -> int:
    if account.payment_term_days is not None:
        return account.payment_term_days
    return BillingSettings.load().payment_term_days


def invoice_emails(account: Account) -> list[tuple[str, str]]:
    """Where invoices go: every recipient (with its delivery mode), plus the deviating invoice
    e-mail (PDF attached); with neither, the contract party's e-mail."""
    recipients = sorted(account.recipients.all(), key=lambda r: r.pk)
    return _emails(
        [(r.email, r.delivery_mode) for r in recipients],
        account.deviating_invoice_email,
        account.contract_party.email,
    )


def _emails(
    recipients: list[tuple[str, str]], deviating: str, party_email: str
) -> list[tuple[str, str]]:
    emails = list(recipients)
    if deviating and deviating.lower() not in {email.lower() for email, _mode in emails}:
        emails.append((deviating, "attachment"))
    if not emails and party_email:
        emails.append((party_email, "attachment"))
    return emails


def account_snapshot(account: Account) -> AccountSnapshot:
    """Freeze the printed facts of an account (for an invoice being issued now)."""
    return account_snapshots([account.pk])[account.pk]


SNAPSHOT_COLUMNS = (
    "pk",
    "customer_number",
    "billing_name",
    "billing_street",
    "billing_postal_code",
    "billing_city",
    "billing_country",
    "billing_address_extra",
    "deviating_invoice_email",
    "vat_treatment",
    "vat_id",
    "leitweg_id",
    "po_number",
    "payment_method",
    "payment_term_days",
    "language",
    "currency",
    "is_test",
    "branch__code",
    "contract_party__kind",
    "contract_party__company_name",
    "contract_party__first_name",
    "contract_party__last_name",
    "contract_party__street",
    "contract_party__postal_code",
    "contract_party__city",
    "contract_party__country",
    "contract_party__address_extra",
    "contract_party__contact_person",
    "contract_party__email",
)


def account_snapshots(account_ids: list[int]) -> dict[int, AccountSnapshot]:
    """Snapshots of many accounts in a handful of queries (billing runs), read as plain
    rows: a billing chunk snapshots thousands of accounts."""
    default_term = BillingSettings.load().payment_term_days
    recipients: dict[int, list[tuple[str, str]]] = {}
    for account_id, email, mode in (
        InvoiceRecipient.objects.filter(account_id__in=account_ids)
        .order_by("pk")
        .values_list("account_id", "email", "delivery_mode")
    ):
        recipients.setdefault(account_id, []).append((email, mode))
    mandates = {
        row[0]: row[1:]
        for row in Mandate.objects.filter(
            account_id__in=account_ids, status=MandateStatus.ACTIVE
        ).values_list(
            "account_id", "reference", "signed_on", "bank_account__iban", "bank_account__bic"
        )
    }
    return {
        row["pk"]: _snapshot_of_row(
            SimpleNamespace(**row),
            recipients.get(row["pk"], []),
            mandates.get(row["pk"]),
            default_term,
        )
        for row in Account.objects.filter(pk__in=account_ids).values(*SNAPSHOT_COLUMNS)
    }


def _snapshot_of_row(
    account: Any, recipients: list[tuple[str, str]], mandate: Any, default_term: int
) -> AccountSnapshot:
    party = SimpleNamespace(
        kind=account.contract_party__kind,
        company_name=account.contract_party__company_name,
        first_name=account.contract_party__first_name,
        last_name=account.contract_party__last_name,
    )
    party_address = PostalAddress(
        name=ContractParty.display_name.fget(party),  # type: ignore[attr-defined]
        street=account.contract_party__street,
        postal_code=account.contract_party__postal_code,
        city=account.contract_party__city,
        country=account.contract_party__country,
        address_extra=account.contract_party__address_extra,
        contact_person=account.contract_party__contact_person,
    )
    billing = party_address
    if Account.has_billing_address.fget(account):  # type: ignore[attr-defined]
        billing = PostalAddress(
            name=account.billing_name,
            street=account.billing_street,
            postal_code=account.billing_postal_code,
            city=account.billing_city,
            country=account.billing_country,
            address_extra=account.billing_address_extra,
        )
    term = account.payment_term_days
    reference, signed_on, iban, bic = mandate or ("", None, "", "")
    return AccountSnapshot(
        account_id=account.pk,
        customer_number=account.customer_number,
        contract_party=party_address,
        billing_address=billing,
        vat_treatment=account.vat_treatment,
        vat_id=account.vat_id,
        leitweg_id=account.leitweg_id,
        po_number=account.po_number,
        payment_method=account.payment_method,
        payment_term_days=default_term if term is None else term,
        language=account.language,
        currency=account.currency,
        invoice_emails=tuple(
            _emails(recipients, account.deviating_invoice_email, account.contract_party__email)
        ),
        mandate_reference=reference,
        mandate_signed_on=signed_on.isoformat() if signed_on else "",
        iban=iban,
        bic=bic,
        branch_code=account.branch__code or "",
        is_test=account.is_test,
    )


def _party_change_request_queryset(actor: Any) -> QuerySet[ContractPartyChangeRequest]:
    """Staff see every change request; a customer sees none (requests are a staff matter)."""
    require(actor, Action.ACCOUNT_VIEW)
    qs = ContractPartyChangeRequest.objects.select_related(
        "account__contract_party", "requested_by", "decided_by"
    )
    return qs if is_staff_actor(actor) else qs.none()


def party_change_requests_pending(actor: Any) -> QuerySet[ContractPartyChangeRequest]:
    """Change requests waiting for a decision, oldest first."""
    return (
        _party_change_request_queryset(actor)
        .filter(status=ChangeRequestStatus.PENDING)
        .order_by("requested_at", "id")
    )


def party_change_request_for_actor(actor: Any, request_id: int) -> ContractPartyChangeRequest:
    try:
        return _party_change_request_queryset(actor).get(pk=request_id)
    except (ContractPartyChangeRequest.DoesNotExist, ValueError) as exc:
        raise NotFound(_("Change request %s does not exist.") % request_id) from exc


# --- customer groups, branches, legal documents ---------------------------------------------
# Branches and legal documents are what customers see on their invoices and accept, so every
# role that views accounts may read them; group names are internal labels: staff only.


def customer_groups_list(actor: Any) -> QuerySet[CustomerGroup]:
    require(actor, Action.ACCOUNT_VIEW)
    if not is_staff_actor(actor):
        raise PermissionDenied(_("Only staff see customer groups."), code="permission_denied")
    return CustomerGroup.objects.order_by("name", "id")


def customer_group_for_actor(actor: Any, group_id: int) -> CustomerGroup:
    return _get(customer_groups_list(actor), group_id, _("Customer group %s does not exist."))


def branches_list(actor: Any) -> QuerySet[Branch]:
    require(actor, Action.ACCOUNT_VIEW)
    return Branch.objects.order_by("code", "id")


def branch_for_actor(actor: Any, branch_id: int) -> Branch:
    return _get(branches_list(actor), branch_id, _("Branch %s does not exist."))


def legal_documents_list(actor: Any) -> QuerySet[LegalDocument]:
    """Newest version first within each type, with `acceptance_count`."""
    require(actor, Action.ACCOUNT_VIEW)
    accepted = (
        LegalAcceptance.objects.filter(document=OuterRef("pk"))
        .values("document")
        .annotate(count=Count("pk"))
        .values("count")
    )
    return LegalDocument.objects.annotate(
        acceptance_count=Coalesce(Subquery(accepted), 0)
    ).order_by("doc_type", "-valid_from", "-id")


def legal_document_for_actor(actor: Any, document_id: int) -> LegalDocument:
    return _get(legal_documents_list(actor), document_id, _("Legal document %s does not exist."))


def _get(queryset: QuerySet[Any], pk: Any, message: str) -> Any:
    try:
        return queryset.get(pk=pk)
    except (queryset.model.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFound(message % pk) from exc
