"""`kontor send-due [--limit N]`: one round of delivery — schedule the invoices whose
documents are ready, re-queue deliveries stuck in flight, send the e-mails that are due."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandParser

from kontor.delivery.tasks import send_due_deliveries


class Command(BaseCommand):
    help = "Send the invoice e-mails that are due (and schedule newly finalized invoices)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--limit", type=int, default=500, help="At most this many e-mails.")

    def handle(self, *args: object, limit: int, **options: object) -> None:
        counts = send_due_deliveries(limit=limit)
        self.stdout.write(", ".join(f"{name}: {value}" for name, value in counts.items()))
        if counts["failed"]:
            self.stderr.write(f"{counts['failed']} delivery(ies) failed; see the failed deliveries")
