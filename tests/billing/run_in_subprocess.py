"""Execute a billing run in a process of its own, so a test can kill it or let Celery workers
take the chunks. Configured like production, through the environment (DATABASE_URL,
KONTOR_BROKER_URL, KONTOR_CELERY_QUEUE, KONTOR_BILLING_CHUNK_SIZE).

    python tests/billing/run_in_subprocess.py RUN_ID ACTOR_ID [--pause-in-chunk SECONDS]

`--pause-in-chunk` sleeps inside every chunk's transaction after its invoices are numbered
and written, so a kill most likely lands while numbers are taken but not committed.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from typing import Any


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("run_id", type=int)
    parser.add_argument("actor_id", type=int)
    parser.add_argument("--pause-in-chunk", type=float, default=0.0)
    args = parser.parse_args(argv)

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kontor.settings")
    import django

    django.setup()
    from django.contrib.auth.models import User

    from kontor.billing import runs

    if args.pause_in_chunk:
        issue = runs.issue_invoices

        def slow_issue(*a: Any, **kw: Any) -> Any:
            invoices = issue(*a, **kw)
            time.sleep(args.pause_in_chunk)
            return invoices

        runs.issue_invoices = slow_issue  # type: ignore[assignment]
    actor = User.objects.get(pk=args.actor_id)
    run = runs.billing_run_execute(actor=actor, run_id=args.run_id)
    print(f"run {run.pk}: {run.status}, {run.accounts_done}/{run.accounts_total}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
