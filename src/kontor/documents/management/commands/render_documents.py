"""`kontor render-documents [--limit N]`: render the documents of finalized invoices still
pending in the outbox; failures are listed and stay pending."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kontor.documents.services import process_outbox


class Command(BaseCommand):
    help = "Render and archive the documents of finalized invoices pending in the outbox."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--limit", type=int, default=1000, help="At most this many.")

    def handle(self, *args: object, limit: int, **options: object) -> None:
        result = process_outbox(limit)
        self.stdout.write(f"rendered: {len(result.processed)}, failed: {len(result.failed)}")
        for invoice_id, error in result.failed.items():
            self.stderr.write(f"invoice {invoice_id}: {error}")
        if result.failed:
            raise CommandError(f"{len(result.failed)} invoice(s) could not be rendered")
