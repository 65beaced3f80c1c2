"""`kontor demo-data`: load the demo (a German hosting provider) and print the back-office
logins. Safe to run again: a loaded demo is left alone and its logins are printed."""

from __future__ import annotations

import time
from datetime import date
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from kontor.cli.demo import DemoResult, demo_load
from kontor.core.errors import KontorError
from kontor.core.permissions import STAFF_ROLES


class Command(BaseCommand):
    help = "Load demo data (Beispiel Hosting GmbH) and print the back-office logins."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--accounts", type=int, default=200, help="number of accounts")
        parser.add_argument("--seed", type=int, default=1, help="same seed, same data")
        parser.add_argument(
            "--today",
            type=date.fromisoformat,
            default=None,
            help="the demo's today as YYYY-MM-DD (default: today)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        logins_file = Path(settings.VAR_DIR) / "demo-logins.txt"
        started = time.monotonic()
        try:
            result = demo_load(
                logins_file=logins_file,
                accounts=options["accounts"],
                seed=options["seed"],
                today=options["today"],
            )
        except KontorError as exc:
            raise CommandError(str(exc)) from exc
        if result.already_loaded:
            self.stdout.write(_("Demo data is already loaded; nothing was changed."))
        else:
            self._report(result, time.monotonic() - started)
        self._print_logins(result.logins, logins_file)

    def _report(self, result: DemoResult, seconds: float) -> None:
        summary = result.summary
        assert summary is not None
        self.stdout.write(
            self.style.SUCCESS(
                _(
                    "Demo data loaded in %(seconds).1f s: %(accounts)d accounts, "
                    "%(subscriptions)d booked modules, %(mandates)d SEPA mandates, "
                    "%(cancellations)d cancellations, %(changes)d tariff changes, "
                    "%(requests)d pending contract party change."
                )
                % {
                    "seconds": seconds,
                    "accounts": summary.accounts,
                    "subscriptions": summary.subscriptions,
                    "mandates": summary.mandates,
                    "cancellations": summary.cancellations,
                    "changes": summary.tariff_changes,
                    "requests": summary.change_requests,
                }
            )
        )

    def _print_logins(self, logins: dict[str, str], logins_file: Path) -> None:
        if not logins:
            self.stdout.write(
                _("No demo logins are recorded in %(file)s; set a password with "
                  "`kontor changepassword manager`.") % {"file": logins_file}
            )  # fmt: skip
            return
        self.stdout.write(_("Back-office logins (also in %(file)s):") % {"file": logins_file})
        for role in STAFF_ROLES:
            password = logins.get(role.value, _("(unknown: password unchanged)"))
            self.stdout.write(f"  {role.value:<11} {password}")
