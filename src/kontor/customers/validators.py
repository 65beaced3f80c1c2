"""Field validators for customer data. Each returns the normalised value or raises
ValidationFailed naming the field. Outside libraries do the checking: schwifty for IBAN/BIC,
python-stdnum for VAT IDs and Leitweg-IDs."""

from __future__ import annotations

import re

import pycountry
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _
from schwifty import BIC, IBAN
from schwifty.exceptions import SchwiftyException
from stdnum.de import leitweg
from stdnum.eu import vat
from stdnum.exceptions import ValidationError as StdnumError

from kontor.core.errors import invalid

# SEPA's permitted character set for references (EPC guidance), max 35 characters.
_SEPA_REFERENCE = re.compile(r"^[A-Za-z0-9+?/\-:().,' ]{1,35}$")
# ISO 3166-1 alpha-2 only (Babel's territory list also has EU, UN, ZZ, …).
_COUNTRIES = frozenset(country.alpha_2 for country in pycountry.countries)
# The EU member states' VAT prefixes (Greece uses EL) accepted for reverse charge.
EU_VAT_PREFIXES = frozenset(vat.MEMBER_STATES) | {"el"}


def clean_iban(value: str, field: str = "iban") -> str:
    try:
        return IBAN(value).compact
    except SchwiftyException as exc:
        raise invalid(
            field,
            _("Invalid IBAN %(value)s: %(reason)s") % {"value": value, "reason": exc},
            "invalid_iban",
        ) from exc


def clean_bic(value: str, field: str = "bic") -> str:
    if not value:
        return ""
    try:
        return str(BIC(value).compact)
    except SchwiftyException as exc:
        raise invalid(
            field,
            _("Invalid BIC %(value)s: %(reason)s") % {"value": value, "reason": exc},
            "invalid_bic",
        ) from exc


def clean_eu_vat_id(value: str, field: str = "vat_id") -> str:
    """A syntactically valid EU VAT ID (checksum where the country has one)."""
    try:
        compact = vat.validate(value)
    except StdnumError as exc:
        raise invalid(
            field,
            _("Invalid EU VAT ID %(value)s: %(reason)s") % {"value": value, "reason": exc},
            "invalid_vat_id",
        ) from exc
    if compact[:2].lower() not in EU_VAT_PREFIXES:
        raise invalid(
            field, _("%(value)s is not an EU VAT ID.") % {"value": value}, "invalid_vat_id"
        )
    return compact


def clean_leitweg_id(value: str, field: str = "leitweg_id") -> str:
    if not value:
        return ""
    try:
        return str(leitweg.validate(value))
    except StdnumError as exc:
        raise invalid(
            field,
            _("Invalid Leitweg-ID %(value)s: %(reason)s") % {"value": value, "reason": exc},
            "invalid_leitweg_id",
        ) from exc


def clean_mandate_reference(value: str, field: str = "reference") -> str:
    value = value.strip()
    if not _SEPA_REFERENCE.match(value):
        raise invalid(
            field,
            _(
                "A mandate reference has 1 to 35 characters from A–Z, a–z, 0–9, "
                "+ ? / - : ( ) . , ' and space."
            ),
            "invalid_mandate_reference",
        )
    return value


def clean_email(value: str, field: str = "email") -> str:
    value = value.strip()
    try:
        validate_email(value)
    except DjangoValidationError as exc:
        raise invalid(
            field, _("%(value)s is not a valid e-mail address.") % {"value": value}, "invalid_email"
        ) from exc
    return value


def clean_country(value: str, field: str = "country") -> str:
    code = value.strip().upper()
    if code not in _COUNTRIES:
        raise invalid(
            field,
            _("%(value)s is not an ISO 3166 country code.") % {"value": value},
            "invalid_country",
        )
    return code
