"""Fixtures for the Remote ID tests: the shared real captures; a missing capture fails the test."""

from __future__ import annotations

from pathlib import Path

import pytest

from dronewatch.model import Frame
from dronewatch.sources.remoteid import pcap

CAPTURES = Path(__file__).resolve().parents[3] / ".." / "shared" / "data" / "remoteid"


@pytest.fixture(scope="session")
def captures() -> Path:
    if not (CAPTURES / "MANIFEST.md").is_file():
        pytest.fail(f"shared Remote ID captures missing at {CAPTURES}")
    return CAPTURES


_CACHE: dict[str, list[Frame]] = {}


def load(captures: Path, name: str) -> list[Frame]:
    """All frames of a capture; index = Wireshark frame number - 1."""
    if name not in _CACHE:
        _CACHE[name] = list(pcap.frames(captures / name))
    return _CACHE[name]
