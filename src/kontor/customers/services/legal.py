"""Legal documents (T&C, privacy policy, DPA): publishing versions (Manager only) and
recording that an account accepted one.

A version that any account accepted is legal evidence: it is never changed or deleted, and
its SHA-256 proves which bytes were accepted. Recording an acceptance locks the document
row, so an edit or delete cannot slip in between check and acceptance.
"""

from __future__ import annotations

import hashlib
from datetime import date, datetime
from typing import Any

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _

from kontor.core.audit import audit
from kontor.core.errors import Conflict, FieldError, NotFound, ValidationFailed, invalid
from kontor.core.permissions import Action, require
from kontor.customers.models import LegalAcceptance, LegalDocument, LegalDocumentType
from kontor.customers.selectors import account_for_actor
from kontor.customers.services.classification import delete_unless_in_use, same_ignoring_case
from kontor.customers.types import UploadedDocument

LEGAL_DOCUMENT_FIELDS = ("doc_type", "version", "valid_from", "file")
MAX_LEGAL_DOCUMENT_BYTES = 10 * 1024 * 1024
MAX_VERSION_LABEL = 30


@transaction.atomic
def legal_acceptance_record(
    *,
    actor: Any,
    account_id: int,
    document_id: int,
    accepted_at: datetime,
    ip_address: str | None = None,
) -> LegalAcceptance:
    """Record that the account accepted a T&C / privacy document version (when, from where)."""
    require(actor, Action.LEGAL_ACCEPTANCE_RECORD)
    account = account_for_actor(actor, account_id)
    try:
        document = LegalDocument.objects.select_for_update().get(pk=document_id)
    except LegalDocument.DoesNotExist as exc:
        raise invalid(
            "document", _("Legal document %s does not exist.") % document_id, "not_found"
        ) from exc
    if accepted_at.tzinfo is None:
        raise invalid("accepted_at", _("Give the time with a time zone."), "naive_datetime")
    acceptance = LegalAcceptance.objects.create(
        account=account,
        document=document,
        accepted_at=accepted_at,
        ip_address=ip_address,
        recorded_by=actor,
    )
    audit(actor, "legal.accepted", account, document=str(document), ip=ip_address)
    return acceptance


@transaction.atomic
def legal_document_create(
    *, actor: Any, doc_type: str, version: str, valid_from: date, file: UploadedDocument | None
) -> LegalDocument:
    """Publish a new version: a PDF of at most 10 MB; the version label is unique per type."""
    require(actor, Action.SETTINGS_MANAGE)
    document = LegalDocument()
    upload = _apply(
        document,
        {"doc_type": doc_type, "version": version, "valid_from": valid_from, "file": file},
    )
    _store(document, upload, actor)
    audit(
        actor,
        "legal_document.created",
        document,
        doc_type=document.doc_type,
        version=document.version,
        valid_from=document.valid_from,
        sha256=document.sha256,
    )
    return document


@transaction.atomic
def legal_document_update(
    *, actor: Any, document_id: int, changes: dict[str, Any]
) -> LegalDocument:
    """Correct a version nobody accepted yet (type, label, date, or a new file)."""
    require(actor, Action.SETTINGS_MANAGE)
    document = _lock_unaccepted(document_id, deleting=False)
    old_file = document.file.name
    before = {name: getattr(document, name) for name in ("doc_type", "version", "valid_from")}
    upload = _apply(document, changes)
    if upload is not None and hashlib.sha256(upload.content).hexdigest() == document.sha256:
        upload = None  # the same bytes again
    changed = {
        name: [old, getattr(document, name)]
        for name, old in before.items()
        if old != getattr(document, name)
    }
    if upload is not None:
        changed["sha256"] = [document.sha256, hashlib.sha256(upload.content).hexdigest()]
    if not changed:
        return document
    _store(document, upload, actor)
    if upload is not None and old_file:
        _delete_file_on_commit(document, old_file)
    audit(actor, "legal_document.updated", document, changes=changed)
    return document


@transaction.atomic
def legal_document_delete(*, actor: Any, document_id: int) -> None:
    """Delete a version nobody accepted (e.g. uploaded by mistake), with its file."""
    require(actor, Action.SETTINGS_MANAGE)
    document = _lock_unaccepted(document_id, deleting=True)
    audit(
        actor,
        "legal_document.deleted",
        document,
        doc_type=document.doc_type,
        version=document.version,
        sha256=document.sha256,
    )
    file_name = document.file.name
    delete_unless_in_use(document, actor, "document_accepted")
    if file_name:
        _delete_file_on_commit(document, file_name)


def legal_document_acceptances(document: LegalDocument) -> int:
    return LegalAcceptance.objects.filter(document=document).count()


def _lock_unaccepted(document_id: int, *, deleting: bool) -> LegalDocument:
    try:
        document = LegalDocument.objects.select_for_update().get(pk=document_id)
    except (LegalDocument.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFound(_("Legal document %s does not exist.") % document_id) from exc
    accepted = legal_document_acceptances(document)
    if accepted:
        message = (
            _(
                "%(document)s was accepted by %(count)s account(s); as legal evidence it "
                "cannot be deleted."
            )
            if deleting
            else _(
                "%(document)s was accepted by %(count)s account(s); as legal evidence it "
                "cannot be changed. Publish a new version instead."
            )
        )
        raise Conflict(
            message % {"document": document, "count": accepted}, code="document_accepted"
        )
    return document


def _apply(document: LegalDocument, changes: dict[str, Any]) -> UploadedDocument | None:
    """Validate and set the fields; returns the new file, if one was given. All field errors
    at once."""
    errors: list[FieldError] = []
    upload: UploadedDocument | None = None
    for name, value in changes.items():
        try:
            if name == "file":
                upload = _clean_file(value)
            elif name in LEGAL_DOCUMENT_FIELDS:
                setattr(document, name, _clean(name, value))
            else:
                raise invalid(name, _("This field cannot be changed."), "unknown_field")
        except ValidationFailed as exc:
            errors.extend(exc.errors)
    if not errors:
        errors.extend(_duplicates(document))
    if errors:
        raise ValidationFailed(errors)
    return upload


def _clean(name: str, value: Any) -> Any:
    if name == "doc_type":
        if value not in LegalDocumentType.values:
            raise invalid(
                name,
                _("Must be one of: %s.") % ", ".join(LegalDocumentType.values),
                "invalid_choice",
            )
        return value
    if name == "valid_from":
        if not isinstance(value, date) or isinstance(value, datetime):
            raise invalid(name, _("Give a date."), "required" if value is None else "invalid")
        return value
    label = "" if value is None else str(value).strip()
    if not label:
        raise invalid(name, _("This field is required."), "required")
    if len(label) > MAX_VERSION_LABEL:
        raise invalid(
            name, _("At most %(limit)s characters.") % {"limit": MAX_VERSION_LABEL}, "too_long"
        )
    return label


def _clean_file(upload: UploadedDocument | None) -> UploadedDocument:
    if upload is None:
        raise invalid("file", _("Upload the document as a PDF file."), "required")
    if not upload.content:
        raise invalid("file", _("The file %s is empty.") % upload.name, "empty_file")
    if len(upload.content) > MAX_LEGAL_DOCUMENT_BYTES:
        raise invalid(
            "file", _("The file %s is larger than 10 MB.") % upload.name, "file_too_large"
        )
    if not upload.content.startswith(b"%PDF-"):
        raise invalid("file", _("The file %s is not a PDF.") % upload.name, "not_pdf")
    return upload


def _duplicates(document: LegalDocument) -> list[FieldError]:
    if not (document.doc_type and document.version and document.valid_from):
        return []
    same_type = LegalDocument.objects.filter(doc_type=document.doc_type).exclude(pk=document.pk)
    label = document.get_doc_type_display()
    errors = []
    existing_label = same_ignoring_case(
        same_type.values_list("version", flat=True), document.version
    )
    if existing_label is not None:
        errors.append(
            FieldError(
                "version",
                "duplicate",
                _("Version %(version)s of the %(type)s exists already.")
                % {"version": existing_label, "type": label},
            )
        )
    existing = same_type.filter(valid_from=document.valid_from).first()
    if existing is not None:
        errors.append(
            FieldError(
                "valid_from",
                "duplicate",
                _("Version %(version)s of the %(type)s is valid from this date already.")
                % {"version": existing.version, "type": label},
            )
        )
    return errors


def _store(document: LegalDocument, upload: UploadedDocument | None, actor: Any) -> None:
    """Save the row (and the new file). A concurrent insert of the same version hits the
    database constraint: the stored file is removed again and the error names the field."""
    if upload is not None:
        document.sha256 = hashlib.sha256(upload.content).hexdigest()
        name = f"{document.doc_type}-{slugify(document.version) or 'version'}.pdf"
        document.file.save(name, ContentFile(upload.content), save=False)
    document._history_user = actor  # type: ignore[attr-defined]
    try:
        with transaction.atomic():
            document.save()
    except IntegrityError as exc:
        if upload is not None:
            document.file.storage.delete(document.file.name)
        raise invalid(
            "version",
            _("Version %(version)s of the %(type)s exists already.")
            % {"version": document.version, "type": document.get_doc_type_display()},
            "duplicate",
        ) from exc


def _delete_file_on_commit(document: LegalDocument, name: str) -> None:
    storage = document.file.storage
    transaction.on_commit(lambda: storage.delete(name))
