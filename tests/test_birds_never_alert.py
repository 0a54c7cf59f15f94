"""Birds never raise a drone alert, with the radar's class hints on and off, while a dark drone
in the same scene is still alerted well before it reaches the crowd.

One site (a critical "Crowd" ellipse, a warning perimeter, one radar 300 m off with clutter), one
300 s scene: a flock of 10 birds circling over the crowd at 60 m, 6 gulls circling at 30 m over
it, real pigeon tracks (shared/data/trajectories, a flock of 5 and a single bird) crossing it, and
a multirotor without Remote ID flying in from 2 km to hover over the crowd.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from dronewatch.assess.classify.recordings import flying_parts, read_recording
from dronewatch.config import Circle, ObjectSpec, Origin, Place, Scenario, SensorSpec, Site, Waypoint, Zone
from dronewatch.geo import SiteFrame
from dronewatch.pipeline import Pipeline
from dronewatch.sources.sim import Simulation
from dronewatch.trackfile import read_track_file, write_track_file

DATA = Path(__file__).resolve().parents[1] / ".." / "shared" / "data" / "trajectories"
FRAME = SiteFrame(52.37, 4.9, 5.0)


def _ll(e: float, n: float) -> tuple[float, float]:
    lat, lon, _ = FRAME.enu_to_ground(e, n, 0.0)
    return float(lat), float(lon)


def _wp(e: float, n: float, alt: float, **kw: float) -> Waypoint:
    return Waypoint(lat=_ll(e, n)[0], lon=_ll(e, n)[1], alt_m=alt, **kw)


def _site(hints: bool) -> Site:
    ring = [_ll(150 * math.cos(a), 100 * math.sin(a)) for a in np.linspace(0, 2 * math.pi, 20, endpoint=False)]
    rlat, rlon = _ll(-300.0, 50.0)
    lat, lon = _ll(0.0, 0.0)
    return Site(
        name="crowd", origin=Origin(lat=FRAME.lat0, lon=FRAME.lon0, alt_m=FRAME.h0),
        zones=[Zone(name="Crowd", polygon=ring, ceiling_m=300.0, severity="critical"),
               Zone(name="Perimeter", circle=Circle(lat=lat, lon=lon, radius_m=500.0), severity="warning")],
        sensors=[SensorSpec(id="radar", kind="radar", lat=rlat, lon=rlon, alt_m=25.0, range_m=3000.0,
                            false_alarms_per_scan=2.0, class_hints=hints)],
    )


def _pigeon(tmp: Path, name: str, start_s: float, k: int) -> Path:
    rec = flying_parts(read_recording(DATA / "bird" / name))[0]
    sel = (rec.t_s >= start_s) & (rec.t_s <= start_s + 160.0)
    path = tmp / f"pigeon-{k}.csv"
    write_track_file(path, rec.t_s[sel], rec.lat[sel], rec.lon[sel], rec.alt_m[sel])
    return path


def _crossing(path: Path, heading: float) -> Place:
    """Place the recording so that its middle passes over the crowd centre."""
    _, lat, lon, alt = read_track_file(path)
    local = SiteFrame(float(lat[0]), float(lon[0]), float(alt[0]))
    e, n, _ = (np.asarray(v) for v in local.to_enu(lat, lon, alt))
    h = math.radians(heading)
    mid = len(e) // 2
    me, mn = e[mid] * math.cos(h) + n[mid] * math.sin(h), -e[mid] * math.sin(h) + n[mid] * math.cos(h)
    plat, plon = _ll(-me, -mn)
    return Place(lat=plat, lon=plon, heading_deg=heading, t0_s=60.0)


@pytest.fixture(scope="module")
def scene(tmp_path_factory: pytest.TempPathFactory) -> list[ObjectSpec]:
    assert DATA.is_dir(), f"shared data missing: {DATA}"
    tmp = tmp_path_factory.mktemp("pigeons")
    p1 = _pigeon(tmp, "flack2014_pigeon_A_D94_R2_05.csv", 200.0, 1)
    p2 = _pigeon(tmp, "flack2014_pigeon_B_A34_R1_06.csv", 300.0, 2)
    return [
        ObjectSpec(id="flock", kind="bird", count=10, waypoints=[
            _wp(-1500.0, 900.0, 60.0, t=0.0), _wp(20.0, -10.0, 60.0, hold_s=400.0)]),
        ObjectSpec(id="gulls", kind="bird", count=6, waypoints=[
            _wp(1200.0, 1200.0, 30.0, t=0.0), _wp(-30.0, 20.0, 30.0, hold_s=400.0)]),
        ObjectSpec(id="pigeons", kind="bird", count=5, track_file=str(p1), place=_crossing(p1, 70.0), alt_m=50.0),
        ObjectSpec(id="pigeon", kind="bird", track_file=str(p2), place=_crossing(p2, 200.0), alt_m=35.0),
        ObjectSpec(id="dark-drone", kind="multirotor", speed_mps=12.0, waypoints=[
            _wp(1400.0, -1400.0, 70.0, t=60.0), _wp(40.0, 0.0, 70.0, hold_s=60.0)]),
    ]


@pytest.mark.parametrize("hints", [True, False], ids=["hints_on", "hints_off"])
def test_birds_never_alert_and_the_drone_does(scene: list[ObjectSpec], hints: bool) -> None:
    site = _site(hints)
    sim = Simulation(Scenario(name="birds", site=site, objects=scene, seed=11, duration_s=300.0, step_s=0.1))
    pipe = Pipeline(site, sim.frame)
    drone_row = sim.truth_table.ids.index("dark-drone")
    bird_alerts, drone_alerts, entry = [], [], None
    birds_inside: set[str] = set()
    for step in range(1, 301):
        now = sim.start_at + step
        update = pipe.step(sim.advance(now), now)
        truth = sim.truth_table.states_at(now)
        d = truth[drone_row]
        if entry is None and not np.isnan(d[0]) and (d[0] / 150.0) ** 2 + (d[1] / 100.0) ** 2 <= 1.0:
            entry = step
        with np.errstate(invalid="ignore"):
            inside = (truth[:, 0] / 150.0) ** 2 + (truth[:, 1] / 100.0) ** 2 <= 1.0
        birds_inside |= {sim.truth_table.ids[j] for j in np.flatnonzero(inside) if j != drone_row}
        for alert in update.alerts:
            if alert.raised_at != alert.updated_at or alert.rule == "unidentified_object":
                continue
            track = next(t for t in update.tracks if t.track_id == alert.track_id)
            dist = np.linalg.norm(truth[:, :3] - np.array(track.enu_m), axis=1)
            owner = sim.truth_table.ids[int(np.nanargmin(dist))]
            (drone_alerts if owner == "dark-drone" else bird_alerts).append((step, alert.rule, owner))
    # The birds really are over the crowd: both flocks and the real pigeons.
    assert {"flock-1", "gulls-1", "pigeon"} <= birds_inside and any(b.startswith("pigeons-") for b in birds_inside)
    assert bird_alerts == [], bird_alerts
    assert entry is not None, "the drone never reached the crowd"
    assert drone_alerts, "the drone was never alerted"
    assert drone_alerts[0][0] <= entry - 30, (drone_alerts[0], entry)
