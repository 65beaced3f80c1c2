from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from kontor.core.audit import audit
from kontor.core.errors import invalid
from kontor.core.permissions import Action, require
from kontor.customers.models import LegalAcceptance, LegalDocument
from kontor.customers.selectors import account_for_actor


@transaction.atomic
def legal_acceptance_record(
    *,
    actor: Any,
    account_id: int,
    document_id: int,
    accepted_at: datetime,
    ip_address: str | None = None,
) -> LegalAcceptance:
    """Record that the account accepted a T&C / privacy document version (when, from where)."""
    require(actor, Action.LEGAL_ACCEPTANCE_RECORD)
    account = account_for_actor(actor, account_id)
    try:
        document = LegalDocument.objects.get(pk=document_id)
    except LegalDocument.DoesNotExist as exc:
        raise invalid(
            "document", _("Legal document %s does not exist.") % document_id, "not_found"
        ) from exc
    if accepted_at.tzinfo is None:
        raise invalid("accepted_at", _("Give the time with a time zone."), "naive_datetime")
    acceptance = LegalAcceptance.objects.create(
        account=account,
        document=document,
        accepted_at=accepted_at,
        ip_address=ip_address,
        recorded_by=actor,
    )
    audit(actor, "legal.accepted", account, document=str(document), ip=ip_address)
    return acceptance
