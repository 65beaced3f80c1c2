"""A download link opens until the end of the day the e-mail names ("valid until 31 Dec"),
whatever the hour the mail left, and not a day longer."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.core import signing

from kontor.delivery.links import SALT
from kontor.delivery.services import deliveries_schedule, deliveries_send_due
from tests.delivery.world import DAY, at, customer, finalized_invoice

pytestmark = pytest.mark.django_db
LAST_DAY = DAY + timedelta(days=30)  # 31 Dec 2026


@pytest.fixture
def url(manager, smtp) -> str:
    invoice = finalized_invoice(manager, customer(manager, ("chef@muster.example", "link")))
    deliveries_schedule(invoice.pk)
    with time_machine.travel(at(DAY, 9), tick=False):
        deliveries_send_due()
    (mail,) = smtp.received
    assert "Der Link ist bis zum 31.12.2026 gültig." in mail.body
    (link,) = [line for line in mail.body.splitlines() if line.startswith("https://")]
    return link.removeprefix("https://kontor.example")


@pytest.mark.parametrize(
    ("when", "status"),
    [
        (at(LAST_DAY, 8, 59), 200),
        (at(LAST_DAY, 9, 1), 200),  # the day the mail names, after the hour it was sent
        (at(LAST_DAY, 23, 59), 200),
        (at(LAST_DAY + timedelta(days=1), 0, 0), 404),
    ],
)
def test_the_link_opens_through_the_day_the_mail_names(client, url, when, status):
    with time_machine.travel(when, tick=False):
        assert client.get(url).status_code == status


@pytest.mark.parametrize(("age", "status"), [(timedelta(days=30), 200), (timedelta(days=31), 404)])
def test_a_link_sent_before_it_carried_its_last_day_keeps_its_age_limit(
    client, manager, age, status
):
    invoice = finalized_invoice(manager, customer(manager, ("chef@muster.example", "link")))
    (delivery,) = deliveries_schedule(invoice.pk)
    document = invoice.documents.get(kind="facturx_pdf")
    with time_machine.travel(at(DAY), tick=False):
        token = signing.TimestampSigner(salt=SALT).sign_object(
            {"doc": document.pk, "dlv": delivery.pk}
        )
    with time_machine.travel(at(DAY) + age, tick=False):
        assert client.get(f"/d/{token}/").status_code == status


@pytest.mark.parametrize("until", ["2027-13-01", 20261231, None])
def test_a_signed_token_with_a_broken_last_day_opens_nothing(client, manager, until):
    invoice = finalized_invoice(manager, customer(manager, ("chef@muster.example", "link")))
    (delivery,) = deliveries_schedule(invoice.pk)
    document = invoice.documents.get(kind="facturx_pdf")
    with time_machine.travel(at(DAY), tick=False):
        token = signing.TimestampSigner(salt=SALT).sign_object(
            {"doc": document.pk, "dlv": delivery.pk, "until": until}
        )
        assert client.get(f"/d/{token}/").status_code == 404
