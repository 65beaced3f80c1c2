"""Invoices and credit notes. Drafts are editable; finalized documents are immutable (GoBD):
their number is assigned at finalization under a row lock, and they keep a snapshot of every
printed fact. Corrections are credit notes."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kontor.core.models import VersionedModel
from kontor.customers.models import Account, Branch


class InvoiceKind(models.TextChoices):
    INVOICE = "invoice", _("invoice")
    CREDIT_NOTE = "credit_note", _("credit note")


class InvoiceStatus(models.TextChoices):
    DRAFT = "draft", _("draft")
    FINALIZED = "finalized", _("finalized")


class NumberSeries(models.Model):
    """A gapless number range, e.g. `RE-{year}-{seq:06}`; counters restart each year when the
    format contains `{year}`."""

    code = models.CharField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=100)
    format = models.CharField(_("number format"), max_length=60)

    class Meta:
        verbose_name = _("number series")
        verbose_name_plural = _("number series")

    def __str__(self) -> str:
        return f"{self.code} ({self.format})"


class Invoice(VersionedModel):
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="invoices")
    kind = models.CharField(
        _("kind"), max_length=12, choices=InvoiceKind.choices, default=InvoiceKind.INVOICE
    )
    status = models.CharField(
        _("status"), max_length=10, choices=InvoiceStatus.choices, default=InvoiceStatus.DRAFT
    )
    series = models.ForeignKey(NumberSeries, on_delete=models.PROTECT, related_name="+")
    number = models.CharField(_("number"), max_length=60, null=True, blank=True)
    issue_date = models.DateField(_("invoice date"), null=True, blank=True)
    due_date = models.DateField(_("due date"), null=True, blank=True)
    send_date = models.DateField(_("send date"), null=True, blank=True)
    period_start = models.DateField(_("service period from"), null=True, blank=True)
    period_end = models.DateField(_("service period to"), null=True, blank=True)
    currency = models.CharField(_("currency"), max_length=3, default="EUR")
    net_total = models.DecimalField(
        _("net total"), max_digits=14, decimal_places=2, default=Decimal("0")
    )
    tax_total = models.DecimalField(
        _("VAT total"), max_digits=14, decimal_places=2, default=Decimal("0")
    )
    gross_total = models.DecimalField(
        _("gross total"), max_digits=14, decimal_places=2, default=Decimal("0")
    )
    snapshot = models.JSONField(_("printed facts"), null=True, blank=True)
    header_text = models.TextField(_("text before the lines"), blank=True)
    footer_text = models.TextField(_("text after the lines"), blank=True)
    corrects = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="credit_notes",
        verbose_name=_("corrected invoice"),
    )
    branch = models.ForeignKey(
        Branch, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    grouping_key = models.CharField(max_length=100, blank=True)
    billing_run = models.ForeignKey(
        "billing.BillingRun",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="invoices",
    )
    is_test = models.BooleanField(_("test account"), default=False)
    deliver_by_post = models.BooleanField(_("deliver by post"), default=False)
    is_collective = models.BooleanField(_("collective invoice"), default=False)
    collective_profile = models.ForeignKey(
        "billing.CollectiveProfile",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("collective invoice profile"),
    )
    payment_term_days = models.PositiveSmallIntegerField(
        _("payment term (days)"),
        null=True,
        blank=True,
        help_text=_("Empty: the account's payment term."),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    finalized_at = models.DateTimeField(null=True, blank=True)
    finalized_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("invoice")
        verbose_name_plural = _("invoices")
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["account", "status"]),
            models.Index(fields=["status", "send_date"]),
            models.Index(fields=["is_collective", "status"]),
        ]
        constraints = [
            models.UniqueConstraint(fields=["series", "number"], name="invoice_number_unique"),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(number__isnull=False),
                name="finalized_invoice_has_number",
            ),
        ]

    def __str__(self) -> str:
        return self.number or f"{_('draft')} #{self.pk}"


class InvoiceLine(models.Model):
    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveIntegerField(_("position"))
    description = models.CharField(_("description"), max_length=300)
    period_start = models.DateField(_("from"), null=True, blank=True)
    period_end = models.DateField(_("to"), null=True, blank=True)
    quantity = models.DecimalField(_("quantity"), max_digits=12, decimal_places=3)
    unit = models.CharField(_("unit"), max_length=20, default="C62")
    unit_price = models.DecimalField(_("unit price"), max_digits=14, decimal_places=4)
    net_amount = models.DecimalField(_("net amount"), max_digits=14, decimal_places=2)
    tax_category = models.CharField(_("VAT category"), max_length=4)
    tax_rate = models.DecimalField(_("VAT rate"), max_digits=5, decimal_places=2)
    article_number = models.CharField(_("article number"), max_length=40, blank=True)
    charge = models.OneToOneField(
        "billing.Charge",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="invoice_line",
    )

    class Meta:
        verbose_name = _("invoice line")
        verbose_name_plural = _("invoice lines")
        ordering = ["invoice", "position"]
        constraints = [
            models.UniqueConstraint(fields=["invoice", "position"], name="invoice_line_position")
        ]

    def __str__(self) -> str:
        return f"{self.position}. {self.description}"


class InvoiceTax(models.Model):
    """The VAT breakdown per category and rate (EN 16931 BG-23)."""

    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="taxes")
    category = models.CharField(max_length=4)
    rate = models.DecimalField(max_digits=5, decimal_places=2)
    basis = models.DecimalField(max_digits=14, decimal_places=2)
    amount = models.DecimalField(max_digits=14, decimal_places=2)
    exemption_reason = models.CharField(max_length=200, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["invoice", "category", "rate"], name="invoice_tax_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.category} {self.rate}%: {self.amount}"


class OutboxEntry(models.Model):
    """A business event for later consumers (documents, delivery). Unique per (topic, key)."""

    topic = models.CharField(max_length=60)
    key = models.CharField(max_length=60)
    payload = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["topic", "key"], name="outbox_unique")]
        indexes = [models.Index(fields=["topic", "processed_at"])]

    def __str__(self) -> str:
        return f"{self.topic}:{self.key}"
