"""Helpers for assessment tests: a small site (one polygon zone, one circle zone, a Remote ID
receiver) and ``TrackFactory``, which builds Track values with defaults."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from dronewatch.assess import Assessor
from dronewatch.config import AllowEntry, Circle, Origin, SensorSpec, Site, Thresholds, Zone
from dronewatch.geo import SiteFrame
from dronewatch.model import Alert, Identity, Track

ORIGIN_LAT, ORIGIN_LON, ORIGIN_ALT_M = 51.556, -0.2796, 40.0
ALLOWED_SERIAL = "1581F5FJB22A00CLUB"

# Site layout in ENU metres: "Stands" is the square e, n in [-100, 100], 0-120 m, critical;
# "Car park" a circle of 50 m radius at e=600, n=0, info; a Remote ID receiver at the origin
# hearing 1000 m.
STANDS_HALF_M = 100.0
CAR_PARK_E_M, CAR_PARK_RADIUS_M = 600.0, 50.0


def _ground(frame: SiteFrame, e: float, n: float) -> tuple[float, float]:
    lat, lon, _ = frame.enu_to_ground(e, n, 0.0)
    return float(lat), float(lon)


def build_site(frame: SiteFrame, *, remote_id: bool = True, **thresholds: Any) -> Site:
    h = STANDS_HALF_M
    corners = [(-h, -h), (h, -h), (h, h), (-h, h)]
    car_park_lat, car_park_lon = _ground(frame, CAR_PARK_E_M, 0.0)
    sensors = [SensorSpec(id="rid1", kind="remoteid", lat=ORIGIN_LAT, lon=ORIGIN_LON, range_m=1000.0)]
    return Site(
        name="test stadium",
        origin=Origin(lat=ORIGIN_LAT, lon=ORIGIN_LON, alt_m=ORIGIN_ALT_M),
        zones=[
            Zone(
                name="Stands",
                polygon=[_ground(frame, e, n) for e, n in corners],
                floor_m=0.0,
                ceiling_m=120.0,
                severity="critical",
            ),
            Zone(
                name="Car park",
                circle=Circle(lat=car_park_lat, lon=car_park_lon, radius_m=CAR_PARK_RADIUS_M),
                ceiling_m=400.0,
                severity="info",
            ),
        ],
        allow=[
            AllowEntry(name="Club drone", serial=ALLOWED_SERIAL),
            AllowEntry(name="Police helicopter", icao="43C0DE"),
        ],
        sensors=sensors if remote_id else [],
        thresholds=Thresholds(**thresholds),
    )


class TrackFactory:
    """Builds Track values: position/velocity in site ENU, everything else defaulted to a
    confirmed, radar-seen drone (drone class votes) first seen at t=0."""

    def __init__(self, frame: SiteFrame) -> None:
        self.frame = frame

    def __call__(
        self,
        track_id: int = 1,
        enu: tuple[float, float, float] = (0.0, 0.0, 50.0),
        vel: tuple[float, float, float] = (0.0, 0.0, 0.0),
        *,
        at: float = 100.0,
        status: str = "confirmed",
        first_seen_at: float = 0.0,
        identity: Identity | None = None,
        class_votes: dict[str, float] | None = None,
        rcs_dbsm: float | None = None,
        claimed_offset_m: float | None = None,
    ) -> Track:
        lat, lon, _ = self.frame.enu_to_ground(*enu)
        return Track(
            track_id=track_id,
            at=at,
            status=status,  # type: ignore[arg-type]
            enu_m=enu,
            vel_enu_mps=vel,
            pos_sigma_m=5.0,
            lat=float(lat),
            lon=float(lon),
            alt_m=enu[2],  # Track: == enu_m[2]
            first_seen_at=first_seen_at,
            last_update_at=at,
            updates=10,
            sensors=("radar1",),
            identity=identity,
            class_votes={"drone": 3.0} if class_votes is None else class_votes,
            rcs_dbsm=rcs_dbsm,
            claimed_offset_m=claimed_offset_m,
        )


def serial(value: str) -> Identity:
    return Identity(scheme="serial", value=value)


def of_rule(alerts: Iterable[Alert], rule: str) -> list[Alert]:
    return [a for a in alerts if a.rule == rule]


def run(
    assessor: Assessor, tracks_at: Any, times: Sequence[float]
) -> tuple[list[Alert], dict[float, list[Alert]]]:
    """Calls ``assess(tracks_at(t), t)`` for each t; returns every changed alert and them per t."""
    every: list[Alert] = []
    per_t: dict[float, list[Alert]] = {}
    for t in times:
        _, changed = assessor.assess(tracks_at(t), t)
        per_t[t] = changed
        every.extend(changed)
    return every, per_t
