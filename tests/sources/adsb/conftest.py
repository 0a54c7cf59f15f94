"""The shared ADS-B recordings (../shared/data/adsb); missing data fails the test."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def adsb_dir(captures: Path) -> Path:
    d = captures / "adsb"
    if not d.is_dir():
        pytest.fail(f"ADS-B recordings not found at {d}")
    return d
