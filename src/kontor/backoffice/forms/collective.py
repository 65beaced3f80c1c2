"""Forms of the collective-invoice pages: each collects the arguments of one service call."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from kontor.backoffice.forms.workflows import date_field
from kontor.invoicing.collective import EARLIEST


class SendDateForm(forms.Form):
    """Set or clear a draft's send date (`invoice_draft_update`)."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    send_date = date_field(
        _("send date"), required=False, help_text=_("Empty: no send date (not sent).")
    )


class IdListField(forms.Field):
    """The ids of the ticked checkboxes."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value: Any) -> list[int]:
        try:
            return sorted({int(item) for item in value or []})
        except (TypeError, ValueError) as exc:
            raise forms.ValidationError(_("Select drafts from the list."), code="invalid") from exc


class CombineForm(forms.Form):
    """`invoices_combine`: the ticked drafts and the send date of the result."""

    invoice_ids = IdListField(required=False)
    send_date = date_field(
        _("send date"),
        required=False,
        help_text=_("Empty: the earliest send date of the selected drafts."),
    )
    no_send_date = forms.BooleanField(
        label=_("no send date"),
        required=False,
        help_text=_("The combined invoice is not sent until a send date is set."),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("no_send_date") and data.get("send_date"):
            self.add_error("send_date", _("Give a send date or tick “no send date”, not both."))
        return data

    def send_date_choice(self) -> date | None | object:
        if self.cleaned_data["no_send_date"]:
            return None
        return self.cleaned_data["send_date"] or EARLIEST


class InAdvanceForm(forms.Form):
    """`contract_invoices_in_advance`."""

    until = date_field(
        _("invoice the periods up to"),
        help_text=_(
            "One draft per billing period up to this date; each is sent on the day its "
            "period starts. Drafts can be combined on the collective invoices page."
        ),
    )
