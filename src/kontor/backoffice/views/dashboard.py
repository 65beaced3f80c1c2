"""The staff start page: a few counts and the contract party changes waiting for a decision."""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from kontor.backoffice.views.collective import collective_notices
from kontor.backoffice.views.documents import dashboard_notices
from kontor.contracts.selectors import subscription_queryset
from kontor.core import clock
from kontor.customers.selectors import account_list, party_change_requests_pending


def dashboard_context(actor: Any) -> dict[str, Any]:
    today = clock.today()
    accounts = account_list(actor)
    current = subscription_queryset(actor).filter(Q(end_date__isnull=True) | Q(end_date__gte=today))
    pending = party_change_requests_pending(actor)
    return {
        "kontor_counts": {
            "accounts": accounts.count(),
            "test_accounts": accounts.filter(is_test=True).count(),
            "subscriptions": current.count(),
            "ending": current.filter(end_date__isnull=False).count(),
        },
        "pending_party_changes": list(pending[:20]),
        "pending_party_changes_count": pending.count(),
        **dashboard_notices(actor),
        **collective_notices(actor),
    }
