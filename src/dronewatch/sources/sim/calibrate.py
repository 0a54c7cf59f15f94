"""How close the movers come to real flights: the same statistics on real logs and simulated flights.

Reads the shared real trajectories (CMU Matrice 100 quadcopter, ALFA Carbon-Z fixed wing,
homing pigeons; layouts in their MANIFEST.md), flies comparable simulated flights, and
computes for both: median / p95 ground speed, p95 horizontal acceleration, max climb and
descent over ≥ 1 s spans, p95 turn rate while moving (> 3 m/s) and the share of time below
1 m/s with the median speed in it (hover wander).
``python -m dronewatch.sources.sim.calibrate <shared/data/trajectories>`` prints the markdown
table that docs/simulator.md carries.
"""

from __future__ import annotations

import csv
import datetime as dt
import math
import sys
from collections.abc import Mapping
from pathlib import Path

import msgspec
import numpy as np
import pymap3d

from dronewatch.config import Scenario
from dronewatch.geo import SiteFrame

Track = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]  # t_s, e, n, u


class FlightStats(msgspec.Struct, frozen=True, kw_only=True):
    """Position-derived figures of one flight."""

    median_speed_mps: float
    p95_speed_mps: float
    p95_accel_mps2: float
    max_climb_mps: float
    max_descent_mps: float
    p95_turn_dps: float
    hover_share: float  # time below 1 m/s, interval-weighted
    hover_speed_mps: float  # median ground speed of the intervals below 1 m/s (hover wander)


def _to_enu(t_s: list[float], lat: list[float], lon: list[float], alt: list[float]) -> Track:
    t = np.asarray(t_s, float)
    keep = np.concatenate([[True], np.diff(t) > 0])  # repeated time stamps: keep the first
    la, lo, al = np.asarray(lat)[keep], np.asarray(lon)[keep], np.asarray(alt)[keep]
    e, n, u = pymap3d.geodetic2enu(la, lo, al, la[0], lo[0], al[0])
    return t[keep] - t[keep][0], np.asarray(e), np.asarray(n), np.asarray(u)


def _clock_s(text: str) -> float:
    """``1970-01-01 HH:MM:SS.fffffffff`` (seconds since the record start) -> seconds."""
    hms = text.strip().split(" ")[-1]
    h, m, s = hms.split(":")
    return int(h) * 3600 + int(m) * 60 + float(s)


def read_drone_csv(path: Path) -> Track:
    """A CMU M100 or ALFA file (header row with time, lat, lon, alt columns)."""
    with path.open(newline="") as f:
        rows = list(csv.DictReader(f))
    return _to_enu(
        [_clock_s(r["time"]) for r in rows],
        [float(r["lat"]) for r in rows],
        [float(r["lon"]) for r in rows],
        [float(r["alt"]) for r in rows],
    )


def read_pigeon_csv(path: Path) -> Track:
    """An i-gotU pigeon file: CR line endings, ``Date, Time, Latitude, Longitude, Altitude, ...``."""
    lines = [ln for ln in path.read_text().replace("\r", "\n").split("\n") if ln.strip()]
    t, lat, lon, alt = [], [], [], []
    for line in lines[1:]:
        p = [x.strip() for x in line.split(",")]
        at = dt.datetime.strptime(f"{p[0]} {p[1]}", "%Y/%m/%d %H:%M:%S").replace(tzinfo=dt.UTC)
        t.append(at.timestamp())
        lat.append(float(p[2]))
        lon.append(float(p[3]))
        alt.append(float(p[4]))
    return _to_enu(t, lat, lon, alt)


def in_flight(track: Track, moving_mps: float = 5.0) -> Track:
    """Trim standing time before the first and after the last interval faster than ``moving_mps``."""
    t, e, n, u = track
    speed = np.hypot(np.diff(e), np.diff(n)) / np.diff(t)
    fast = np.flatnonzero(speed > moving_mps)
    a, b = (fast[0], fast[-1] + 2) if len(fast) else (0, len(t))
    return t[a:b], e[a:b], n[a:b], u[a:b]


def flight_stats(track: Track) -> FlightStats:
    """The figures of one flight, from positions only (as the MANIFEST statistics are)."""
    t, e, n, u = track
    dt_s = np.diff(t)
    ve, vn = np.diff(e) / dt_s, np.diff(n) / dt_s
    speed = np.hypot(ve, vn)
    mid = (t[1:] + t[:-1]) / 2.0
    dmid = np.diff(mid)
    accel = np.hypot(np.diff(ve), np.diff(vn)) / dmid
    heading = np.arctan2(ve, vn)
    turn = np.abs((np.diff(heading) + math.pi) % (2 * math.pi) - math.pi) / dmid
    moving = (speed[1:] > 3.0) & (speed[:-1] > 3.0)
    j = np.searchsorted(t, t + 1.0 - 1e-9)
    ok = j < len(t)
    climb = (u[j[ok]] - u[ok]) / (t[j[ok]] - t[ok])
    return FlightStats(
        median_speed_mps=float(np.median(speed)),
        p95_speed_mps=float(np.percentile(speed, 95)),
        p95_accel_mps2=float(np.percentile(accel, 95)),
        max_climb_mps=float(climb.max()),
        max_descent_mps=float(climb.min()),
        p95_turn_dps=float(np.degrees(np.percentile(turn[moving], 95))) if moving.any() else 0.0,
        hover_share=float(dt_s[speed < 1.0].sum() / dt_s.sum()),
        hover_speed_mps=float(np.median(speed[speed < 1.0])) if (speed < 1.0).any() else 0.0,
    )


# --- simulated counterparts -------------------------------------------------------------------

_ORIGIN = SiteFrame(40.458, -79.782, 270.0)


def _wp(e: float, n: float, alt_m: float, **extra: float) -> dict[str, float]:
    lat, lon, _ = _ORIGIN.to_geodetic(e, n, 0.0)
    return {"lat": float(lat), "lon": float(lon), "alt_m": alt_m, **extra}


def _fly_one(obj: Mapping[str, object], duration_s: float, sample_s: float, seed: int = 1) -> Track:
    from dronewatch.sources.sim.simulation import Simulation  # the simulator uses this module's peers

    scenario = msgspec.convert(
        {
            "name": "calibration",
            "seed": seed,
            "duration_s": duration_s,
            "objects": [obj],
            "site": {"name": "cal", "origin": {"lat": 40.458, "lon": -79.782, "alt_m": 270.0}},
        },
        Scenario,
    )
    sim = Simulation(scenario)
    s = sim.truth_table.states[0]
    k = np.flatnonzero(~np.isnan(s[:, 0]))
    stride = max(1, round(sample_s / scenario.step_s))
    k = k[::stride]
    return k * scenario.step_s, s[k, 0], s[k, 1], s[k, 2]


def simulated_flights() -> dict[str, Track]:
    """A delivery-like quadcopter hop (4 m/s), a fixed-wing circuit (18 m/s), a pigeon's 5 km flight,
    sampled at the real logs' spacing (1.09 s, 0.4 s, 1 s)."""
    multirotor = {
        "id": "quad",
        "kind": "multirotor",
        "speed_mps": 4.0,
        "waypoints": [
            _wp(0, 0, 0, hold_s=30),
            _wp(0, 0, 30),
            _wp(150, 60, 30),
            _wp(260, -40, 30),
            _wp(330, 10, 30, hold_s=20),
            _wp(330, 10, 0),
        ],
    }
    fixed = {
        "id": "plane",
        "kind": "fixed_wing",
        "loop": True,
        "waypoints": [_wp(0, 0, 100), _wp(800, 0, 100), _wp(800, 400, 100), _wp(0, 400, 100)],
    }
    bird = {
        "id": "pigeon",
        "kind": "bird",
        "waypoints": [_wp(0, 0, 80), _wp(1500, 700, 90), _wp(3200, 500, 70), _wp(5000, 1200, 90)],
    }
    return {
        "multirotor": _fly_one(multirotor, 400.0, 1.09),
        "fixed_wing": _fly_one(fixed, 300.0, 0.4),
        "bird": _fly_one(bird, 600.0, 1.0),
    }


def real_flights(trajectories: Path) -> dict[str, list[Track]]:
    """The shared real logs by kind (pigeons trimmed to their flight)."""
    drone = trajectories / "drone"
    return {
        "multirotor": [read_drone_csv(p) for p in sorted(drone.glob("cmu_m100_*.csv"))],
        "fixed_wing": [read_drone_csv(p) for p in sorted(drone.glob("alfa_carbonz_*.csv"))],
        "bird": [in_flight(read_pigeon_csv(p)) for p in sorted((trajectories / "bird").glob("*.csv"))],
    }


FIELDS = [
    ("median_speed_mps", "median GS (m/s)"),
    ("p95_speed_mps", "p95 GS (m/s)"),
    ("p95_accel_mps2", "p95 accel (m/s²)"),
    ("max_climb_mps", "max climb (m/s)"),
    ("max_descent_mps", "max descent (m/s)"),
    ("p95_turn_dps", "p95 turn (°/s)"),
    ("hover_share", "share < 1 m/s"),
    ("hover_speed_mps", "hover GS (m/s)"),
]


def comparison(trajectories: Path) -> dict[str, tuple[list[FlightStats], FlightStats]]:
    """kind -> (stats of each real flight, stats of the simulated flight)."""
    real = real_flights(trajectories)
    sim = simulated_flights()
    return {kind: ([flight_stats(t) for t in real[kind]], flight_stats(sim[kind])) for kind in sim}


def markdown(table: dict[str, tuple[list[FlightStats], FlightStats]]) -> str:
    """Real (median of flights, [min-max]) beside simulated, one row per kind and source."""
    head = "| kind | source | " + " | ".join(label for _, label in FIELDS) + " |"
    lines = [head, "|" + "---|" * (len(FIELDS) + 2)]
    for kind, (real, sim) in table.items():
        cells = []
        for name, _ in FIELDS:
            v = np.array([getattr(s, name) for s in real])
            cells.append(f"{np.median(v):.2f} [{v.min():.2f}-{v.max():.2f}]")
        lines.append(f"| {kind} | real ({len(real)} flights) | " + " | ".join(cells) + " |")
        sim_cells = " | ".join(f"{getattr(sim, name):.2f}" for name, _ in FIELDS)
        lines.append(f"| {kind} | simulated | {sim_cells} |")
    return "\n".join(lines)


if __name__ == "__main__":
    print(markdown(comparison(Path(sys.argv[1]))))
