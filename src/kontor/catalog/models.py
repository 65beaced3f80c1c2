from __future__ import annotations

from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

BILLING_INTERVALS = [
    (1, _("monthly")),
    (2, _("every 2 months")),
    (3, _("quarterly")),
    (6, _("half-yearly")),
    (12, _("yearly")),
]


class TaxCategory(models.Model):
    """EN 16931 VAT category (S = standard, AA = reduced, Z, E, AE, …) with dated rates."""

    code = models.CharField(_("code"), max_length=10, unique=True)
    name = models.CharField(_("name"), max_length=100)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("tax category")
        verbose_name_plural = _("tax categories")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class TaxRate(models.Model):
    category = models.ForeignKey(TaxCategory, on_delete=models.PROTECT, related_name="rates")
    rate = models.DecimalField(
        _("rate (%)"), max_digits=5, decimal_places=2, validators=[MinValueValidator(Decimal("0"))]
    )
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("tax rate")
        verbose_name_plural = _("tax rates")
        ordering = ["category", "valid_from"]
        constraints = [
            models.UniqueConstraint(fields=["category", "valid_from"], name="tax_rate_from_unique"),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=models.F("valid_from")),
                name="tax_rate_valid_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.category.code} {self.rate}% ab {self.valid_from}"


class ArticleType(models.Model):
    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=100)

    class Meta:
        verbose_name = _("article type")
        verbose_name_plural = _("article types")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class Article(models.Model):
    number = models.CharField(_("article number"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    article_type = models.ForeignKey(
        ArticleType, on_delete=models.PROTECT, related_name="articles", verbose_name=_("type")
    )
    unit = models.CharField(
        _("unit"),
        max_length=20,
        default="C62",
        help_text=_("UN/ECE rec. 20 unit code, e.g. C62 (piece), MON (month)."),
    )
    tax_category = models.ForeignKey(
        TaxCategory,
        on_delete=models.PROTECT,
        related_name="articles",
        verbose_name=_("tax category"),
    )
    price = models.DecimalField(_("price"), max_digits=14, decimal_places=4)
    is_addon = models.BooleanField(_("add-on option"), default=False)
    active = models.BooleanField(_("active"), default=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("article")
        verbose_name_plural = _("articles")
        ordering = ["number"]

    def __str__(self) -> str:
        return f"{self.number} {self.name}"


class Module(models.Model):
    """A product the provider sells, e.g. "Webhosting M" or "Telefonservice"."""

    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    active = models.BooleanField(_("active"), default=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("module")
        verbose_name_plural = _("modules")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class Tariff(models.Model):
    module = models.ForeignKey(Module, on_delete=models.PROTECT, related_name="tariffs")
    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    addons = models.ManyToManyField(
        Article,
        blank=True,
        related_name="addon_for_tariffs",
        limit_choices_to={"is_addon": True},
        verbose_name=_("bookable add-on options"),
    )
    active = models.BooleanField(_("active"), default=True)
    history = HistoricalRecords(m2m_fields=[addons])

    class Meta:
        verbose_name = _("tariff")
        verbose_name_plural = _("tariffs")
        ordering = ["module", "code"]

    def __str__(self) -> str:
        return f"{self.module.name} – {self.name}"


class NoticeUnit(models.TextChoices):
    DAYS = "days", _("days")
    WEEKS = "weeks", _("weeks")
    MONTHS = "months", _("months")


class NoticeAnchor(models.TextChoices):
    TERM_END = "term_end", _("to the end of the term")
    MONTH_END = "month_end", _("to the end of any month")
    QUARTER_END = "quarter_end", _("to the end of a quarter")
    ANY_DAY = "any_day", _("to any day")


class BillingTiming(models.TextChoices):
    ADVANCE = "advance", _("in advance")
    ARREARS = "arrears", _("in arrears")


class TariffVersion(models.Model):
    """The terms of a tariff from `valid_from` on; subscriptions point at their version."""

    tariff = models.ForeignKey(Tariff, on_delete=models.PROTECT, related_name="versions")
    valid_from = models.DateField(_("valid from"))
    price = models.DecimalField(
        _("price per interval"),
        max_digits=14,
        decimal_places=4,
        validators=[MinValueValidator(Decimal("0"))],
    )
    setup_fee = models.DecimalField(
        _("setup fee"),
        max_digits=14,
        decimal_places=4,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0"))],
    )
    billing_interval_months = models.PositiveSmallIntegerField(
        _("billing interval"), choices=BILLING_INTERVALS, default=1
    )
    minimum_term_months = models.PositiveSmallIntegerField(_("minimum term (months)"), default=0)
    renewal_term_months = models.PositiveSmallIntegerField(_("renewal term (months)"), default=0)
    notice_amount = models.PositiveSmallIntegerField(_("notice period"), default=1)
    notice_unit = models.CharField(
        _("notice unit"), max_length=10, choices=NoticeUnit.choices, default=NoticeUnit.MONTHS
    )
    notice_anchor = models.CharField(
        _("notice to"), max_length=12, choices=NoticeAnchor.choices, default=NoticeAnchor.TERM_END
    )
    contract_type = models.CharField(_("contract type"), max_length=40, default="service")
    billing_timing = models.CharField(
        _("billing"), max_length=10, choices=BillingTiming.choices, default=BillingTiming.ADVANCE
    )
    tax_category = models.ForeignKey(TaxCategory, on_delete=models.PROTECT, related_name="+")
    article = models.ForeignKey(
        Article,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Empty: the default article from the billing settings."),
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("tariff version")
        verbose_name_plural = _("tariff versions")
        ordering = ["tariff", "valid_from"]
        constraints = [
            models.UniqueConstraint(fields=["tariff", "valid_from"], name="tariff_version_from"),
        ]

    def __str__(self) -> str:
        return f"{self.tariff} ({_('from')} {self.valid_from})"
