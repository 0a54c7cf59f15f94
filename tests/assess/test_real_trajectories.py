"""Real flight paths through the Assessor: a flock of real pigeon tracks crossing the stadium is
called "bird" and never alerted; a real quadcopter flight is called "drone" and is.

Paths come from shared/data/trajectories (see its MANIFEST.md), moved onto the test site. Radar
class hints are simulated: one a second, confidence 0.8, every tenth one wrong.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pytest

from dronewatch.assess import Assessor
from dronewatch.geo import SiteFrame
from dronewatch.model import Track

from .helpers import TrackFactory

FLIGHT_S = 90
HINT_CONFIDENCE = 0.8


@pytest.fixture
def trajectories() -> Path:
    path = Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "trajectories"
    assert path.is_dir(), f"shared data missing: {path}"
    return path


def _pigeon(path: Path) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(t_s, lat, lon, alt_m) at 1 s, duplicates dropped (CR line endings, ", " separators)."""
    rows = [line.split(", ") for line in path.read_text().splitlines()[1:] if line.strip()]
    seen: dict[float, tuple[float, float, float]] = {}
    for row in rows:
        at = dt.datetime.strptime(f"{row[0]} {row[1]}", "%Y/%m/%d %H:%M:%S").replace(tzinfo=dt.UTC)
        seen.setdefault(at.timestamp(), (float(row[2]), float(row[3]), float(row[4])))
    t = np.array(sorted(seen))
    lat, lon, alt = np.array([seen[x] for x in t]).T
    return t - t[0], lat, lon, alt


def _m100(path: Path) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    data = np.genfromtxt(path, delimiter=",", names=True, dtype=None, encoding="utf-8")
    t = np.array([float(s.split(":")[-1]) + 60 * float(s.split(":")[-2]) for s in data["time"]])
    return t - t[0], data["lat"].astype(float), data["lon"].astype(float), data["alt"].astype(float)


def _onto_site(
    t_s: np.ndarray, lat: np.ndarray, lon: np.ndarray, alt: np.ndarray, start: int, centre_at: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """ENU positions and velocities at 1 s for FLIGHT_S s from ``start``, moved so the sample
    ``centre_at`` seconds in is over the site origin at 40 m (plus the real climb and descent)."""
    local = SiteFrame(float(lat[start]), float(lon[start]), float(alt[start]))
    e, n, u = (np.asarray(x) for x in local.to_enu(lat, lon, alt))
    grid = t_s[start] + np.arange(FLIGHT_S, dtype=float)
    enu = np.column_stack([np.interp(grid, t_s, x) for x in (e, n, u)])
    enu -= enu[centre_at]
    enu[:, 2] = np.clip(enu[:, 2] + 40.0, 5.0, None)
    return grid - grid[0], enu, np.gradient(enu, axis=0)


def _flight_start(t_s: np.ndarray, lat: np.ndarray, lon: np.ndarray, min_speed_mps: float) -> int:
    """First fix from which the object moves faster than ``min_speed_mps`` for 30 s."""
    local = SiteFrame(float(lat[0]), float(lon[0]))
    e, n, _ = (np.asarray(x) for x in local.to_enu(lat, lon, np.zeros_like(lat)))
    speed = np.hypot(np.diff(e), np.diff(n)) / np.maximum(np.diff(t_s), 1e-3)
    for i in range(len(speed) - 30):
        if np.all(speed[i : i + 30] > min_speed_mps):
            return i
    raise AssertionError("no flight found")


def _hints(k: int, i: int, true_cls: str, wrong_cls: str, votes: dict[str, float]) -> dict[str, float]:
    cls = wrong_cls if (i + k) % 10 == 0 else true_cls
    votes[cls] = votes.get(cls, 0.0) + HINT_CONFIDENCE
    return dict(votes)


def test_real_pigeon_flock_crossing_the_stadium_is_bird_never_alerted(
    trajectories: Path, assessor: Assessor, make_track: TrackFactory
) -> None:
    files = sorted((trajectories / "bird").glob("*.csv"))
    assert len(files) == 8
    rng = np.random.default_rng(7)
    flights = []
    for k, path in enumerate(files):
        t_s, lat, lon, alt = _pigeon(path)
        start = _flight_start(t_s, lat, lon, min_speed_mps=8.0)
        flights.append(_onto_site(t_s, lat, lon, alt, start, centre_at=FLIGHT_S // 2 + 2 * k)[1:])
    votes: list[dict[str, float]] = [{} for _ in flights]
    alerts, classes = [], []
    for i in range(FLIGHT_S):
        now = 1000.0 + i
        tracks: list[Track] = []
        for k, (enu, vel) in enumerate(flights):
            tracks.append(
                make_track(
                    k + 1,
                    tuple(enu[i]),
                    tuple(vel[i]),
                    at=now,
                    first_seen_at=1000.0,
                    class_votes=_hints(k, i, "bird", "drone", votes[k]),
                    rcs_dbsm=float(rng.normal(-25.0, 3.0)),
                )
            )
        classified, changed = assessor.assess(tracks, now)
        alerts += changed
        classes += [t.cls for t in classified]
    # The flock really crosses the Stands: every bird is inside it at its centring time.
    assert all(abs(enu[FLIGHT_S // 2 + 2 * k][0]) < 1.0 for k, (enu, _) in enumerate(flights))
    assert alerts == []
    assert "drone" not in classes
    assert classes[-8:] == ["bird"] * 8


def test_real_quadcopter_flight_over_the_stadium_is_drone_and_alerted(
    trajectories: Path, assessor: Assessor, make_track: TrackFactory
) -> None:
    t_s, lat, lon, alt = _m100(trajectories / "drone" / "cmu_m100_flight005_route_R2.csv")
    start = _flight_start(t_s, lat, lon, min_speed_mps=2.0)
    _, enu, vel = _onto_site(t_s, lat, lon, alt, start, centre_at=20)
    rng = np.random.default_rng(11)
    votes: dict[str, float] = {}
    alerts, classes = [], []
    for i in range(FLIGHT_S):
        now = 2000.0 + i
        track = make_track(
            1,
            tuple(enu[i]),
            tuple(vel[i]),
            at=now,
            first_seen_at=2000.0,
            class_votes=_hints(0, i, "drone", "bird", votes),
            rcs_dbsm=float(rng.normal(-15.0, 3.0)),
        )
        classified, changed = assessor.assess([track], now)
        alerts += changed
        classes.append(classified[0].cls)
    assert set(classes[3:]) == {"drone"}
    entries = [a for a in alerts if a.rule == "zone_entry" and a.state == "open"]
    assert [(a.zone, a.cls) for a in entries][:1] == [("Stands", "drone")]
    assert entries[0].raised_at <= 2020.0
