"""Forms of the workflow views: each collects the arguments of one service call."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from kontor.backoffice.forms.account import PartyForm
from kontor.catalog.selectors import TariffChoice
from kontor.core import clock
from kontor.customers.models import MandateScheme

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def date_field(label: str, *, required: bool = True, **kwargs: Any) -> forms.DateField:
    return forms.DateField(label=label, required=required, widget=DATE_WIDGET, **kwargs)


class CancelForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    notice_given_on = date_field(_("notice received on"), initial=clock.today)
    end_date = date_field(
        _("end date (different from the earliest)"),
        required=False,
        help_text=_("Managers only: leave empty to end on the earliest allowed date."),
    )


class ChangeTariffForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    tariff_version = forms.ChoiceField(label=_("new tariff"))
    requested_on = date_field(_("change requested on"), initial=clock.today)
    effective_date = date_field(
        _("first day of the new tariff"),
        required=False,
        help_text=_("Empty: the earliest date the terms allow."),
    )
    quantity = forms.DecimalField(
        label=_("quantity"), required=False, max_digits=10, decimal_places=3
    )

    def set_choices(self, choices: list[tuple[int, str]]) -> None:
        self.fields["tariff_version"].choices = [("", "---------"), *choices]


def tariff_choice_label(choice: TariffChoice) -> str:
    """`Webhosting – Tarif M (from 2020-01-01) – 12.90 / monthly`, marked when not valid yet."""
    version = choice.version
    label = f"{version} – {version.price:.2f} / {version.get_billing_interval_months_display()}"
    if choice.valid:
        return label
    not_valid = _("not valid yet")
    return f"{label} – {not_valid}"


class BookModuleForm(forms.Form):
    tariff = forms.ChoiceField(label=_("module / tariff"))
    start_date = date_field(_("start date"))
    quantity = forms.DecimalField(label=_("quantity"), initial=1, max_digits=10, decimal_places=3)
    contract_reference = forms.CharField(
        label=_("contract reference"),
        max_length=40,
        required=False,
        help_text=_("Empty: the customer number (the account's main contract)."),
    )
    deviating_price = forms.DecimalField(
        label=_("deviating price per interval"),
        required=False,
        max_digits=14,
        decimal_places=4,
        help_text=_("Empty: the price of the tariff version."),
    )

    def __init__(self, *args: Any, price_changeable: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not price_changeable:
            del self.fields["deviating_price"]

    def set_choices(self, choices: list[tuple[int, str]]) -> None:
        self.fields["tariff"].choices = [("", "---------"), *choices]


class BookAddonForm(forms.Form):
    article = forms.ChoiceField(label=_("add-on"))
    start_date = date_field(_("start date"), initial=clock.today)
    quantity = forms.DecimalField(label=_("quantity"), initial=1, max_digits=10, decimal_places=3)

    def __init__(self, *args: Any, choices: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["article"].choices = [("", "---------"), *choices]


class BankAccountForm(forms.Form):
    holder = forms.CharField(label=_("account holder"), max_length=140, required=False)
    iban = forms.CharField(label=_("IBAN"), max_length=42)
    bic = forms.CharField(
        label=_("BIC"), max_length=11, required=False, help_text=_("Empty: derived from the IBAN.")
    )


class MandateForm(forms.Form):
    bank_account = forms.ChoiceField(label=_("bank account"))
    reference = forms.CharField(label=_("mandate reference"), max_length=35)
    signed_on = date_field(_("date of signature"))
    scheme = forms.ChoiceField(label=_("scheme"), choices=MandateScheme.choices)

    def __init__(self, *args: Any, choices: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["bank_account"].choices = choices


class MandateRevokeForm(forms.Form):
    ended_on = date_field(_("ended on"), initial=clock.today)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    widget = MultipleFileInput

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        files = data if isinstance(data, list | tuple) else [data] if data else []
        return [super(MultipleFileField, self).clean(item, initial) for item in files]


class PartyChangeRequestForm(PartyForm):
    reason = forms.CharField(label=_("reason"), widget=forms.Textarea(attrs={"rows": 3}))
    evidence = MultipleFileField(
        label=_("evidence documents"),
        required=False,
        help_text=_("At least one file, e.g. a commercial register extract or an official letter."),
    )
    evidence_description = forms.CharField(
        label=_("description of the evidence"), max_length=200, required=False
    )

    def uploads(self) -> list[Any]:
        from kontor.customers.types import UploadedDocument

        description = self.cleaned_data.get("evidence_description", "")
        return [
            UploadedDocument(name=f.name, content=f.read(), description=description)
            for f in self.cleaned_data.get("evidence") or []
        ]


class DecisionForm(forms.Form):
    note = forms.CharField(
        label=_("note"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required when rejecting."),
    )


class ConfirmForm(forms.Form):
    confirm = forms.BooleanField(label=_("Yes, I am sure."))
