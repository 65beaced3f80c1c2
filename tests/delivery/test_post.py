"""Delivery by post: the day's print bundle holds the pages of every post invoice, marks them
sent once, and the optional postal surcharge becomes a one-off charge, once."""

from __future__ import annotations

import io
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.core.management.base import CommandError
from pypdf import PdfReader

from kontor.billing.models import Charge
from kontor.core.errors import PermissionDenied, ValidationFailed
from kontor.delivery.models import Delivery, DeliveryEvent
from kontor.delivery.services import delivery_outbox_process, print_bundle_create
from kontor.documents.selectors import document_content
from tests.delivery.world import DAY, customer, finalized_invoice

pytestmark = pytest.mark.django_db


def page_texts(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


def post_world(manager):
    first = finalized_invoice(manager, customer(manager, company="Erste GmbH"), by_post=True)
    second = finalized_invoice(
        manager, customer(manager, company="Zweite GmbH"), by_post=True, price="50.00"
    )
    mail_only = finalized_invoice(manager, customer(manager, ("a@x.example", "attachment")))
    later = finalized_invoice(
        manager,
        customer(manager, company="Spätere GmbH"),
        by_post=True,
        send_date=DAY + timedelta(days=1),
    )
    assert delivery_outbox_process() == 4
    return first, second, mail_only, later


def test_the_print_bundle_holds_the_pages_of_each_post_invoice(manager):
    first, second, mail_only, later = post_world(manager)
    bundle = print_bundle_create(actor=manager, day=DAY)
    with default_storage.open(bundle.file, "rb") as handle:
        pdf = handle.read()
    expected = [
        page_texts(document_content(manager, i.documents.get(kind="facturx_pdf").pk))
        for i in (first, second)
    ]
    assert page_texts(pdf) == expected[0] + expected[1]
    assert bundle.pages == len(expected[0]) + len(expected[1])
    assert bundle.file == "print/2026/print-2026-12-01.pdf"
    posted = Delivery.objects.filter(channel="post")
    assert {d.invoice_id: d.status for d in posted} == {
        first.pk: "sent",
        second.pk: "sent",
        later.pk: "pending",
    }
    assert not Delivery.objects.filter(invoice=mail_only, channel="post").exists()
    events = DeliveryEvent.objects.filter(kind="printed").order_by("delivery__invoice_id")
    assert [(e.delivery.invoice_id, e.detail["bundle"], e.detail["by"]) for e in events] == [
        (first.pk, bundle.file, "manager"),
        (second.pk, bundle.file, "manager"),
    ]
    assert events[0].detail["pages"] == [1, len(expected[0])]
    assert bundle.charges == []


def test_printing_again_prints_nothing_twice(manager):
    post_world(manager)
    print_bundle_create(actor=manager, day=DAY)
    again = print_bundle_create(actor=manager, day=DAY)
    assert (again.file, again.deliveries) == ("", [])
    assert DeliveryEvent.objects.filter(kind="printed").count() == 2


def test_the_postal_surcharge_is_charged_once_per_printed_invoice(manager, settings):
    settings.KONTOR_POSTAL_SURCHARGE = "1.20"
    first, second, _mail_only, later = post_world(manager)
    bundle = print_bundle_create(actor=manager, day=DAY)
    charges = Charge.objects.filter(pk__in=bundle.charges).order_by("account_id")
    assert [(c.account_id, c.amount, c.description, c.period_start) for c in charges] == [
        (
            first.account_id,
            Decimal("1.20"),
            f"Porto für den Postversand der Rechnung {first.number}",
            DAY,
        ),
        (
            second.account_id,
            Decimal("1.20"),
            f"Porto für den Postversand der Rechnung {second.number}",
            DAY,
        ),
    ]
    assert not charges.filter(invoice_line__isnull=False).exists()  # billed with the next one
    print_bundle_create(actor=manager, day=DAY + timedelta(days=1))
    assert Charge.objects.filter(idempotency_key__startswith="postage:").count() == 3


@pytest.mark.parametrize("surcharge", ["1,20", "-1", "abc", "0"])
def test_a_bad_surcharge_setting_prints_nothing(manager, settings, surcharge):
    post_world(manager)
    settings.KONTOR_POSTAL_SURCHARGE = surcharge
    with pytest.raises(ValidationFailed) as error:
        print_bundle_create(actor=manager, day=DAY)
    assert error.value.field == "KONTOR_POSTAL_SURCHARGE"
    assert not Delivery.objects.filter(status="sent").exists()
    assert not DeliveryEvent.objects.exists()


def test_an_accountant_may_not_print(manager, accountant):
    post_world(manager)
    with pytest.raises(PermissionDenied):
        print_bundle_create(actor=accountant, day=DAY)
    assert not Delivery.objects.filter(status="sent").exists()


def test_the_print_bundle_command_writes_the_file(manager, tmp_path, capsys):
    post_world(manager)
    target = tmp_path / "heute.pdf"
    call_command("print_bundle", "--date", "2026-12-01", "--as", "manager", "--output", str(target))
    out = capsys.readouterr().out
    assert out.startswith("print/2026/print-2026-12-01.pdf: 2 invoice(s), ")
    assert Path(target).read_bytes().startswith(b"%PDF-")
    call_command("print_bundle", "--date", "2026-12-01", "--as", "manager")
    assert capsys.readouterr().out == "nothing to print for 2026-12-01\n"
    with pytest.raises(CommandError, match="no active user 'niemand'"):
        call_command("print_bundle", "--date", "2026-12-01", "--as", "niemand")


def test_postage_that_cannot_be_charged_shows_on_the_dashboard(manager, clerk, settings):
    from kontor.core.permissions import Role
    from kontor.customers.services import account_delete
    from kontor.delivery.selectors import postage_not_charged
    from tests.backoffice.conftest import login
    from tests.conftest import make_user

    settings.KONTOR_POSTAL_SURCHARGE = "1.20"
    first, second, _mail_only, _later = post_world(manager)
    account_delete(actor=manager, account_id=first.account_id, today=DAY)  # before printing
    bundle = print_bundle_create(actor=manager, day=DAY)
    assert len(bundle.deliveries) == 2  # the deleted customer's invoice is printed all the same
    charged = Charge.objects.filter(pk__in=bundle.charges)
    assert [c.account_id for c in charged] == [second.account_id]
    (event,) = postage_not_charged(clerk)
    assert event.delivery.invoice_id == first.pk
    html = login(clerk).get("/").content.decode()
    assert "Postage not charged for 1 printed invoice" in html
    assert first.number in html.split('id="postage-not-charged"')[1]
    with pytest.raises(PermissionDenied):
        postage_not_charged(make_user("kunde", Role.CUSTOMER))
