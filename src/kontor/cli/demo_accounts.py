"""Demo customers for `kontor.cli.demo`: accounts with contract parties, recipients, bank
accounts and mandates, legal acceptances and subscriptions with their life cycles. Every
write goes through a service with the demo manager as actor."""

from __future__ import annotations

import random
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from faker import Faker
from schwifty import IBAN
from stdnum.at import uid as at_uid
from stdnum.eu import vat
from stdnum.iso7064 import mod_11_10, mod_97_10

from kontor.catalog.models import TariffVersion
from kontor.contracts.models import Subscription
from kontor.contracts.selectors import earliest_cancellation_date
from kontor.contracts.services import (
    subscription_book_addon,
    subscription_cancel,
    subscription_change_tariff,
    subscription_create,
)
from kontor.customers.models import Account, Mandate, PartyKind
from kontor.customers.services import (
    account_create,
    bank_account_add,
    legal_acceptance_record,
    mandate_create,
    mandate_revoke,
    party_change_request,
)
from kontor.customers.types import PartyData, RecipientData, UploadedDocument

BANK_CODES = ("37040044", "50010517", "12030000", "43060967", "70150000", "20050550", "25050180")
LEITWEG_STATES = ("01", "02", "03", "04", "05", "06", "08", "09", "11", "14")
# What each slot in a run of 20 accounts is, so that 20 accounts already show every kind.
ACCOUNT_PATTERN = (
    "person", "company", "person", "person", "association", "company", "person", "company",
    "public", "person", "company", "person", "eu", "person", "company", "person",
    "association", "person", "company", "person",
)  # fmt: skip
GROUP_OF_KIND = {
    "person": "Privatkunden",
    "company": "Geschäftskunden",
    "eu": "Geschäftskunden",
    "association": "Vereine",
    "public": "Öffentliche Hand",
}
TEST_ACCOUNT_INDEXES = (1, 121)
CLUBS = ("Sportverein", "Turnverein", "Förderverein", "Kulturverein", "Schachclub", "Chor")
AUTHORITIES = ("Stadt", "Gemeinde", "Landratsamt", "Amt")
DIRECT_DEBIT_SHARE = {"person": 0.85, "company": 0.7, "association": 0.9, "public": 0, "eu": 0}
# What each kind of customer books: (tariff codes to choose from, chance, quantity range).
BOOKINGS: dict[str, list[tuple[tuple[str, ...], float, tuple[int, int]]]] = {
    "person": [
        (("WEB-S-M", "WEB-S-Y", "WEB-M-M", "WEB-M-Y"), 1, (1, 1)),
        (("DOM-DE",), 0.6, (1, 2)),
        (("TEL-BASIS",), 0.1, (1, 1)),
    ],
    "company": [
        (("WEB-M-M", "WEB-M-Y", "WEB-L-M", "WEB-L-Y"), 1, (1, 1)),
        (("DOM-DE",), 0.85, (1, 5)),
        (("DOM-COM",), 0.4, (1, 3)),
        (("TEL-BASIS", "TEL-PLUS"), 0.4, (1, 4)),
        (("MS-STD", "MS-PRO"), 0.25, (1, 2)),
    ],
    "association": [(("WEB-S-Y", "WEB-M-Y"), 1, (1, 1)), (("DOM-DE",), 1, (1, 1))],
    "public": [
        (("WEB-L-Y",), 1, (1, 1)), (("MS-STD", "MS-PRO"), 1, (1, 2)), (("DOM-DE",), 1, (2, 4)),
    ],
    "eu": [(("MS-PRO", "WEB-L-M"), 1, (1, 1)), (("DOM-COM",), 1, (1, 3))],
    "test": [(("WEB-S-M",), 1, (1, 1))],
}  # fmt: skip
UPGRADES = {"WEB-S-M": "WEB-M-M", "WEB-M-M": "WEB-L-M", "WEB-S-Y": "WEB-M-Y", "WEB-M-Y": "WEB-L-Y"}
DOWNGRADES = {"WEB-L-M": "WEB-M-M", "WEB-M-M": "WEB-S-M", "WEB-L-Y": "WEB-M-Y"}


@dataclass
class DemoSummary:
    accounts: int = 0
    subscriptions: int = 0
    mandates: int = 0
    cancellations: int = 0
    tariff_changes: int = 0
    change_requests: int = 0


@dataclass
class DemoCatalog:
    versions: dict[str, list[TariffVersion]] = field(default_factory=dict)  # by tariff code
    addons: dict[str, list[int]] = field(default_factory=dict)  # module code -> article ids

    def version(self, code: str, on: date) -> TariffVersion:
        return [v for v in self.versions[code] if v.valid_from <= on][-1]


# ---------------------------------------------------------------- identifiers


def german_iban(rng: random.Random) -> str:
    """A German IBAN whose account number also passes its bank's own check-digit method."""
    bank_code = rng.choice(BANK_CODES)
    while True:
        account_code = str(rng.randint(10**8, 10**10 - 1))
        iban = IBAN.generate("DE", bank_code=bank_code, account_code=account_code)
        try:
            return IBAN(str(iban), validate_bban=True).compact
        except ValueError:
            continue


def german_vat_id(rng: random.Random) -> str:
    digits = str(rng.randint(10**7, 10**8 - 1))
    return f"DE{digits}{mod_11_10.calc_check_digit(digits)}"


def austrian_vat_id(rng: random.Random) -> str:
    digits = str(rng.randint(10**6, 10**7 - 1))
    return f"ATU{digits}{at_uid.calc_check_digit('U' + digits)}"


def dutch_vat_id(rng: random.Random) -> str:
    while True:
        number = f"NL{rng.randint(10**8, 10**9 - 1)}B{rng.randint(1, 99):02}"
        if vat.is_valid(number):
            return number


def leitweg_id(rng: random.Random) -> str:
    coarse = rng.choice(LEITWEG_STATES) + f"{rng.randint(0, 999999):06}"
    fine = f"{rng.randint(0, 10**10 - 1):010}"
    return f"{coarse}-{fine}-{mod_97_10.calc_check_digits(coarse + fine)}"


def slug(text: str) -> str:
    """ASCII for e-mail addresses: "Müller & Söhne" -> "mueller-soehne"."""
    for umlaut, plain in (("ä", "ae"), ("ö", "oe"), ("ü", "ue"), ("ß", "ss")):
        text = text.lower().replace(umlaut, plain)
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    words = "".join(c if c.isalnum() else " " for c in ascii_text).split()
    return "-".join(words)[:40] or "kunde"


def tiny_pdf(lines: list[str]) -> bytes:
    """A one-page PDF with the given lines of text (Helvetica, WinAnsi)."""
    escaped = [line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)") for line in lines]
    stream = "BT /F1 11 Tf 72 780 Td 16 TL " + " ".join(f"({t}) '" for t in escaped) + " ET"
    content = stream.encode("cp1252")
    bodies = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(content), content),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    ]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for number, body in enumerate(bodies, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(bodies) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    trailer = b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n"
    out += trailer % (len(bodies) + 1, xref)
    return bytes(out)


# ---------------------------------------------------------------- accounts


class AccountBuilder:
    def __init__(
        self, actor: Any, seed: int, today: date, products: DemoCatalog, reference: dict[str, Any]
    ) -> None:
        self.actor, self.today, self.products = actor, today, products
        self.groups, self.branches = reference["groups"], reference["branches"]
        self.documents = reference["documents"]
        self.rng = random.Random(seed)  # noqa: S311 - reproducible demo data, not secrets
        self.fakers = {"DE": Faker("de_DE"), "AT": Faker("de_AT"), "NL": Faker("nl_NL")}
        for offset, faker in enumerate(self.fakers.values()):
            faker.seed_instance(seed * 100 + offset)
        self.summary = DemoSummary()
        self.company_account: Account | None = None

    def build(self, index: int) -> Account:
        kind = ACCOUNT_PATTERN[index % len(ACCOUNT_PATTERN)]
        is_test = index in TEST_ACCOUNT_INDEXES
        country = {"eu": "NL" if (index // 20) % 2 else "AT"}.get(kind, "DE")
        party, domain = self._party(kind, country, is_test)
        account = account_create(
            actor=self.actor,
            party=party,
            fields=self._fields(kind, country, party, domain, is_test),
            recipients=self._recipients(kind, party, domain),
        )
        self.summary.accounts += 1
        if kind == "company" and not is_test and self.company_account is None:
            self.company_account = account
        since = self.today - timedelta(days=self.rng.randint(20, 3 * 365))
        self._accept_legal_documents(account, since)
        if account.payment_method == "sepa_dd":
            self._bank_details(account, index, party, since)
        self._subscriptions(account, "test" if is_test else kind, index, since)
        return account

    def _party(self, kind: str, country: str, is_test: bool) -> tuple[PartyData, str]:
        fake = self.fakers[country]
        city = fake.city()
        address = dict(
            street=fake.street_address(), postal_code=fake.postcode(), city=city, country=country
        )
        if kind == "person" and not is_test:
            first, last = fake.first_name(), fake.last_name()
            email = f"{slug(first)}.{slug(last)}@example.de"
            return PartyData(
                kind=PartyKind.PERSON, first_name=first, last_name=last, email=email,
                phone=fake.phone_number(), **address,
            ), "example.de"  # fmt: skip
        name = {
            "association": f"{self.rng.choice(CLUBS)} {city} e.V.",
            "public": f"{self.rng.choice(AUTHORITIES)} {city}",
        }.get(kind) or ("Beispiel Hosting GmbH – Testkonto" if is_test else fake.company())
        domain = f"{slug(name)}.example"
        contact = "Kämmerei" if kind == "public" else fake.name()
        return PartyData(
            kind=PartyKind.COMPANY, company_name=name, contact_person=contact,
            email=f"info@{domain}", phone=fake.phone_number(), **address,
        ), domain  # fmt: skip

    def _fields(
        self, kind: str, country: str, party: PartyData, domain: str, is_test: bool
    ) -> dict[str, Any]:
        rng = self.rng
        branch = "MUC" if country == "DE" and party.postal_code[:1] in "789" else "BER"
        fields: dict[str, Any] = {
            "group": self.groups[GROUP_OF_KIND[kind]],
            "branch": self.branches[branch],
            "is_test": is_test,
            "payment_method": "sepa_dd" if rng.random() < DIRECT_DEBIT_SHARE[kind] else "transfer",
        }
        if kind == "company" and rng.random() < 0.6:
            fields["vat_id"] = german_vat_id(rng)
        if kind == "eu":
            fields["vat_treatment"] = "reverse_charge"
            fields["vat_id"] = austrian_vat_id(rng) if country == "AT" else dutch_vat_id(rng)
            fields["language"] = "de" if country == "AT" else "en"
        if kind == "public":
            fields["leitweg_id"] = leitweg_id(rng)
            fields["po_number"] = f"BANF-{self.today.year}-{rng.randint(1000, 9999)}"
            fields["payment_term_days"] = 30
        if kind in ("company", "eu") and rng.random() < 0.3:
            fields["po_number"] = f"PO-{rng.randint(100000, 999999)}"
        if kind == "company" and rng.random() < 0.2:
            fields["payment_term_days"] = rng.choice((7, 21, 30))
        if kind in ("company", "association") and rng.random() < 0.15:
            fields["deviating_invoice_email"] = f"rechnungen@{domain}"
        if kind == "company" and rng.random() < 0.1:
            fields.update(
                billing_name=f"{party.company_name}, Buchhaltung", billing_street="Postfach 1234",
                billing_postal_code=party.postal_code, billing_city=party.city,
                billing_country=party.country,
            )  # fmt: skip
        return fields

    def _recipients(self, kind: str, party: PartyData, domain: str) -> list[RecipientData]:
        if kind == "person":
            return [RecipientData(party.email, "link")] if self.rng.random() < 0.2 else []
        mailbox = {"association": "kassenwart", "public": "rechnungseingang"}.get(kind)
        recipients = [RecipientData(f"{mailbox or 'buchhaltung'}@{domain}", "attachment")]
        if kind in ("company", "eu") and party.contact_person and self.rng.random() < 0.3:
            recipients.append(RecipientData(f"{slug(party.contact_person)}@{domain}", "link"))
        return recipients

    def _accept_legal_documents(self, account: Account, since: date) -> None:
        zone = ZoneInfo(settings.TIME_ZONE)
        moment = datetime.combine(
            since - timedelta(days=self.rng.randint(1, 10)),
            time(self.rng.randint(7, 22), self.rng.randint(0, 59)),
            tzinfo=zone,
        )
        ip = self.fakers["DE"].ipv4_public()
        for document in self.documents:
            legal_acceptance_record(
                actor=self.actor, account_id=account.pk, document_id=document.pk,
                accepted_at=moment, ip_address=ip,
            )  # fmt: skip

    def _bank_details(self, account: Account, index: int, party: PartyData, since: date) -> None:
        holder = party.company_name or f"{party.first_name} {party.last_name}"
        scheme = "B2B" if party.kind == PartyKind.COMPANY and self.rng.random() < 0.25 else "CORE"
        first = bank_account_add(
            actor=self.actor, account_id=account.pk, holder=holder, iban=german_iban(self.rng)
        )
        if index % 50 == 13:  # mandate not yet returned signed: bank account only
            return
        mandate = self._mandate(account, first.pk, 1, since, scheme)
        if index % 25 == 9:  # changed banks: old mandate revoked, new one signed
            changed_on = since + timedelta(days=(self.today - since).days // 2)
            mandate_revoke(actor=self.actor, mandate_id=mandate.pk, ended_on=changed_on)
            second = bank_account_add(
                actor=self.actor, account_id=account.pk, holder=holder, iban=german_iban(self.rng)
            )
            self._mandate(account, second.pk, 2, changed_on, scheme)

    def _mandate(
        self, account: Account, bank_id: int, number: int, signed: date, scheme: str
    ) -> Mandate:
        self.summary.mandates += 1
        return mandate_create(
            actor=self.actor, account_id=account.pk, bank_account_id=bank_id,
            reference=f"{account.customer_number}-M{number:02}", signed_on=signed, scheme=scheme,
        )  # fmt: skip

    def _subscriptions(self, account: Account, kind: str, index: int, since: date) -> None:
        span = (self.today - since).days
        first = True
        for codes, chance, (low, high) in BOOKINGS[kind]:
            if self.rng.random() >= chance:
                continue
            code = self.rng.choice(codes)
            start = since if first else since + timedelta(days=self.rng.randint(0, span // 3))
            subscription = subscription_create(
                actor=self.actor, account_id=account.pk, quantity=self.rng.randint(low, high),
                tariff_version_id=self.products.version(code, start).pk, start_date=start,
            )  # fmt: skip
            self.summary.subscriptions += 1
            self._maybe_book_addon(subscription)
            self._life_cycle(subscription, code, index if first else None)
            first = False

    def _maybe_book_addon(self, subscription: Subscription) -> None:
        addons = self.products.addons[subscription.module.code]
        if not addons or self.rng.random() >= 0.3:
            return
        article_id = self.rng.choice(addons)
        start = min(self.today, subscription.start_date + timedelta(self.rng.randint(0, 60)))
        subscription_book_addon(
            actor=self.actor, subscription_id=subscription.pk, article_id=article_id,
            start_date=start, quantity=self.rng.randint(1, 3),
        )  # fmt: skip

    def _life_cycle(self, subscription: Subscription, code: str, index: int | None) -> None:
        """Index-driven for an account's first module (so that 20 accounts show every case),
        random for the others."""
        roll = self.rng.random()
        first = index is not None
        slot = index or 0
        age = (self.today - subscription.start_date).days
        if first and slot % 20 == 3 or roll < 0.02:  # cancellation in progress
            self._cancel(subscription, self.today - timedelta(days=self.rng.randint(0, 20)))
        elif first and slot % 10 == 7 or roll < 0.06:  # notice given long ago: ended
            self._cancel(subscription, self._early_notice_date(subscription))
        elif first and slot % 6 == 5 and code in UPGRADES and age > 60:  # at once
            requested = subscription.start_date + timedelta(days=self.rng.randint(30, age))
            self._change(subscription, UPGRADES[code], requested)
        elif first and slot % 20 == 14 and code in DOWNGRADES:  # after the notice period
            self._change(subscription, DOWNGRADES[code], self.today - timedelta(days=5))

    def _early_notice_date(self, subscription: Subscription) -> date:
        """A notice date in the first half of the module's life whose end date has passed
        (the start itself when no such date exists: then the end may still lie ahead)."""
        start = subscription.start_date
        notice = start + timedelta(days=self.rng.randint(0, (self.today - start).days // 2))
        if earliest_cancellation_date(subscription, notice) >= self.today:
            return start
        return notice

    def _cancel(self, subscription: Subscription, notice_given_on: date) -> None:
        subscription_cancel(
            actor=self.actor,
            subscription_id=subscription.pk,
            expected_version=subscription.version,
            notice_given_on=max(notice_given_on, subscription.start_date),
        )
        self.summary.cancellations += 1

    def _change(self, subscription: Subscription, code: str, requested: date) -> None:
        subscription_change_tariff(
            actor=self.actor, subscription_id=subscription.pk,
            expected_version=subscription.version, requested_on=requested,
            tariff_version_id=self.products.version(code, requested).pk,
        )  # fmt: skip
        self.summary.tariff_changes += 1

    def request_party_change(self) -> None:
        """One pending contract party change: a company renamed, with the register extract."""
        account = self.company_account
        if account is None:
            return
        party = account.contract_party
        new_name = f"{self.fakers['DE'].last_name()} Digital GmbH"
        proposed = PartyData(**{**_party_values(party), "company_name": new_name})
        extract = tiny_pdf([
            "Amtsgericht Berlin (Charlottenburg) - Handelsregister Abteilung B",
            f"Auszug vom {self.today:%d.%m.%Y}",
            f"Bisherige Firma: {party.company_name}",
            f"Neue Firma: {new_name}",
            "Eingetragen aufgrund Beschluss der Gesellschafterversammlung.",
        ])  # fmt: skip
        party_change_request(
            actor=self.actor, account_id=account.pk, proposed=proposed,
            reason=f"Umfirmierung in {new_name} laut Handelsregisterauszug",
            evidence=[UploadedDocument("hr-auszug.pdf", extract, "Handelsregisterauszug")],
        )  # fmt: skip
        self.summary.change_requests += 1


def _party_values(party: Any) -> dict[str, str]:
    return {name: getattr(party, name) for name in PartyData.__dataclass_fields__}
