"""The shared ASTERIX recordings (../shared/data/asterix); missing data fails the test."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def asterix_dir(captures: Path) -> Path:
    d = captures / "asterix"
    if not d.is_dir():
        pytest.fail(f"ASTERIX recordings not found at {d}")
    return d
