from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.utils import translation


@pytest.fixture
def english() -> Iterator[None]:
    """For tests that read messages: German is the provider's default, English is stable."""
    with translation.override("en"):
        yield
