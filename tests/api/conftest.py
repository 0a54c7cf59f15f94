"""Fixtures for the API tests: a real Store on a temporary SQLite file, a site, a LiveState,
an InProcessBus and a TestClient over ``create_app``. Only the clock is fixed."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import msgspec
import pytest
from api_factories import NOW, SITE
from fastapi.testclient import TestClient

from dronewatch.api import LiveState, create_app
from dronewatch.bus import InProcessBus
from dronewatch.config import Site
from dronewatch.store import Store


@pytest.fixture
def site() -> Site:
    return msgspec.convert(SITE, Site)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    s = Store(f"sqlite:///{tmp_path / 'api.db'}")
    yield s
    s.close()


@pytest.fixture
def live(site: Site) -> LiveState:
    return LiveState(site)


@pytest.fixture
def bus() -> InProcessBus:
    return InProcessBus()


@pytest.fixture
def client(site: Site, store: Store, live: LiveState, bus: InProcessBus) -> Iterator[TestClient]:
    app = create_app(site, store, live, bus, clock=lambda: NOW, max_rate_hz=100.0)
    with TestClient(app) as c:
        yield c
