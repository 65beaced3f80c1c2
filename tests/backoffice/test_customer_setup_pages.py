"""Back-office pages for customer groups, branches and legal documents: managers add, change
and delete through the services (errors on the fields, stale saves refused, in-use records
kept with the reason); clerks and accountants read; customers do not get in."""

from __future__ import annotations

import hashlib
from datetime import date

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from kontor.billing.collective import collective_profile_create
from kontor.core import clock
from kontor.core.models import AuditEntry
from kontor.core.permissions import Role
from kontor.customers.models import Branch, CustomerGroup, LegalDocument
from kontor.customers.services import (
    branch_create,
    customer_group_create,
    legal_acceptance_record,
    legal_document_create,
)
from kontor.customers.types import UploadedDocument
from tests.backoffice.conftest import login
from tests.builders import account, party
from tests.conftest import make_user

pytestmark = pytest.mark.django_db

M, C, A = "manager", "clerk", "accountant"
PDF = b"%PDF-1.7\n% AGB v4\n%%EOF\n"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def records(manager):
    group = customer_group_create(actor=manager, name="Vereine")
    branch = branch_create(actor=manager, code="HH", name="Hamburg")
    document = legal_document_create(
        actor=manager,
        doc_type="terms",
        version="v4",
        valid_from=date(2027, 1, 1),
        file=UploadedDocument("agb.pdf", PDF),
    )
    return {"customergroup": group, "branch": branch, "legaldocument": document}


def url(model: str, view: str, *args: object) -> str:
    return reverse(f"admin:customers_{model}_{view}", args=args)


def text(response) -> str:
    return response.content.decode()


def flash(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def pdf(content: bytes = PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile("agb.pdf", content, "application/pdf")


ADD_POSTS = {
    "customergroup": lambda: {"name": "Agenturen", "description": "", "collective_profile": ""},
    "branch": lambda: {"code": "B", "name": "Berlin"},
    "legaldocument": lambda: {
        "doc_type": "privacy",
        "version": "v1",
        "valid_from": "2027-01-01",
        "file": pdf(),
    },
}
CHANGE_POSTS = {
    "customergroup": {"name": "Clubs", "description": "", "collective_profile": "", "version": "1"},
    "branch": {"code": "HH", "name": "Harburg", "version": "1"},
    "legaldocument": {"doc_type": "terms", "version": "v4.1", "valid_from": "2027-01-01"},
}


def snapshot() -> dict[str, object]:
    return {
        "audit": AuditEntry.objects.count(),
        "groups": sorted(CustomerGroup.objects.values_list("pk", "version", "name")),
        "branches": sorted(Branch.objects.values_list("pk", "version", "code", "name")),
        "documents": sorted(LegalDocument.objects.values_list("pk", "version", "sha256")),
    }


@pytest.mark.parametrize("model", ["customergroup", "branch", "legaldocument"])
@pytest.mark.parametrize("role", [C, A])
def test_clerks_and_accountants_read_but_do_not_write(records, clerk, accountant, role, model):
    http = login({C: clerk, A: accountant}[role])
    pk = records[model].pk
    assert http.get(url(model, "changelist")).status_code == 200
    page = http.get(url(model, "change", pk))
    assert page.status_code == 200
    assert 'name="_save"' not in text(page)
    assert http.get(url(model, "history", pk)).status_code == 200
    before = snapshot()

    assert http.get(url(model, "add")).status_code == 403
    assert http.post(url(model, "add"), ADD_POSTS[model]()).status_code == 403
    assert http.post(url(model, "change", pk), CHANGE_POSTS[model]).status_code == 403
    assert http.post(url(model, "delete", pk), {"post": "yes"}).status_code == 403

    assert snapshot() == before


@pytest.mark.parametrize("model", ["customergroup", "branch", "legaldocument"])
def test_manager_adds_changes_and_deletes(records, manager, model):
    http = login(manager)
    pk = records[model].pk

    added = http.post(url(model, "add"), ADD_POSTS[model]())
    changed = http.post(url(model, "change", pk), CHANGE_POSTS[model])
    deleted = http.post(url(model, "delete", pk), {"post": "yes"})

    assert added.status_code == 302, added.context["adminform"].form.errors
    assert changed.status_code == 302, changed.context["adminform"].form.errors
    assert deleted.url == url(model, "changelist")
    actions = list(AuditEntry.objects.order_by("id").values_list("action", flat=True))[-3:]
    prefix = {"customergroup": "customer_group", "legaldocument": "legal_document"}.get(
        model, model
    )
    assert actions == [f"{prefix}.created", f"{prefix}.updated", f"{prefix}.deleted"]


@pytest.mark.parametrize("model", ["customergroup", "branch", "legaldocument"])
def test_customers_do_not_get_into_the_back_office(records, manager, model):
    customer = make_user("kunde", Role.CUSTOMER)
    account(manager, owner=customer.pk)
    http = login(customer)
    before = snapshot()

    listing = http.get(url(model, "changelist"))
    posted = http.post(url(model, "add"), ADD_POSTS[model]())

    assert listing.status_code == 302 and "/login/" in listing.url
    assert posted.status_code == 302 and "/login/" in posted.url
    assert snapshot() == before


# --- customer groups ------------------------------------------------------------------------


def test_group_round_trip_with_profile_duplicate_stale_version_and_in_use(records, manager):
    http = login(manager)
    profile = collective_profile_create(
        actor=manager, data={"name": "Monatlich", "interval": "monthly"}
    )
    group = records["customergroup"]
    change = url("customergroup", "change", group.pk)
    page = text(http.get(change))
    assert '<input type="hidden" name="version" value="1"' in page

    saved = http.post(
        change,
        {"name": "Sportvereine", "description": "e. V.", "collective_profile": profile.pk,
         "version": "1"},
    )  # fmt: skip
    assert saved.status_code == 302
    group.refresh_from_db()
    assert (group.name, group.collective_profile, group.version) == (
        "Sportvereine",
        profile,
        2,
    )

    stale = http.post(change, {**CHANGE_POSTS["customergroup"], "version": "1"})
    [error] = stale.context["adminform"].form.non_field_errors()
    assert error.startswith("This record was changed by someone else")
    duplicate = http.post(url("customergroup", "add"), {"name": "SPORTVEREINE "})
    assert duplicate.context["adminform"].form.errors == {
        "name": ["A customer group named Sportvereine exists already."]
    }

    account(manager, group=group.pk)
    refused = http.post(url("customergroup", "delete", group.pk), {"post": "yes"})
    assert refused.url == change
    assert flash(refused) == [
        "Not deleted: The customer group is used by 1 account(s); it cannot be deleted. "
        "Assign the accounts to another group first (deleted accounts keep their group)."
    ]
    group.refresh_from_db()
    assert (group.name, group.version) == ("Sportvereine", 2)
    listing = text(http.get(url("customergroup", "changelist")))
    assert "Monatlich" in listing


# --- branches -------------------------------------------------------------------------------


def test_branch_code_is_fixed_once_used_and_bad_codes_show_on_the_field(records, manager):
    http = login(manager)
    branch = records["branch"]
    account(manager, branch=branch.pk, party=party(company_name="Eins GmbH"))

    bad = http.post(url("branch", "add"), {"code": "H H", "name": "Harburg"})
    in_use = http.post(
        url("branch", "change", branch.pk), {"code": "HAM", "name": "Hamburg", "version": "1"}
    )

    assert bad.context["adminform"].form.errors == {
        "code": ["Use letters A-Z, digits, '-' and '_' only (e.g. HH)."]
    }
    assert in_use.context["adminform"].form.errors["code"] == [
        "The code cannot be changed: the branch is used by 1 account(s), and import files and "
        "issued invoices refer to it by its code."
    ]
    assert Branch.objects.get().code == "HH"
    refused = http.post(url("branch", "delete", branch.pk), {"post": "yes"})
    assert flash(refused) == [
        "Not deleted: The branch is used by 1 account(s); it cannot be deleted."
    ]


# --- legal documents ------------------------------------------------------------------------


def test_publish_download_and_refuse_a_non_pdf(records, manager):
    http = login(manager)

    not_pdf = http.post(
        url("legaldocument", "add"),
        {**ADD_POSTS["legaldocument"](), "file": SimpleUploadedFile("agb.docx", b"PK\x03\x04")},
    )
    published = http.post(url("legaldocument", "add"), ADD_POSTS["legaldocument"]())

    assert not_pdf.context["adminform"].form.errors == {"file": ["The file agb.docx is not a PDF."]}
    assert published.status_code == 302
    document = LegalDocument.objects.get(doc_type="privacy")
    assert document.sha256 == hashlib.sha256(PDF).hexdigest()
    page = text(http.get(url("legaldocument", "change", document.pk)))
    assert document.sha256 in page
    download = http.get(url("legaldocument", "file", document.pk))
    assert b"".join(download.streaming_content) == PDF


def test_an_accepted_document_is_read_only(records, manager, clerk):
    document = records["legaldocument"]
    legal_acceptance_record(
        actor=manager,
        account_id=account(manager).pk,
        document_id=document.pk,
        accepted_at=clock.now(),
    )
    http = login(manager)
    before = snapshot()

    page = http.get(url("legaldocument", "change", document.pk))
    changed = http.post(url("legaldocument", "change", document.pk), CHANGE_POSTS["legaldocument"])
    deleted = http.post(url("legaldocument", "delete", document.pk), {"post": "yes"})

    assert page.status_code == 200
    assert 'name="_save"' not in text(page)
    assert "1 account(s): read only (legal evidence)" in text(page)
    assert (changed.status_code, deleted.status_code) == (403, 403)
    assert snapshot() == before
