"""The only place that reads the system clock. Domain code takes `today`/`now` as arguments."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone


def now() -> dt.datetime:
    return timezone.now()


def today() -> dt.date:
    """Today's business date in the provider's time zone (settings.TIME_ZONE)."""
    return timezone.localdate()
