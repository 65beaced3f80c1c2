"""The form for sending an invoice to one more address. It only collects the input: the
service checks the address and refuses one that already has a delivery."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from kontor.delivery.models import DeliveryMode


class DeliveryAddForm(forms.Form):
    recipient = forms.CharField(
        label=_("e-mail address"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )
    mode = forms.ChoiceField(
        label=_("delivery mode"), choices=DeliveryMode.choices, initial=DeliveryMode.ATTACHMENT
    )
