"""Reads for collective invoicing that interfaces show: one profile, the customer groups and
which profile each has. Staff only (the same rule as `collective_profiles_list`)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from kontor.billing.collective import collective_profile_get
from kontor.billing.models import CollectiveProfile
from kontor.core.permissions import Action, require
from kontor.customers.models import CustomerGroup


def collective_profile_for_actor(*, actor: Any, profile_id: int) -> CollectiveProfile:
    require(actor, Action.BILLING_RUN_VIEW)
    return collective_profile_get(profile_id)


def customer_groups_list(*, actor: Any) -> QuerySet[CustomerGroup]:
    require(actor, Action.BILLING_RUN_VIEW)
    return CustomerGroup.objects.order_by("name", "id")
