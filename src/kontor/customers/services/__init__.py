"""Writes on accounts and everything that hangs off them. Every function checks permissions,
runs in one transaction and leaves one audit entry."""

from kontor.customers.services.accounts import (
    account_create,
    account_delete,
    account_set_recipients,
    account_update,
)
from kontor.customers.services.banking import (
    bank_account_add,
    mandate_create,
    mandate_revoke,
)
from kontor.customers.services.classification import (
    branch_create,
    branch_delete,
    branch_update,
    customer_group_create,
    customer_group_delete,
    customer_group_update,
)
from kontor.customers.services.legal import (
    legal_acceptance_record,
    legal_document_create,
    legal_document_delete,
    legal_document_update,
)
from kontor.customers.services.party import (
    party_change_approve,
    party_change_reject,
    party_change_request,
)

__all__ = [
    "account_create",
    "account_delete",
    "account_set_recipients",
    "account_update",
    "bank_account_add",
    "branch_create",
    "branch_delete",
    "branch_update",
    "customer_group_create",
    "customer_group_delete",
    "customer_group_update",
    "legal_acceptance_record",
    "legal_document_create",
    "legal_document_delete",
    "legal_document_update",
    "mandate_create",
    "mandate_revoke",
    "party_change_approve",
    "party_change_reject",
    "party_change_request",
]
