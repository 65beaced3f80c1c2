"""Forms of the account page. They only parse input; the services validate and write."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.forms import formset_factory
from django.utils.translation import gettext_lazy as _

from kontor.billing.models import BillingSettings
from kontor.core.permissions import Action, can
from kontor.customers.models import (
    Account,
    Branch,
    CustomerGroup,
    DeliveryMode,
    Language,
    PartyKind,
    PaymentMethod,
    VatTreatment,
)
from kontor.customers.services.accounts import RESTRICTED_FIELDS
from kontor.customers.services.party import PARTY_FIELDS

ACCOUNT_SECTIONS: list[tuple[str, Any, list[str]]] = [
    ("owner", _("Owner and external reference"), ["owner", "external_customer_number"]),
    (
        "billing",
        _("Billing address"),
        [
            "billing_name",
            "billing_street",
            "billing_address_extra",
            "billing_postal_code",
            "billing_city",
            "billing_country",
            "deviating_invoice_email",
        ],
    ),
    ("delivery", _("Invoice delivery"), ["deliver_by_post"]),
    ("payment", _("Payment terms and method"), ["payment_term_days", "payment_method"]),
    ("period", _("Contract period"), ["contract_period_start"]),
    (
        "vat",
        _("VAT, e-invoicing and order reference"),
        ["vat_treatment", "vat_id", "leitweg_id", "po_number"],
    ),
    ("classification", _("Classification"), ["group", "branch", "language", "currency", "is_test"]),
]
ACCOUNT_FIELDS = [name for _key, _title, names in ACCOUNT_SECTIONS for name in names]


class AccountForm(forms.Form):
    """Every field account_update accepts, plus the version the page was loaded at."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    external_customer_number = forms.CharField(
        label=_("external customer number"), max_length=60, required=False
    )
    owner = forms.ModelChoiceField(
        label=_("account owner (portal user)"),
        queryset=get_user_model().objects.filter(is_staff=False).order_by("username"),
        required=False,
    )
    billing_name = forms.CharField(label=_("billing name"), max_length=200, required=False)
    billing_street = forms.CharField(label=_("billing street"), max_length=200, required=False)
    billing_address_extra = forms.CharField(
        label=_("billing address supplement"), max_length=200, required=False
    )
    billing_postal_code = forms.CharField(
        label=_("billing postal code"), max_length=20, required=False
    )
    billing_city = forms.CharField(label=_("billing city"), max_length=100, required=False)
    billing_country = forms.CharField(label=_("billing country"), max_length=2, required=False)
    deviating_invoice_email = forms.EmailField(label=_("deviating invoice e-mail"), required=False)
    deliver_by_post = forms.NullBooleanField(
        label=_("deliver invoices by post"),
        required=False,
        help_text=_("Invoices go into the print bundle as well as by e-mail."),
    )
    payment_term_days = forms.IntegerField(
        label=_("payment term override (days)"),
        required=False,
        help_text=_("Empty: the default from the billing settings."),
    )
    payment_method = forms.ChoiceField(label=_("payment method"), choices=PaymentMethod.choices)
    contract_period_start = forms.DateField(
        label=_("contract period start (override)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("Empty: the start of the oldest module."),
    )
    vat_treatment = forms.ChoiceField(label=_("VAT treatment"), choices=VatTreatment.choices)
    vat_id = forms.CharField(label=_("VAT ID"), max_length=20, required=False)
    leitweg_id = forms.CharField(
        label=_("Leitweg-ID (XRechnung routing id)"), max_length=46, required=False
    )
    po_number = forms.CharField(label=_("purchase order number"), max_length=60, required=False)
    group = forms.ModelChoiceField(
        label=_("customer group"), queryset=CustomerGroup.objects.all(), required=False
    )
    branch = forms.ModelChoiceField(
        label=_("branch"), queryset=Branch.objects.all(), required=False
    )
    language = forms.ChoiceField(label=_("language"), choices=Language.choices)
    currency = forms.CharField(label=_("currency"), max_length=3)
    is_test = forms.BooleanField(label=_("test account"), required=False)

    def __init__(self, *args: Any, actor: Any, account: Account, **kwargs: Any) -> None:
        initial = {name: getattr(account, name) for name in ACCOUNT_FIELDS}
        initial["version"] = account.version
        super().__init__(*args, initial=initial, **kwargs)
        may_edit = can(actor, Action.ACCOUNT_UPDATE) and account.status == "active"
        for name, field in self.fields.items():
            action = RESTRICTED_FIELDS.get(name)
            if not may_edit or (action is not None and not can(actor, action)):
                field.disabled = True
        self.editable = may_edit
        self.fields["deliver_by_post"].widget.choices = post_choices()

    def post_flag_text(self) -> str:
        """The post flag as the read-only page shows it."""
        value = {None: "unknown", True: "true", False: "false"}[self.initial["deliver_by_post"]]
        return str(dict(self.fields["deliver_by_post"].widget.choices)[value])

    def changes(self) -> dict[str, Any]:
        return {
            name: self.cleaned_data[name]
            for name in self.changed_data
            if name in ACCOUNT_FIELDS and not self.fields[name].disabled
        }

    def sections(self) -> list[tuple[str, Any, list[forms.BoundField]]]:
        return [
            (key, title, [self[name] for name in names]) for key, title, names in ACCOUNT_SECTIONS
        ]


def post_choices() -> list[tuple[str, Any]]:
    """Empty (the billing settings' default, named), yes, no."""
    default = _("yes") if BillingSettings.load().deliver_by_post_default else _("no")
    return [
        ("unknown", _("billing settings' default (%s)") % default),
        ("true", _("yes")),
        ("false", _("no")),
    ]


class PartyForm(forms.Form):
    """A contract party (new account, or the proposal of a change request)."""

    kind = forms.ChoiceField(label=_("kind"), choices=PartyKind.choices)
    company_name = forms.CharField(label=_("company name"), max_length=200, required=False)
    first_name = forms.CharField(label=_("first name"), max_length=100, required=False)
    last_name = forms.CharField(label=_("last name"), max_length=100, required=False)
    contact_person = forms.CharField(label=_("contact person"), max_length=200, required=False)
    street = forms.CharField(label=_("street and number"), max_length=200, required=False)
    address_extra = forms.CharField(label=_("address supplement"), max_length=200, required=False)
    postal_code = forms.CharField(label=_("postal code"), max_length=20, required=False)
    city = forms.CharField(label=_("city"), max_length=100, required=False)
    country = forms.CharField(label=_("country"), max_length=2, initial="DE")
    email = forms.EmailField(label=_("e-mail"), required=False)
    phone = forms.CharField(label=_("phone"), max_length=50, required=False)

    PARTY_FIELDS = PARTY_FIELDS

    def party_data(self) -> Any:
        from kontor.customers.types import PartyData

        return PartyData(**{name: self.cleaned_data[name] for name in self.PARTY_FIELDS})


class AccountCreateForm(PartyForm):
    customer_number = forms.CharField(
        label=_("customer number"),
        max_length=40,
        required=False,
        help_text=_("Empty: the next number from the configured format."),
    )
    external_customer_number = forms.CharField(
        label=_("external customer number"), max_length=60, required=False
    )
    payment_method = forms.ChoiceField(label=_("payment method"), choices=PaymentMethod.choices)
    vat_treatment = forms.ChoiceField(label=_("VAT treatment"), choices=VatTreatment.choices)
    vat_id = forms.CharField(label=_("VAT ID"), max_length=20, required=False)
    language = forms.ChoiceField(label=_("language"), choices=Language.choices)

    ACCOUNT_FIELDS = [
        "external_customer_number",
        "payment_method",
        "vat_treatment",
        "vat_id",
        "language",
    ]

    def account_fields(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self.ACCOUNT_FIELDS}


class RecipientForm(forms.Form):
    email = forms.EmailField(label=_("e-mail"), required=False)
    delivery_mode = forms.ChoiceField(label=_("delivery mode"), choices=DeliveryMode.choices)


RecipientFormSet = formset_factory(RecipientForm, extra=1)


class RecipientsVersionForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
