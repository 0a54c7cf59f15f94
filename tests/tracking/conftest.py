"""Fixtures for tracker tests."""

from __future__ import annotations

import pytest

from .synth_reports import Synth


@pytest.fixture
def synth() -> Synth:
    return Synth()
