"""Customer groups, branches and legal documents over the API: create, read, change with
If-Match, delete; errors name the field; in-use refusals say how many records use it."""

from __future__ import annotations

import hashlib
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from kontor.core import clock
from kontor.customers.models import Branch, CustomerGroup, LegalDocument
from kontor.customers.services import legal_acceptance_record
from tests.api.conftest import ApiClient, World, make_account, party

PDF = b"%PDF-1.7\n% AGB v4\n%%EOF\n"


def errors(response) -> list[tuple[str | None, str]]:
    return [(e["field"], e["code"]) for e in response.body["errors"]]


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


# --- customer groups ----------------------------------------------------------------------


def test_customer_group_lifecycle(world: World, api: ApiClient):
    created = api.post("/customer-groups", {"name": " Vereine ", "description": "Sport"})

    assert created.status == 201, created.body
    assert created.headers["ETag"] == '"1"'
    group_id = created.body["id"]
    assert created.body == {
        "id": group_id,
        "version": 1,
        "name": "Vereine",
        "description": "Sport",
        "collective_profile": None,
    }
    assert api.get(f"/customer-groups/{group_id}").headers["ETag"] == '"1"'

    renamed = api.patch(f"/customer-groups/{group_id}", {"name": "Clubs"}, HTTP_IF_MATCH='"1"')
    assert (renamed.status, renamed.body["name"], renamed.headers["ETag"]) == (200, "Clubs", '"2"')

    deleted = api.delete(f"/customer-groups/{group_id}")
    assert deleted.status == 204
    assert not CustomerGroup.objects.exists()
    assert api.get(f"/customer-groups/{group_id}").status == 404


def test_customer_group_errors_name_the_field(world: World, api: ApiClient):
    api.post("/customer-groups", {"name": "Vereine"})
    group = CustomerGroup.objects.get()

    duplicate = api.post("/customer-groups", {"name": "VEREINE"})
    empty = api.post("/customer-groups", {"name": " "})
    unknown = api.post("/customer-groups", {"name": "X", "colour": "red"})
    no_version = api.patch(f"/customer-groups/{group.pk}", {"name": "Clubs"})
    stale = api.patch(f"/customer-groups/{group.pk}", {"name": "Clubs", "version": 7})

    assert (duplicate.status, errors(duplicate)) == (422, [("name", "duplicate")])
    assert (
        duplicate.body["errors"][0]["message"] == "A customer group named Vereine exists already."
    )
    assert (empty.status, errors(empty)) == (422, [("name", "required")])
    assert (unknown.status, errors(unknown)) == (422, [("colour", "unknown_field")])
    assert (no_version.status, errors(no_version)) == (428, [("version", "version_required")])
    assert (stale.status, errors(stale)) == (409, [("version", "stale_version")])
    assert CustomerGroup.objects.get().name == "Vereine"


def test_customer_group_with_accounts_is_not_deleted(world: World, api: ApiClient):
    group_id = api.post("/customer-groups", {"name": "Vereine"}).body["id"]
    make_account(world.manager, group=group_id)
    make_account(world.manager, group=group_id, party=party(company_name="Zwei GmbH"))

    refused = api.delete(f"/customer-groups/{group_id}")

    assert (refused.status, errors(refused)) == (409, [(None, "group_in_use")])
    assert "used by 2 account(s)" in refused.body["errors"][0]["message"]
    assert CustomerGroup.objects.filter(pk=group_id).exists()


# --- branches -------------------------------------------------------------------------------


def test_branch_lifecycle(world: World, api: ApiClient):
    created = api.post("/branches", {"code": "HH", "name": "Hamburg"})

    assert created.status == 201, created.body
    branch_id = created.body["id"]
    assert created.body == {"id": branch_id, "version": 1, "code": "HH", "name": "Hamburg"}
    assert world.api("accountant").get("/branches").body == [created.body]

    changed = api.patch(f"/branches/{branch_id}", {"code": "HAM", "version": 1})
    assert (changed.status, changed.body["code"], changed.body["version"]) == (200, "HAM", 2)

    make_account(world.manager, branch=branch_id)
    fixed = api.patch(f"/branches/{branch_id}", {"code": "HB"}, HTTP_IF_MATCH='"2"')
    assert (fixed.status, errors(fixed)) == (422, [("code", "in_use")])
    renamed = api.patch(f"/branches/{branch_id}", {"name": "Hamburg-Mitte"}, HTTP_IF_MATCH='"2"')
    assert (renamed.status, renamed.body["name"]) == (200, "Hamburg-Mitte")
    stale = api.patch(f"/branches/{branch_id}", {"name": "Alt"}, HTTP_IF_MATCH='"2"')
    assert (stale.status, errors(stale)) == (409, [("version", "stale_version")])

    in_use = api.delete(f"/branches/{branch_id}")
    assert (in_use.status, errors(in_use)) == (409, [(None, "branch_in_use")])
    assert in_use.body["errors"][0]["message"] == (
        "The branch is used by 1 account(s); it cannot be deleted."
    )
    assert Branch.objects.get().name == "Hamburg-Mitte"


def test_branch_errors_name_the_field(world: World, api: ApiClient):
    api.post("/branches", {"code": "HH", "name": "Hamburg"})
    branch = Branch.objects.get()

    bad = api.post("/branches", {"code": "H H", "name": ""})
    duplicate = api.post("/branches", {"code": "hh", "name": "Harburg"})
    missing = api.post("/branches", {"name": "Berlin"})
    nothing = api.patch(f"/branches/{branch.pk}", {"version": 1})
    no_version = api.patch(f"/branches/{branch.pk}", {"name": "X"})

    assert (bad.status, errors(bad)) == (422, [("code", "invalid"), ("name", "required")])
    assert (duplicate.status, errors(duplicate)) == (422, [("code", "duplicate")])
    assert (missing.status, errors(missing)) == (422, [("code", "required")])
    assert (nothing.status, errors(nothing)) == (422, [(None, "no_changes")])
    assert (no_version.status, errors(no_version)) == (428, [("version", "version_required")])
    assert Branch.objects.count() == 1


def test_unused_branch_is_deleted(world: World, api: ApiClient):
    branch_id = api.post("/branches", {"code": "HH", "name": "Hamburg"}).body["id"]

    assert api.delete(f"/branches/{branch_id}").status == 204
    assert api.delete(f"/branches/{branch_id}").status == 404


# --- legal documents ------------------------------------------------------------------------


def publish(api: ApiClient, content: bytes = PDF, **fields: str):
    data = {"doc_type": "terms", "version": "v4", "valid_from": "2027-01-01", **fields}
    if content is not None:
        data["file"] = SimpleUploadedFile("agb.pdf", content, "application/pdf")
    return api.multipart("/legal-documents", data)


def test_publish_a_legal_document_and_download_it(world: World, api: ApiClient):
    created = publish(api)

    assert created.status == 201, created.body
    document_id = created.body["id"]
    assert created.body == {
        "id": document_id,
        "doc_type": "terms",
        "version": "v4",
        "valid_from": "2027-01-01",
        "sha256": hashlib.sha256(PDF).hexdigest(),
        "acceptances": 0,
        "content_url": f"/api/v1/legal-documents/{document_id}/content",
    }
    content = api.client.get(created.body["content_url"], **api._headers({}))
    assert b"".join(content.streaming_content) == PDF
    assert world.api("customer").get("/legal-documents").body == [created.body]


def test_legal_document_upload_errors(world: World, api: ApiClient):
    not_pdf = publish(api, content=b"PK\x03\x04")
    no_file = publish(api, content=None)
    bad_type = publish(api, doc_type="cookies")
    bad_date = publish(api, valid_from="1.1.2027")

    assert (not_pdf.status, errors(not_pdf)) == (422, [("file", "not_pdf")])
    assert (no_file.status, errors(no_file)) == (422, [("file", "required")])
    assert (bad_type.status, errors(bad_type)) == (422, [("doc_type", "invalid_choice")])
    assert (bad_date.status, [e[0] for e in errors(bad_date)]) == (422, ["valid_from"])
    assert not LegalDocument.objects.exists()
    assert publish(api).status == 201
    duplicate = publish(api, valid_from="2027-02-01")
    assert (duplicate.status, errors(duplicate)) == (422, [("version", "duplicate")])


def test_accepted_legal_document_is_not_deleted(world: World, api: ApiClient):
    document_id = publish(api).body["id"]
    legal_acceptance_record(
        actor=world.manager,
        account_id=world.own.pk,
        document_id=document_id,
        accepted_at=clock.now(),
    )

    assert api.get(f"/legal-documents/{document_id}").body["acceptances"] == 1
    refused = api.delete(f"/legal-documents/{document_id}")
    assert (refused.status, errors(refused)) == (409, [(None, "document_accepted")])
    assert LegalDocument.objects.filter(pk=document_id).exists()

    unaccepted = publish(api, version="v5", valid_from=str(date(2028, 1, 1))).body["id"]
    assert api.delete(f"/legal-documents/{unaccepted}").status == 204
