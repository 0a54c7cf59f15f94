"""Shared fixtures: where the real captures are (../shared/data), and a stadium run."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = REPO.parent / "shared" / "data"


@pytest.fixture(scope="session")
def captures() -> Path:
    """The shared real captures. Missing data fails the test (pytest.fail)."""
    if not SHARED_DATA.is_dir():
        pytest.fail(f"real captures not found at {SHARED_DATA} (clone next to ../shared)")
    return SHARED_DATA
