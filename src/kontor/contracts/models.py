from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kontor.catalog.models import Article, Module, TariffVersion
from kontor.core.history import HistoricalRecords
from kontor.core.models import VersionedModel
from kontor.customers.models import Account


class Contract(models.Model):
    """A bundle of an account's subscriptions (one per order or agreement)."""

    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="contracts")
    reference = models.CharField(_("contract reference"), max_length=40)
    branch = models.ForeignKey(
        "customers.Branch",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("branch"),
        help_text=_("Used for invoices when the billing setting says so; empty: the account's."),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("contract")
        verbose_name_plural = _("contracts")
        constraints = [
            models.UniqueConstraint(fields=["account", "reference"], name="contract_ref_unique")
        ]

    def __str__(self) -> str:
        return self.reference


class EndReason(models.TextChoices):
    CANCELLED = "cancelled", _("cancelled")
    TARIFF_CHANGE = "tariff_change", _("tariff changed")
    FIXED_TERM = "fixed_term", _("fixed end date")


class Subscription(VersionedModel):
    """A module booked by an account: one tariff version from `start_date` to `end_date`.

    A tariff change ends this row and starts a successor; billed history is never edited.
    """

    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, related_name="subscriptions")
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="subscriptions")
    module = models.ForeignKey(Module, on_delete=models.PROTECT, related_name="+")
    tariff_version = models.ForeignKey(
        TariffVersion,
        on_delete=models.PROTECT,
        related_name="subscriptions",
        verbose_name=_("tariff version"),
    )
    quantity = models.DecimalField(
        _("quantity"),
        max_digits=10,
        decimal_places=3,
        default=Decimal("1"),
        validators=[MinValueValidator(Decimal("0.001"))],
    )
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(
        _("end date"), null=True, blank=True, help_text=_("Last day of service.")
    )
    deviating_price = models.DecimalField(
        _("deviating price"), max_digits=14, decimal_places=4, null=True, blank=True
    )
    billed_until = models.DateField(
        _("billed outside Kontor until"),
        null=True,
        blank=True,
        help_text=_(
            "For contracts moved from another system: the last day already billed "
            "there. Kontor bills from the day after."
        ),
    )
    notice_given_on = models.DateField(_("notice received on"), null=True, blank=True)
    end_reason = models.CharField(
        _("end reason"), max_length=20, choices=EndReason.choices, blank=True
    )
    end_date_overridden = models.BooleanField(_("end date set by a manager"), default=False)
    predecessor = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="successor"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("subscription (booked module)")
        verbose_name_plural = _("subscriptions (booked modules)")
        ordering = ["account", "start_date", "id"]
        indexes = [models.Index(fields=["account", "end_date"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=models.F("start_date")),
                name="subscription_end_after_start",
            ),
        ]

    def __str__(self) -> str:
        end = self.end_date or "…"
        return f"{self.tariff_version.tariff} ×{self.quantity:g} ({self.start_date}–{end})"

    @property
    def effective_price(self) -> Decimal:
        return (
            self.deviating_price if self.deviating_price is not None else self.tariff_version.price
        )


class SubscriptionAddon(models.Model):
    subscription = models.ForeignKey(Subscription, on_delete=models.PROTECT, related_name="addons")
    article = models.ForeignKey(Article, on_delete=models.PROTECT, related_name="+")
    quantity = models.DecimalField(
        _("quantity"),
        max_digits=10,
        decimal_places=3,
        default=Decimal("1"),
        validators=[MinValueValidator(Decimal("0.001"))],
    )
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"), null=True, blank=True)
    booked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("booked add-on")
        verbose_name_plural = _("booked add-ons")

    def __str__(self) -> str:
        return f"{self.article} ×{self.quantity:g}"
