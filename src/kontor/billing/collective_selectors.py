"""Reads for collective invoicing that interfaces show: one profile. Staff only (the same rule
as `collective_profiles_list`). Customer groups are read through customers.selectors."""

from __future__ import annotations

from typing import Any

from kontor.billing.collective import collective_profile_get
from kontor.billing.models import CollectiveProfile
from kontor.core.permissions import Action, require


def collective_profile_for_actor(*, actor: Any, profile_id: int) -> CollectiveProfile:
    require(actor, Action.BILLING_RUN_VIEW)
    return collective_profile_get(profile_id)
