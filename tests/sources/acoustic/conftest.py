"""Fixtures for the acoustic tests: the shared clips (missing data fails), WAV writers."""

from __future__ import annotations

from pathlib import Path

import pytest

ACOUSTIC = Path(__file__).resolve().parents[3].parent / "shared" / "data" / "acoustic"


@pytest.fixture(scope="session")
def clips() -> Path:
    """shared/data/acoustic/svanstrom; a missing directory fails the test."""
    d = ACOUSTIC / "svanstrom"
    if not (ACOUSTIC / "MANIFEST.md").is_file() or not d.is_dir():
        pytest.fail(f"shared acoustic clips missing at {ACOUSTIC}")
    return d
