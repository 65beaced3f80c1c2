"""Forms of the billing pages: each collects the arguments of one service call."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from kontor.backoffice.forms.workflows import date_field
from kontor.core import clock

RUN_MODES = [
    ("preview", _("Preview: show what would be billed, bill nothing")),
    ("execute", _("Bill now")),
]


class BillingRunForm(forms.Form):
    as_of = date_field(_("billing date"), initial=clock.today)
    mode = forms.ChoiceField(
        label=_("mode"), choices=RUN_MODES, initial="preview", widget=forms.RadioSelect
    )
    finalize = forms.BooleanField(
        label=_("finalize invoices (assign numbers)"),
        required=False,
        initial=True,
        help_text=_("Off: the invoices stay drafts to be checked and finalized later."),
    )


class InvoiceDraftForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    header_text = forms.CharField(
        label=_("text before the lines"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    footer_text = forms.CharField(
        label=_("text after the lines"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    send_date = date_field(_("send date"), required=False)


class InvoiceLineForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    position = forms.IntegerField(widget=forms.HiddenInput)
    description = forms.CharField(label=_("description"), max_length=300)
    quantity = forms.DecimalField(label=_("quantity"), max_digits=12, decimal_places=3)
    unit_price = forms.DecimalField(label=_("unit price"), max_digits=14, decimal_places=4)


class CreditNoteForm(forms.Form):
    """Full credit, or a net amount per line (empty: that line is not credited)."""

    reason = forms.CharField(label=_("reason"), widget=forms.Textarea(attrs={"rows": 2}))
    full = forms.BooleanField(
        label=_("credit the whole invoice"),
        required=False,
        initial=True,
        help_text=_("Off: credit only the amounts entered per line below."),
    )
    finalize = forms.BooleanField(label=_("finalize the credit note"), required=False, initial=True)

    def __init__(self, *args: Any, lines: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for line in lines:
            self.fields[f"line_{line.position}"] = forms.DecimalField(
                label=f"{line.position}. {line.description} ({line.net_amount})",
                required=False,
                min_value=Decimal("0.01"),
                max_digits=14,
                decimal_places=2,
            )

    def line_amounts(self) -> dict[int, Decimal] | None:
        if self.cleaned_data.get("full"):
            return None
        return {
            int(name.removeprefix("line_")): value
            for name, value in self.cleaned_data.items()
            if name.startswith("line_") and value is not None
        }


class ChargeForm(forms.Form):
    description = forms.CharField(label=_("description"), max_length=300)
    quantity = forms.DecimalField(
        label=_("quantity"), max_digits=12, decimal_places=3, initial=Decimal("1")
    )
    unit_price = forms.DecimalField(label=_("unit price (net)"), max_digits=14, decimal_places=4)
    tax_category = forms.ChoiceField(label=_("VAT category"))
    service_date = date_field(_("date of service"), initial=clock.today)
    article_number = forms.CharField(label=_("article number"), required=False, max_length=40)

    def __init__(self, *args: Any, choices: list[tuple[Any, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["tax_category"].choices = choices


class InvoiceNowForm(forms.Form):
    as_of = date_field(
        _("invoice date"),
        initial=clock.today,
        help_text=_("Pending charges up to this day are invoiced."),
    )
    finalize = forms.BooleanField(label=_("finalize at once"), required=False, initial=True)
