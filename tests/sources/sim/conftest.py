"""Fixtures for the simulator tests."""

from __future__ import annotations

import pytest
from simkit import ScenarioFactory, scenario


@pytest.fixture
def make_scenario() -> ScenarioFactory:
    """Builds a validated Scenario from objects and sensors given in site ENU metres."""
    return scenario
