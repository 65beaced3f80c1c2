"""The Kontor REST API v1 (django-ninja): OpenAPI at /api/v1/openapi.json, docs at /api/v1/docs."""

from __future__ import annotations

from ninja import NinjaAPI

from kontor.api.auth import BearerTokenAuth, StaffSessionAuth
from kontor.api.errors import register_exception_handlers
from kontor.api.routers import (
    account_details,
    accounts,
    billing,
    catalog,
    collective,
    contracts,
    customer_setup,
    documents,
    invoices,
)

DESCRIPTION = """\
Contract and subscription billing. Authenticate with `Authorization: Bearer <token>`
(`kontor token create USERNAME --name NAME`) or, from the back office, with your session.
Errors: `{"errors": [{"field", "code", "message"}]}`. Money amounts are strings ("12.50").
Writes to versioned records send `If-Match: "<version>"` (see docs/api.md).
"""

api = NinjaAPI(
    title="Kontor API",
    version="1",
    description=DESCRIPTION,
    auth=[BearerTokenAuth(), StaffSessionAuth()],
    urls_namespace="api-v1",
    openapi_url="/openapi.json",
    docs_url="/docs",
)
register_exception_handlers(api)
# before accounts and invoices: /invoices/collective must not be read as /invoices/{invoice_id}
api.add_router("/", collective.router)
api.add_router("/", customer_setup.router)
api.add_router("/accounts", accounts.router)
api.add_router("/", account_details.router)
api.add_router("/catalog", catalog.router)
api.add_router("/", contracts.router)
api.add_router("/", billing.router)
api.add_router("/invoices", invoices.router)
api.add_router("/", documents.router)
