"""Fixtures for assessment tests: the small site of ``helpers``, its frame, an Assessor, and
``make_track`` (a ``TrackFactory``)."""

from __future__ import annotations

import pytest

from dronewatch.assess import Assessor
from dronewatch.config import Site
from dronewatch.geo import SiteFrame

from .helpers import ORIGIN_ALT_M, ORIGIN_LAT, ORIGIN_LON, TrackFactory, build_site


@pytest.fixture
def frame() -> SiteFrame:
    return SiteFrame(ORIGIN_LAT, ORIGIN_LON, ORIGIN_ALT_M)


@pytest.fixture
def site(frame: SiteFrame) -> Site:
    return build_site(frame)


@pytest.fixture
def assessor(site: Site, frame: SiteFrame) -> Assessor:
    return Assessor(site, frame)


@pytest.fixture
def make_track(frame: SiteFrame) -> TrackFactory:
    return TrackFactory(frame)
