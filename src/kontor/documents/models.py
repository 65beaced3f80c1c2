"""Archived invoice documents. A document is written once and never changed (GoBD): a
re-render creates the next version, with its reason in the audit log."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kontor.invoicing.models import Invoice, OutboxEntry


class DocumentKind(models.TextChoices):
    FACTURX_PDF = "facturx_pdf", _("Factur-X PDF (EN 16931)")
    XRECHNUNG_XML = "xrechnung_xml", _("XRechnung XML")


class Document(models.Model):
    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="documents")
    kind = models.CharField(_("kind"), max_length=20, choices=DocumentKind.choices)
    version = models.PositiveIntegerField(_("version"), default=1)
    file = models.FileField(_("file"), max_length=255)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    size = models.PositiveIntegerField(_("size in bytes"))
    created_at = models.DateTimeField(_("created at"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.TextField(_("reason"), blank=True)

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        ordering = ["invoice", "kind", "version"]
        constraints = [
            models.UniqueConstraint(
                fields=["invoice", "kind", "version"], name="document_version_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.invoice} {self.kind} v{self.version}"


class RenderFailure(models.Model):
    """Why an `invoice.finalized` outbox entry could not be rendered (it stays unprocessed and
    is retried by `kontor render-documents`)."""

    entry = models.OneToOneField(
        OutboxEntry, on_delete=models.CASCADE, related_name="render_failure"
    )
    invoice = models.ForeignKey(
        Invoice, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    code = models.CharField(_("code"), max_length=60)
    message = models.TextField(_("message"))
    rules = models.JSONField(_("failed rules"), default=list, blank=True)
    attempts = models.PositiveIntegerField(_("attempts"), default=1)
    last_failed_at = models.DateTimeField(_("last failed at"))

    class Meta:
        verbose_name = _("document render failure")
        verbose_name_plural = _("document render failures")

    def __str__(self) -> str:
        return f"{self.entry}: {self.code}"
