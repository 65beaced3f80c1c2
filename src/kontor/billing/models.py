from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from kontor.core.models import VersionedModel


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
