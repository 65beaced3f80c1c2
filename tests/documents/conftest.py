from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path) -> None:
    """Archived documents go to a fresh directory per test."""
    settings.MEDIA_ROOT = tmp_path / "media"
