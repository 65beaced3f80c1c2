from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from kontor.core.history import HistoricalRecords
from kontor.core.models import VersionedModel


class CustomerGroup(VersionedModel):
    """Accounts grouped for reporting and, with a profile, collective invoices. Written only
    through customers.services.classification (and the import)."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    description = models.TextField(_("description"), blank=True)
    collective_profile = models.ForeignKey(
        "billing.CollectiveProfile",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="groups",
        verbose_name=_("collective invoice profile"),
        help_text=_("Accounts of the group collect their items into one invoice per interval."),
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("customer group")
        verbose_name_plural = _("customer groups")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(Lower("name"), name="customer_group_name_ci"),
        ]

    def __str__(self) -> str:
        return self.name


class Branch(VersionedModel):
    """A branch office (Filiale); invoices and SEPA batches can be grouped per branch. Import
    files and invoice snapshots refer to it by code, so the code is fixed once it is used."""

    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=100)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("branch")
        verbose_name_plural = _("branches")
        ordering = ["code"]
        constraints = [models.UniqueConstraint(Lower("code"), name="branch_code_ci")]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class PartyKind(models.TextChoices):
    COMPANY = "company", _("company")
    PERSON = "person", _("person")


class AddressFields(models.Model):
    """A postal address; countries are ISO 3166-1 alpha-2 codes."""

    street = models.CharField(_("street and number"), max_length=200, blank=True)
    address_extra = models.CharField(_("address supplement"), max_length=200, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=20, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    country = models.CharField(_("country"), max_length=2, default="DE")

    class Meta:
        abstract = True


class ContractParty(AddressFields, VersionedModel):
    """Who the contract is with. Changed only through an approved ContractPartyChangeRequest."""

    kind = models.CharField(_("kind"), max_length=10, choices=PartyKind.choices)
    company_name = models.CharField(_("company name"), max_length=200, blank=True)
    first_name = models.CharField(_("first name"), max_length=100, blank=True)
    last_name = models.CharField(_("last name"), max_length=100, blank=True)
    contact_person = models.CharField(_("contact person"), max_length=200, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=50, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("contract party")
        verbose_name_plural = _("contract parties")

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        if self.kind == PartyKind.COMPANY:
            return self.company_name
        return f"{self.first_name} {self.last_name}".strip()


class VatTreatment(models.TextChoices):
    DOMESTIC = "domestic", _("domestic (standard rates)")
    REVERSE_CHARGE = "reverse_charge", _("EU reverse charge")
    NOT_TAXABLE = "not_taxable", _("not taxable")


class PaymentMethod(models.TextChoices):
    SEPA_DIRECT_DEBIT = "sepa_dd", _("SEPA direct debit")
    BANK_TRANSFER = "transfer", _("bank transfer")


class Language(models.TextChoices):
    DE = "de", "Deutsch"
    EN = "en", "English"
    SV = "sv", "Svenska"


class AccountStatus(models.TextChoices):
    ACTIVE = "active", _("active")
    DELETED = "deleted", _("deleted (anonymised)")


class Account(VersionedModel):
    customer_number = models.CharField(_("customer number"), max_length=40, unique=True)
    external_customer_number = models.CharField(
        _("external customer number"), max_length=60, blank=True
    )
    status = models.CharField(
        _("status"), max_length=10, choices=AccountStatus.choices, default=AccountStatus.ACTIVE
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_accounts",
        verbose_name=_("account owner (portal user)"),
    )
    contract_party = models.OneToOneField(
        ContractParty,
        on_delete=models.PROTECT,
        related_name="account",
        verbose_name=_("contract party"),
    )
    # Billing address: optional; printed instead of the contract party's address when set.
    billing_name = models.CharField(_("billing name"), max_length=200, blank=True)
    billing_street = models.CharField(_("billing street"), max_length=200, blank=True)
    billing_address_extra = models.CharField(
        _("billing address supplement"), max_length=200, blank=True
    )
    billing_postal_code = models.CharField(_("billing postal code"), max_length=20, blank=True)
    billing_city = models.CharField(_("billing city"), max_length=100, blank=True)
    billing_country = models.CharField(_("billing country"), max_length=2, blank=True)
    deviating_invoice_email = models.EmailField(_("deviating invoice e-mail"), blank=True)
    po_number = models.CharField(_("purchase order number"), max_length=60, blank=True)
    vat_treatment = models.CharField(
        _("VAT treatment"),
        max_length=20,
        choices=VatTreatment.choices,
        default=VatTreatment.DOMESTIC,
    )
    vat_id = models.CharField(_("VAT ID"), max_length=20, blank=True)
    leitweg_id = models.CharField(_("Leitweg-ID (XRechnung routing id)"), max_length=46, blank=True)
    payment_term_days = models.PositiveSmallIntegerField(
        _("payment term override (days)"), null=True, blank=True
    )
    payment_method = models.CharField(
        _("payment method"),
        max_length=10,
        choices=PaymentMethod.choices,
        default=PaymentMethod.SEPA_DIRECT_DEBIT,
    )
    is_test = models.BooleanField(_("test account"), default=False)
    deliver_by_post = models.BooleanField(
        _("deliver invoices by post"),
        null=True,
        blank=True,
        help_text=_("Empty: the billing settings' default."),
    )
    group = models.ForeignKey(
        CustomerGroup,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="accounts",
        verbose_name=_("customer group"),
    )
    branch = models.ForeignKey(
        Branch,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="accounts",
        verbose_name=_("branch"),
    )
    language = models.CharField(
        _("language"), max_length=2, choices=Language.choices, default=Language.DE
    )
    currency = models.CharField(_("currency"), max_length=3, default="EUR")
    contract_period_start = models.DateField(
        _("contract period start (override)"),
        null=True,
        blank=True,
        help_text=_("Empty: the start of the oldest module."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    anonymised_at = models.DateTimeField(_("anonymised"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("account")
        verbose_name_plural = _("accounts")
        ordering = ["customer_number"]
        indexes = [models.Index(fields=["group"]), models.Index(fields=["branch"])]

    def __str__(self) -> str:
        return f"{self.customer_number} {self.contract_party.display_name}"

    @property
    def has_billing_address(self) -> bool:
        return bool(self.billing_street or self.billing_city)


class DeliveryMode(models.TextChoices):
    ATTACHMENT = "attachment", _("PDF attached")
    LINK = "link", _("download link")


class InvoiceRecipient(models.Model):
    account = models.ForeignKey(
        Account, on_delete=models.CASCADE, related_name="recipients", verbose_name=_("account")
    )
    email = models.EmailField(_("e-mail"))
    delivery_mode = models.CharField(
        _("delivery mode"),
        max_length=12,
        choices=DeliveryMode.choices,
        default=DeliveryMode.ATTACHMENT,
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("invoice recipient")
        verbose_name_plural = _("invoice recipients")
        constraints = [
            models.UniqueConstraint(
                fields=["account", "email"], name="recipient_unique_per_account"
            )
        ]

    def __str__(self) -> str:
        return f"{self.email} ({self.get_delivery_mode_display()})"


class BankAccount(models.Model):
    account = models.ForeignKey(
        Account, on_delete=models.CASCADE, related_name="bank_accounts", verbose_name=_("account")
    )
    holder = models.CharField(_("account holder"), max_length=140)
    iban = models.CharField(_("IBAN"), max_length=34)
    bic = models.CharField(_("BIC"), max_length=11, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("bank account")
        verbose_name_plural = _("bank accounts")
        constraints = [
            models.UniqueConstraint(fields=["account", "iban"], name="bank_account_unique_iban")
        ]

    def __str__(self) -> str:
        return f"{self.holder} {self.iban}"


class MandateScheme(models.TextChoices):
    CORE = "CORE", _("SEPA Core")
    B2B = "B2B", _("SEPA B2B")


class MandateStatus(models.TextChoices):
    ACTIVE = "active", _("active")
    REVOKED = "revoked", _("revoked")
    EXPIRED = "expired", _("expired")


class Mandate(models.Model):
    account = models.ForeignKey(
        Account, on_delete=models.CASCADE, related_name="mandates", verbose_name=_("account")
    )
    bank_account = models.ForeignKey(
        BankAccount,
        on_delete=models.PROTECT,
        related_name="mandates",
        verbose_name=_("bank account"),
    )
    reference = models.CharField(_("mandate reference"), max_length=35, unique=True)
    signed_on = models.DateField(_("date of signature"))
    scheme = models.CharField(
        _("scheme"), max_length=4, choices=MandateScheme.choices, default=MandateScheme.CORE
    )
    status = models.CharField(
        _("status"), max_length=10, choices=MandateStatus.choices, default=MandateStatus.ACTIVE
    )
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("SEPA mandate")
        verbose_name_plural = _("SEPA mandates")
        constraints = [
            models.UniqueConstraint(
                fields=["account"],
                condition=Q(status="active"),
                name="one_active_mandate_per_account",
            )
        ]

    def __str__(self) -> str:
        return f"{self.reference} ({self.get_status_display()})"


class LegalDocumentType(models.TextChoices):
    TERMS = "terms", _("terms and conditions")
    PRIVACY = "privacy", _("privacy policy")
    DPA = "dpa", _("data processing agreement")


class LegalDocument(models.Model):
    """One published version of the T&C, privacy policy or DPA. Once an account accepted it,
    it is legal evidence: the services neither change nor delete it, and `sha256` proves
    which bytes were accepted. (`version` is the document's label such as "v3", not an
    optimistic-locking counter.)"""

    doc_type = models.CharField(_("type"), max_length=10, choices=LegalDocumentType.choices)
    version = models.CharField(_("version"), max_length=30)
    valid_from = models.DateField(_("valid from"))
    file = models.FileField(_("file"), upload_to="legal/", blank=True)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True, editable=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("legal document")
        verbose_name_plural = _("legal documents")
        ordering = ["doc_type", "-valid_from", "version"]
        constraints = [
            models.UniqueConstraint(fields=["doc_type", "version"], name="legal_document_version"),
            models.UniqueConstraint("doc_type", Lower("version"), name="legal_document_version_ci"),
        ]

    def __str__(self) -> str:
        return f"{self.get_doc_type_display()} {self.version}"


class LegalAcceptance(models.Model):
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="legal_acceptances")
    document = models.ForeignKey(LegalDocument, on_delete=models.PROTECT, related_name="+")
    accepted_at = models.DateTimeField(_("accepted at"))
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("legal acceptance")
        verbose_name_plural = _("legal acceptances")
        ordering = ["-accepted_at"]

    def __str__(self) -> str:
        return f"{self.document} @ {self.accepted_at:%Y-%m-%d}"


class ChangeRequestStatus(models.TextChoices):
    PENDING = "pending", _("pending")
    APPROVED = "approved", _("approved and applied")
    REJECTED = "rejected", _("rejected")


class ContractPartyChangeRequest(models.Model):
    """A recorded request to change the contract party, with reason and evidence."""

    account = models.ForeignKey(
        Account, on_delete=models.CASCADE, related_name="party_change_requests"
    )
    proposed = models.JSONField(_("proposed contract party"))
    previous = models.JSONField(_("previous contract party"), null=True, blank=True)
    reason = models.TextField(_("reason"))
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=ChangeRequestStatus.choices,
        default=ChangeRequestStatus.PENDING,
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True)

    class Meta:
        verbose_name = _("contract party change request")
        verbose_name_plural = _("contract party change requests")
        ordering = ["-requested_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["account"],
                condition=Q(status="pending"),
                name="one_pending_party_change_per_account",
            )
        ]

    def __str__(self) -> str:
        return f"{self.account_id}: {self.get_status_display()}"


class EvidenceDocument(models.Model):
    change_request = models.ForeignKey(
        ContractPartyChangeRequest, on_delete=models.PROTECT, related_name="evidence"
    )
    file = models.FileField(_("file"), upload_to="evidence/%Y/")
    description = models.CharField(_("description"), max_length=200, blank=True)
    sha256 = models.CharField(max_length=64)
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("evidence document")
        verbose_name_plural = _("evidence documents")

    def __str__(self) -> str:
        return self.description or self.file.name
