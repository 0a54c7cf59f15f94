"""Fixtures for the output tests: a site with outputs, certificates, updates to send."""

from __future__ import annotations

from pathlib import Path

import pytest

from dronewatch.config import Origin, Site
from sinks.receivers import Pki, make_pki


@pytest.fixture(scope="session")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    return make_pki(tmp_path_factory.mktemp("pki"))


def site_with(*outputs: object, name: str = "Test Site") -> Site:
    return Site(name=name, origin=Origin(lat=52.0, lon=4.0, alt_m=10.0), outputs=list(outputs))  # type: ignore[arg-type]


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    return tmp_path
