"""Gapless counters under a row lock (must run inside the caller's transaction)."""

from __future__ import annotations

from django.db import transaction

from kontor.core.models import Sequence


def sequence_next(name: str) -> int:
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("sequence_next must run inside a transaction")
    Sequence.objects.get_or_create(name=name)
    seq = Sequence.objects.select_for_update().get(name=name)
    seq.last_value += 1
    seq.save(update_fields=["last_value"])
    return seq.last_value


def format_number(pattern: str, value: int, **context: object) -> str:
    """Render a number format such as `K-{seq:05}` or `RE-{year}-{seq:06}`."""
    return pattern.format(seq=value, **context)
