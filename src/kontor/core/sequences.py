"""Gapless counters under a row lock (must run inside the caller's transaction, so that a
rollback returns the numbers)."""

from __future__ import annotations

from django.db import transaction

from kontor.core.models import Sequence


def sequence_next(name: str) -> int:
    return sequence_take(name, 1)[0]


def sequence_take(name: str, count: int) -> range:
    """Reserve `count` consecutive values of the counter `name`."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("sequences must be used inside a transaction")
    if count < 1:
        raise ValueError("count must be at least 1")
    Sequence.objects.get_or_create(name=name)
    seq = Sequence.objects.select_for_update().get(name=name)
    first = seq.last_value + 1
    seq.last_value += count
    seq.save(update_fields=["last_value"])
    return range(first, first + count)


def format_number(pattern: str, value: int, **context: object) -> str:
    """Render a number format such as `K-{seq:05}` or `RE-{year}-{seq:06}`."""
    return pattern.format(seq=value, **context)
