"""Legal documents: publishing a version (PDF, label unique per type, SHA-256 stored), correcting
or deleting it while nobody accepted it, and never once an account accepted it."""

from __future__ import annotations

import hashlib
from datetime import date

import pytest
from django.core.files.storage import default_storage

from kontor.core import clock
from kontor.core.errors import Conflict, NotFound, ValidationFailed
from kontor.core.models import AuditEntry
from kontor.customers.models import LegalDocument
from kontor.customers.services import (
    legal_acceptance_record,
    legal_document_create,
    legal_document_delete,
    legal_document_update,
)
from kontor.customers.services.legal import MAX_LEGAL_DOCUMENT_BYTES
from kontor.customers.types import UploadedDocument
from tests.builders import account

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

PDF = b"%PDF-1.7\n% AGB v4\n%%EOF\n"
PDF_V5 = b"%PDF-1.7\n% AGB v5\n%%EOF\n"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def pdf(content: bytes = PDF, name: str = "agb.pdf") -> UploadedDocument:
    return UploadedDocument(name=name, content=content)


def publish(actor, version: str = "v4", valid_from: date = date(2027, 1, 1), **kw):
    return legal_document_create(
        actor=actor,
        doc_type=kw.pop("doc_type", "terms"),
        version=version,
        valid_from=valid_from,
        file=kw.pop("file", pdf()),
    )


def errors(exc: pytest.ExceptionInfo) -> list[tuple[str | None, str]]:
    return [(e.field, e.code) for e in exc.value.errors]


def accept(manager, document):
    customer = account(manager)
    legal_acceptance_record(
        actor=manager, account_id=customer.pk, document_id=document.pk, accepted_at=clock.now()
    )


def test_publish_stores_the_pdf_and_its_sha256(manager):
    document = publish(manager, version=" v4 ")

    assert (document.doc_type, document.version, document.valid_from) == (
        "terms",
        "v4",
        date(2027, 1, 1),
    )
    assert document.sha256 == hashlib.sha256(PDF).hexdigest()
    assert document.file.name.startswith("legal/terms-v4")
    with document.file.open("rb") as handle:
        assert handle.read() == PDF
    assert AuditEntry.objects.get(action="legal_document.created").data == {
        "doc_type": "terms",
        "version": "v4",
        "valid_from": "2027-01-01",
        "sha256": document.sha256,
    }
    assert document.history.get().history_user == manager


@pytest.mark.parametrize(
    "upload, code",
    [
        (None, "required"),
        (UploadedDocument("agb.pdf", b""), "empty_file"),
        (UploadedDocument("agb.docx", b"PK\x03\x04 word"), "not_pdf"),
        (UploadedDocument("big.pdf", b"%PDF-" + b"0" * MAX_LEGAL_DOCUMENT_BYTES), "file_too_large"),
    ],
)
def test_the_file_must_be_a_pdf_of_at_most_10_mb(manager, upload, code):
    with pytest.raises(ValidationFailed) as exc:
        publish(manager, file=upload)

    assert errors(exc) == [("file", code)]
    assert not LegalDocument.objects.exists()
    assert not AuditEntry.objects.exists()


def test_every_bad_field_is_named_at_once(manager):
    with pytest.raises(ValidationFailed) as exc:
        legal_document_create(
            actor=manager, doc_type="cookie", version="  ", valid_from=None, file=None
        )

    assert errors(exc) == [
        ("doc_type", "invalid_choice"),
        ("version", "required"),
        ("valid_from", "required"),
        ("file", "required"),
    ]


@pytest.mark.parametrize("label", ["v4", "V4", " v4"])
def test_the_version_label_is_unique_per_type(manager, label):
    publish(manager)

    with pytest.raises(ValidationFailed) as exc:
        publish(manager, version=label, valid_from=date(2027, 2, 1))

    assert errors(exc) == [("version", "duplicate")]
    assert exc.value.errors[0].message == "Version v4 of the terms and conditions exists already."
    privacy = publish(manager, version=label, doc_type="privacy")
    assert privacy.version == label.strip()


def test_two_versions_of_one_type_cannot_start_on_the_same_day(manager):
    publish(manager)

    with pytest.raises(ValidationFailed) as exc:
        publish(manager, version="v5")

    assert errors(exc) == [("valid_from", "duplicate")]


def test_an_unaccepted_version_can_be_corrected_and_gets_the_new_hash(
    manager, django_capture_on_commit_callbacks
):
    document = publish(manager)
    old_file = document.file.name

    with django_capture_on_commit_callbacks(execute=True):
        updated = legal_document_update(
            actor=manager,
            document_id=document.pk,
            changes={"version": "v4.1", "valid_from": date(2027, 2, 1), "file": pdf(PDF_V5)},
        )

    assert (updated.version, updated.valid_from) == ("v4.1", date(2027, 2, 1))
    assert updated.sha256 == hashlib.sha256(PDF_V5).hexdigest()
    assert not default_storage.exists(old_file)  # replaced file removed after commit
    data = AuditEntry.objects.get(action="legal_document.updated").data["changes"]
    assert data["version"] == ["v4", "v4.1"]
    assert data["sha256"] == [hashlib.sha256(PDF).hexdigest(), updated.sha256]


def test_an_accepted_version_is_immutable(manager):
    document = publish(manager)
    accept(manager, document)

    with pytest.raises(Conflict) as exc:
        legal_document_update(
            actor=manager, document_id=document.pk, changes={"valid_from": date(2027, 3, 1)}
        )

    assert exc.value.code == "document_accepted"
    assert exc.value.message == (
        "terms and conditions v4 was accepted by 1 account(s); as legal evidence it cannot be "
        "changed. Publish a new version instead."
    )
    document.refresh_from_db()
    assert document.valid_from == date(2027, 1, 1)
    assert not AuditEntry.objects.filter(action="legal_document.updated").exists()


def test_an_accepted_version_cannot_be_deleted(manager):
    document = publish(manager)
    accept(manager, document)
    accept(manager, document)

    with pytest.raises(Conflict) as exc:
        legal_document_delete(actor=manager, document_id=document.pk)

    assert exc.value.message == (
        "terms and conditions v4 was accepted by 2 account(s); as legal evidence it cannot be "
        "deleted."
    )
    assert LegalDocument.objects.filter(pk=document.pk).exists()
    assert default_storage.exists(document.file.name)


def test_an_unaccepted_version_is_deleted_with_its_file(
    manager, django_capture_on_commit_callbacks
):
    document = publish(manager)
    name = document.file.name

    with django_capture_on_commit_callbacks(execute=True):
        legal_document_delete(actor=manager, document_id=document.pk)

    assert not LegalDocument.objects.exists()
    assert not default_storage.exists(name)
    assert AuditEntry.objects.get(action="legal_document.deleted").data["version"] == "v4"
    assert LegalDocument.history.get(history_type="-").history_user == manager


def test_the_same_bytes_again_change_nothing(manager):
    document = publish(manager)

    legal_document_update(actor=manager, document_id=document.pk, changes={"file": pdf()})

    assert not AuditEntry.objects.filter(action="legal_document.updated").exists()


def test_a_lost_race_removes_the_stored_file_again(manager, monkeypatch, tmp_path):
    from kontor.customers.services import legal

    publish(manager)
    monkeypatch.setattr(legal, "_duplicates", lambda document: [])

    with pytest.raises(ValidationFailed) as exc:
        publish(manager, version="V4", valid_from=date(2027, 2, 1))

    assert errors(exc) == [("version", "duplicate")]
    assert LegalDocument.objects.count() == 1
    assert [p.name for p in (tmp_path / "legal").iterdir()] == ["terms-v4.pdf"]


def test_missing_document(manager):
    with pytest.raises(NotFound):
        legal_document_update(actor=manager, document_id=999999, changes={"version": "x"})
    with pytest.raises(NotFound):
        legal_document_delete(actor=manager, document_id=999999)
