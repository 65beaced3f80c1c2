"""`kontor send-due [--limit N] [--send-held --as USERNAME]`: one round of delivery — schedule
the invoices whose documents are ready, re-queue deliveries stuck in flight, send the e-mails
that are due. Invoices that predate delivery are held back and reported; `--send-held` sends
them too."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kontor.core.errors import KontorError
from kontor.delivery.management import acting_user
from kontor.delivery.outbox import delivery_since
from kontor.delivery.services import deliveries_release_held
from kontor.delivery.tasks import send_due_deliveries


class Command(BaseCommand):
    help = "Send the invoice e-mails that are due (and schedule newly finalized invoices)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--limit", type=int, default=500, help="At most this many e-mails.")
        parser.add_argument(
            "--send-held",
            action="store_true",
            help="Also send the invoices held back because they predate delivery (needs --as).",
        )
        parser.add_argument(
            "--as", dest="as_user", help="Username of a manager or clerk (with --send-held)."
        )

    def handle(self, *args: object, limit: int, **options: object) -> None:
        if options["send_held"]:
            self._release(str(options["as_user"] or ""))
        counts = send_due_deliveries(limit=limit)
        self.stdout.write(", ".join(f"{name}: {value}" for name, value in counts.items()))
        if counts["held"]:
            since = delivery_since()
            self.stdout.write(
                f"not sent: {counts['held']} invoice(s) finalized and due before delivery "
                f"start ({since}); send them with `kontor send-due --send-held --as USERNAME`"
            )
        if counts["failed"]:
            self.stderr.write(f"{counts['failed']} delivery(ies) failed; see the failed deliveries")

    def _release(self, username: str) -> None:
        if not username:
            raise CommandError("--send-held: give --as USERNAME (a manager or clerk)")
        try:
            released = deliveries_release_held(actor=acting_user(username))
        except KontorError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"released: {len(released)} invoice(s) held back before delivery start")
