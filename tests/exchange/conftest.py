from __future__ import annotations

import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def _english_messages():
    """The tests read some messages; German is the default language, English is stable."""
    with translation.override("en"):
        yield
