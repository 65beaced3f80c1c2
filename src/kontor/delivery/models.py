"""The delivery outbox: one row per (invoice, channel, recipient), moving pending → in flight →
sent / failed, and the delivery log of everything that happened to it.

The unique constraint is the idempotency key: scheduling an invoice twice, or two workers
scheduling it at once, never creates a second delivery, so nothing is sent twice.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from kontor.invoicing.models import Invoice


class DeliveryChannel(models.TextChoices):
    EMAIL = "email", _("e-mail")
    POST = "post", _("post")
    PORTAL = "portal", _("portal")


class DeliveryMode(models.TextChoices):
    ATTACHMENT = "attachment", _("PDF attached")
    LINK = "link", _("download link")


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("pending")
    IN_FLIGHT = "in_flight", _("in flight")
    SENT = "sent", _("sent")
    FAILED = "failed", _("failed")


class Delivery(models.Model):
    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="deliveries")
    channel = models.CharField(_("channel"), max_length=10, choices=DeliveryChannel.choices)
    recipient = models.CharField(_("recipient"), max_length=254, blank=True)
    mode = models.CharField(
        _("mode"), max_length=12, choices=DeliveryMode.choices, default=DeliveryMode.ATTACHMENT
    )
    status = models.CharField(
        _("status"), max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"))
    claimed_at = models.DateTimeField(_("in flight since"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    permanent = models.BooleanField(_("permanent failure"), default=False)
    message_id = models.CharField(_("Message-ID"), max_length=255, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"))

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        ordering = ["invoice", "channel", "recipient"]
        constraints = [
            models.UniqueConstraint(
                fields=["invoice", "channel", "recipient"], name="delivery_unique"
            )
        ]
        indexes = [models.Index(fields=["status", "channel", "next_attempt_at"])]

    def __str__(self) -> str:
        return f"{self.invoice} → {self.recipient or self.get_channel_display()}"


class DeliveryEventKind(models.TextChoices):
    SENT = "sent", _("sent")
    RETRY = "retry", _("temporary failure, will retry")
    FAILED = "failed", _("failed")
    REQUEUED = "requeued", _("re-queued after being stuck in flight")
    RETRIED = "retried", _("queued again by staff")
    DOWNLOADED = "downloaded", _("downloaded through the link")
    PRINTED = "printed", _("printed for postal delivery")
    ARCHIVE_FAILED = "archive_failed", _("archive copy failed")
    SURCHARGE_FAILED = "surcharge_failed", _("postal surcharge not charged")


class DeliveryEvent(models.Model):
    """The delivery log: when, to whom, which Message-ID, every failure, every download."""

    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(_("time"))
    kind = models.CharField(_("event"), max_length=20, choices=DeliveryEventKind.choices)
    detail = models.JSONField(_("detail"), default=dict, blank=True)

    class Meta:
        verbose_name = _("delivery event")
        verbose_name_plural = _("delivery events")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.kind}"


class DeliverySchedule(models.Model):
    """Marks an invoice whose deliveries were created (possibly none: no e-mail and not by
    post), so the outbox consumer picks every invoice exactly once."""

    invoice = models.OneToOneField(
        Invoice, on_delete=models.PROTECT, primary_key=True, related_name="delivery_schedule"
    )
    scheduled_at = models.DateTimeField(_("scheduled at"))
    deliveries = models.PositiveIntegerField(_("deliveries"))

    class Meta:
        verbose_name = _("delivery schedule")
        verbose_name_plural = _("delivery schedules")

    def __str__(self) -> str:
        return f"{self.invoice}: {self.deliveries}"


class DeliveryStart(models.Model):
    """The day delivery first ran on this database (one row). Invoices finalized and due
    before it are held back, so the first `send-due` on a database with history does not
    mail every old invoice; KONTOR_DELIVERY_SINCE overrides it."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    since = models.DateField(_("delivery since"))
    recorded_at = models.DateTimeField(_("recorded at"))

    class Meta:
        verbose_name = _("delivery start")
        verbose_name_plural = _("delivery start")
        constraints = [models.CheckConstraint(condition=models.Q(id=1), name="delivery_start_one")]

    def __str__(self) -> str:
        return self.since.isoformat()
