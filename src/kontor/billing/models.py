from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from kontor.core.models import VersionedModel


class InvoiceSplit(models.TextChoices):
    ACCOUNT = "account", _("one invoice per account and run")
    CONTRACT_TYPE = "contract_type", _("one invoice per contract type")
    CONTRACT = "contract", _("one invoice per contract")


class BillingSettings(VersionedModel):
    """The provider's billing settings: one row (pk=1), edited by managers.

    The billing-engine issue adds the run-related settings; the foundation needs the defaults
    that accounts and contracts read.
    """

    payment_term_days = models.PositiveSmallIntegerField(
        _("default payment term (days)"), default=14, validators=[MaxValueValidator(365)]
    )
    deviating_price_changeable = models.BooleanField(
        _("deviating price changeable"),
        default=False,
        help_text=_("Allow staff to set a price per subscription that differs from the tariff."),
    )
    default_billing_interval_months = models.PositiveSmallIntegerField(
        _("default billing interval (months)"),
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(12)],
    )
    customer_number_format = models.CharField(
        _("customer number format"),
        max_length=40,
        default="K-{seq:05}",
        help_text=_("Python format with {seq}, e.g. K-{seq:05}."),
    )
    invoice_split = models.CharField(
        _("split service-contract invoices"),
        max_length=20,
        choices=InvoiceSplit.choices,
        default=InvoiceSplit.ACCOUNT,
    )
    start_next_month = models.BooleanField(
        _("start new contracts on the 1st of the following month"), default=False
    )
    start_cutoff_day = models.PositiveSmallIntegerField(
        _("cutoff day"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(31)],
        help_text=_(
            "Orders up to this day start on the 1st of the next month, later orders on "
            "the 1st of the month after."
        ),
    )
    align_to_calendar = models.BooleanField(
        _("bill only up to the interval boundary"),
        default=True,
        help_text=_(
            "On: periods follow calendar months/quarters/years, the first one is "
            "prorated. Off: anniversary billing from the start date."
        ),
    )
    create_zero_invoices = models.BooleanField(
        _("also create invoices with price 0"), default=False
    )
    default_article_type = models.ForeignKey(
        "catalog.ArticleType",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("default article type"),
    )
    default_article = models.ForeignKey(
        "catalog.Article",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("default article"),
    )
    branch_from_account = models.BooleanField(
        _("invoices always for the registration branch"),
        default=True,
        help_text=_(
            "On: the account's branch. Off: the branch of the contract, else the account's."
        ),
    )
    deliver_by_post_default = models.BooleanField(
        _("print invoices (delivery by post)"), default=False
    )
    max_periods_per_run = models.PositiveSmallIntegerField(
        _("safety bound: periods per subscription and run"),
        default=24,
        validators=[MinValueValidator(1)],
    )
    invoice_number_format = models.CharField(
        _("invoice number format"), max_length=60, default="RE-{year}-{seq:06}"
    )
    credit_note_number_format = models.CharField(
        _("credit note number format"), max_length=60, default="GS-{year}-{seq:06}"
    )
    test_number_format = models.CharField(
        _("test account number format"), max_length=60, default="TEST-{year}-{seq:06}"
    )
    numbers_per_branch = models.BooleanField(_("separate number series per branch"), default=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("billing settings")
        verbose_name_plural = _("billing settings")

    def __str__(self) -> str:
        return str(_("Billing settings"))

    @classmethod
    def load(cls) -> BillingSettings:
        obj, _created = cls.objects.get_or_create(pk=1)
        return obj


class SellerProfile(VersionedModel):
    """The provider's own data printed on every document (one row, pk=1)."""

    name = models.CharField(_("company name"), max_length=200, default="")
    street = models.CharField(_("street and number"), max_length=200, default="")
    postal_code = models.CharField(_("postal code"), max_length=20, default="")
    city = models.CharField(_("city"), max_length=100, default="")
    country = models.CharField(_("country"), max_length=2, default="DE")
    vat_id = models.CharField(_("VAT ID"), max_length=20, blank=True)
    tax_number = models.CharField(_("tax number"), max_length=30, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=50, blank=True)
    bank_name = models.CharField(_("bank"), max_length=100, blank=True)
    iban = models.CharField(_("IBAN"), max_length=34, blank=True)
    bic = models.CharField(_("BIC"), max_length=11, blank=True)
    creditor_id = models.CharField(_("SEPA creditor identifier"), max_length=35, blank=True)
    register = models.CharField(_("commercial register"), max_length=100, blank=True)
    managing_directors = models.CharField(_("managing directors"), max_length=200, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("seller profile")
        verbose_name_plural = _("seller profile")

    def __str__(self) -> str:
        return self.name or str(_("Seller profile"))

    @classmethod
    def load(cls) -> SellerProfile:
        obj, _created = cls.objects.get_or_create(pk=1)
        return obj


class CollectiveInterval(models.TextChoices):
    MONTHLY = "monthly", _("monthly")
    YEARLY = "yearly", _("yearly")


class CollectiveProfile(VersionedModel):
    """A collective invoice profile: accounts of a customer group that has it collect every
    billable item and get one invoice per interval, on the profile's billing date."""

    name = models.CharField(
        _("name"), max_length=100, unique=True, help_text=_("Internal; never shown to customers.")
    )
    interval = models.CharField(_("interval"), max_length=10, choices=CollectiveInterval.choices)
    day_of_month = models.PositiveSmallIntegerField(
        _("day of month"),
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(31)],
        help_text=_(
            "The day the collective invoice is created; 29-31 mean the month's end in "
            "shorter months."
        ),
    )
    month_of_year = models.PositiveSmallIntegerField(
        _("month of year"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(12)],
        help_text=_("Yearly profiles only."),
    )
    spending_limit = models.DecimalField(
        _("spending limit per interval (net)"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("Empty: no limit."),
    )
    payment_term_days = models.PositiveSmallIntegerField(
        _("payment term (days)"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(365)],
        help_text=_("Empty: the account's payment term."),
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("collective invoice profile")
        verbose_name_plural = _("collective invoice profiles")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class RunStatus(models.TextChoices):
    PREVIEW = "preview", _("preview")
    PENDING = "pending", _("pending")
    RUNNING = "running", _("running")
    DONE = "done", _("done")
    FAILED = "failed", _("failed")


class BillingRun(models.Model):
    """One billing run for a billing date: preview, progress, report, resume."""

    as_of = models.DateField(_("billing date"))
    status = models.CharField(
        _("status"), max_length=10, choices=RunStatus.choices, default=RunStatus.PENDING
    )
    dry_run = models.BooleanField(_("preview only"), default=False)
    finalize = models.BooleanField(_("finalize invoices"), default=True)
    accounts_total = models.PositiveIntegerField(default=0)
    accounts_done = models.PositiveIntegerField(default=0)
    charges_created = models.PositiveIntegerField(default=0)
    invoices_created = models.PositiveIntegerField(default=0)
    invoices_finalized = models.PositiveIntegerField(default=0)
    report = models.JSONField(default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("billing run")
        verbose_name_plural = _("billing runs")
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{_('Billing run')} {self.as_of} ({self.get_status_display()})"


class ChargeKind(models.TextChoices):
    """Kinds of charges not computed by the engine (its kinds: recurring, setup, addon:…,
    correction:…)."""

    ONE_OFF = "one_off", _("one-off charge")


class Charge(models.Model):
    """A billable amount. Recurring charges are unique per (subscription, period_start, kind),
    so a second run for the same date creates nothing; one-off charges (setup fees now; return
    debit fees, dunning fees later) carry their own idempotency key. An invoice line points at
    the charge it bills (one-to-one), so no charge is ever invoiced twice."""

    account = models.ForeignKey(
        "customers.Account", on_delete=models.PROTECT, related_name="charges"
    )
    subscription = models.ForeignKey(
        "contracts.Subscription",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="charges",
    )
    kind = models.CharField(_("kind"), max_length=40)
    period_start = models.DateField(_("period from"))
    period_end = models.DateField(_("period to"))
    description = models.CharField(_("description"), max_length=300)
    quantity = models.DecimalField(_("quantity"), max_digits=12, decimal_places=3)
    unit = models.CharField(_("unit"), max_length=20, default="C62")
    unit_price = models.DecimalField(_("unit price"), max_digits=14, decimal_places=4)
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2)
    prorated = models.BooleanField(default=False)
    tax_category = models.ForeignKey(
        "catalog.TaxCategory", on_delete=models.PROTECT, related_name="+"
    )
    article_number = models.CharField(max_length=40, blank=True)
    contract = models.ForeignKey(
        "contracts.Contract", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    contract_type = models.CharField(max_length=40, blank=True)
    idempotency_key = models.CharField(max_length=100, null=True, blank=True, unique=True)
    billing_run = models.ForeignKey(
        BillingRun, null=True, blank=True, on_delete=models.PROTECT, related_name="charges"
    )
    collective_profile = models.ForeignKey(
        CollectiveProfile, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    collective_date = models.DateField(
        _("collective billing date"),
        null=True,
        blank=True,
        help_text=_("Collected: invoiced on this date with the account's other collected items."),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("charge")
        verbose_name_plural = _("charges")
        constraints = [
            models.UniqueConstraint(
                fields=["subscription", "period_start", "kind"],
                name="charge_once_per_period",
                condition=models.Q(subscription__isnull=False),
            ),
        ]
        indexes = [
            models.Index(fields=["account"]),
            models.Index(fields=["account", "collective_date"]),
        ]

    def __str__(self) -> str:
        return f"{self.description} {self.amount}"


class RunEntryKind(models.TextChoices):
    FAILED = "failed", _("failed")
    REFUSED = "refused", _("refused (safety bound)")


class BillingRunEntry(models.Model):
    """A line of a run's report: an account that failed or a subscription that was refused."""

    run = models.ForeignKey(BillingRun, on_delete=models.CASCADE, related_name="entries")
    account = models.ForeignKey("customers.Account", on_delete=models.CASCADE, related_name="+")
    subscription_id_ref = models.BigIntegerField(null=True, blank=True)
    kind = models.CharField(max_length=10, choices=RunEntryKind.choices)
    message = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("billing run report entry")
        verbose_name_plural = _("billing run report entries")
        ordering = ["run", "account_id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.message}"


class BillingRunChunk(models.Model):
    """A slice of a run's accounts: billed in one transaction that also sets `done_at`, so a
    chunk is done exactly when its billing committed. Resuming re-queues only open chunks;
    a duplicate task for a done chunk does nothing."""

    run = models.ForeignKey(BillingRun, on_delete=models.CASCADE, related_name="chunks")
    index = models.PositiveIntegerField()
    account_ids = models.JSONField()
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["run", "index"], name="billing_run_chunk_index")
        ]

    def __str__(self) -> str:
        return f"{self.run_id}/{self.index}"
