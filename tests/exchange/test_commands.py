"""The `kontor load`, `kontor export` and `kontor import-schema` commands."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from kontor.customers.models import Account
from kontor.exchange.reference import field_reference_markdown
from kontor.exchange.schema import json_schema_text
from tests.exchange.helpers import EXAMPLE, example, row_counts

SCHEMA_FILE = EXAMPLE.parents[1] / "import-format.schema.json"


def test_load_happy_path(manager):
    out = StringIO()

    call_command("load", str(EXAMPLE), as_user="manager", stdout=out)

    assert "Imported: 2 tax_categories" in out.getvalue()
    assert "3 accounts" in out.getvalue()
    assert Account.objects.count() == 3


def test_load_with_errors_exits_1_listing_every_problem(manager, tmp_path):
    payload = example()
    payload["accounts"][0]["bank_accounts"][0]["iban"] = "DE89370400440532013001"
    payload["catalog"]["articles"][0]["price"] = 2.5
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(payload), encoding="utf-8")
    err = StringIO()

    with pytest.raises(CommandError) as caught:
        call_command("load", str(path), as_user="manager", stderr=err)

    assert caught.value.returncode == 1
    assert "2 problem(s)" in str(caught.value)
    lines = err.getvalue().splitlines()
    assert lines[0].startswith("catalog.articles[0].price: Numbers with decimals")
    assert lines[1].startswith("accounts[0].bank_accounts[0].iban: ")
    assert Account.objects.count() == 0


@pytest.mark.parametrize("role", ["clerk", "accountant"])
def test_load_as_non_manager_exits_1(request, role, tmp_path):
    request.getfixturevalue(role)
    before = row_counts()

    with pytest.raises(CommandError) as caught:
        call_command("load", str(EXAMPLE), as_user=role, stderr=StringIO())

    assert caught.value.returncode == 1
    assert row_counts() == before


def test_load_refuses_invalid_json(manager, tmp_path):
    path = tmp_path / "broken.json"
    path.write_text('{"format": "kontor/v1",\n "accounts": [}', encoding="utf-8")

    with pytest.raises(CommandError, match=r"not valid JSON \(line 2"):
        call_command("load", str(path), as_user="manager")


def test_load_needs_an_existing_user(db):
    with pytest.raises(CommandError, match="No user 'nobody'"):
        call_command("load", str(EXAMPLE), as_user="nobody")


def test_load_dry_run_keeps_nothing(manager):
    out = StringIO()

    call_command("load", str(EXAMPLE), as_user="manager", dry_run=True, stdout=out)

    assert out.getvalue().startswith("Would import:")
    assert Account.objects.count() == 0


def test_export_to_file_as_accountant(manager, accountant, tmp_path):
    call_command("load", str(EXAMPLE), as_user="manager", stdout=StringIO())
    target = tmp_path / "export.json"

    call_command(
        "export",
        "accounts",
        format="json",
        output=str(target),
        as_user="accountant",
        stderr=StringIO(),
    )

    exported = json.loads(target.read_text(encoding="utf-8"))
    assert [a["customer_number"] for a in exported["accounts"]] == ["K-00001", "K-10001", "K-10002"]


def test_export_to_stdout(manager):
    out = StringIO()
    call_command("export", "accounts", as_user="manager", stdout=out)
    assert json.loads(out.getvalue())["accounts"] == []


def test_export_as_clerk_exits_1(clerk):
    with pytest.raises(CommandError) as caught:
        call_command("export", "accounts", as_user="clerk", stdout=StringIO())
    assert caught.value.returncode == 1


def test_committed_schema_file_is_up_to_date():
    assert SCHEMA_FILE.read_text(encoding="utf-8") == json_schema_text(), (
        "docs/import-format.schema.json is stale: run `kontor import-schema "
        "--output docs/import-format.schema.json`"
    )


def test_import_schema_command_prints_the_schema(tmp_path: Path):
    out = StringIO()
    call_command("import_schema", stdout=out)
    assert json.loads(out.getvalue())["title"] == "Kontor import file (kontor/v1)"


def test_field_reference_in_the_docs_is_up_to_date():
    docs = (EXAMPLE.parents[1] / "import-format.md").read_text(encoding="utf-8")
    generated = field_reference_markdown()
    start = docs.index(generated.splitlines()[0])
    assert docs[start : start + len(generated)] == generated, (
        "docs/import-format.md: replace the field reference with `kontor import-schema --markdown`"
    )
