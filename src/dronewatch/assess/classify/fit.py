"""Fit the kinematic drone / bird model on real recordings seen through the simulated radar.

    python -m dronewatch.assess.classify.fit [--data ../shared/data/trajectories] [--out PATH]

Each recording (shared/data/trajectories: quadcopter, fixed-wing and pigeon flights) is cut into
``CHUNK_S`` pieces; each piece is flown as a recorded mover past a simulated radar without class
hints (random range and direction, fixed seeds) and tracked by the product Tracker. Features of
the confirmed tracks (``features.window_features``, one window every 5 s) are the training data,
so the model learns what the real motions look like after radar noise and tracking. Recordings
in ``HELD_OUT`` are not used for fitting; the script prints their confusion matrix (per window and
per track). The result is written as JSON (default: ``params.json`` beside this module), which
``kinematic.KinematicModel`` loads. Same data, same parameters: the run is deterministic.
"""

from __future__ import annotations

import argparse
import json
import math
import tempfile
from collections import defaultdict
from pathlib import Path
from typing import Literal

import numpy as np

from dronewatch.assess.classify.features import History, window_features
from dronewatch.assess.classify.kinematic import PARAMS_PATH, component_of, fit_components
from dronewatch.assess.classify.recordings import Recording, flight_only, read_all
from dronewatch.config import ObjectSpec, Origin, Place, Scenario, SensorSpec, Site
from dronewatch.geo import SiteFrame
from dronewatch.pipeline import Pipeline
from dronewatch.sources.sim import Simulation
from dronewatch.trackfile import write_track_file

CHUNK_S = 180.0
HELD_OUT = (
    "cmu_m100_flight006_route_R3",
    "alfa_carbonz_2018-10-05-15-52-12_1_no_failure",
    "flack2014_pigeon_A_A45_R2_06",
    "flack2014_pigeon_B_D90_R3_05",
)
ORIGIN = (51.5, -0.1)
KIND: dict[str, Literal["multirotor", "fixed_wing", "bird"]] = {
    "drone_multirotor": "multirotor", "drone_fixed_wing": "fixed_wing", "bird": "bird"}


def chunks(rec: Recording) -> list[Recording]:
    """``CHUNK_S`` pieces of a recording (the last one kept if at least half as long)."""
    out = []
    start = 0.0
    while start < rec.t_s[-1]:
        sel = (rec.t_s >= start) & (rec.t_s <= start + CHUNK_S)
        if sel.sum() >= 10 and rec.t_s[sel][-1] - rec.t_s[sel][0] >= CHUNK_S / 2:
            t = rec.t_s[sel]
            out.append(Recording(rec.name, rec.cls, t - t[0], rec.lat[sel], rec.lon[sel], rec.alt_m[sel]))
        start += CHUNK_S
    return out


def radar_site() -> Site:
    lat, lon = ORIGIN
    radar = SensorSpec(id="radar", kind="radar", lat=lat, lon=lon, alt_m=10.0, range_m=3000.0, scan_s=1.0,
                       pd=0.9, false_alarms_per_scan=1.0, class_hints=False)
    return Site(name="fit", origin=Origin(lat=lat, lon=lon), sensors=[radar])


def tracked_features(rec: Recording, seed: int, workdir: Path) -> list[list[np.ndarray]]:
    """Feature windows of every confirmed track following one of ``rec``'s pieces (per track)."""
    rng = np.random.default_rng(seed)
    site = radar_site()
    frame = SiteFrame(*ORIGIN)
    pieces = chunks(flight_only(rec) if rec.cls == "bird" else rec)
    objects = []
    for k, piece in enumerate(pieces):
        path = workdir / f"{rec.name}-{k}.csv"
        write_track_file(path, piece.t_s, piece.lat, piece.lon, piece.alt_m)
        local = SiteFrame(float(piece.lat[0]), float(piece.lon[0]), float(piece.alt_m[0]))
        e, n, _ = (np.asarray(v) for v in local.to_enu(piece.lat, piece.lon, piece.alt_m))
        heading = float(rng.uniform(0.0, 360.0))
        h = math.radians(heading)
        mid = len(e) // 2
        me, mn = e[mid] * math.cos(h) + n[mid] * math.sin(h), -e[mid] * math.sin(h) + n[mid] * math.cos(h)
        bearing = 2 * math.pi * (k + float(rng.random())) / max(len(pieces), 1)
        r = float(rng.uniform(300.0, 1800.0))
        start_e, start_n = r * math.sin(bearing) - me, r * math.cos(bearing) - mn
        lat, lon, _ = frame.enu_to_ground(start_e, start_n, 0.0)
        objects.append(ObjectSpec(
            id=f"{rec.name}-{k}", kind=KIND[component_of(rec.name, rec.cls)], track_file=str(path),
            place=Place(lat=float(lat), lon=float(lon), heading_deg=heading, t0_s=0.0),
            alt_m=float(rng.uniform(30.0, 110.0)),
        ))
    if not objects:
        return []
    scen = Scenario(name=rec.name, site=site, objects=objects, seed=seed, duration_s=CHUNK_S, step_s=0.1)
    sim = Simulation(scen)
    pipe = Pipeline(site, sim.frame)
    hist: dict[int, History] = defaultdict(History)
    windows: dict[int, list[np.ndarray]] = defaultdict(list)
    last_window: dict[int, float] = {}
    for step in range(1, int(CHUNK_S) + 1):
        now = sim.start_at + step
        pipe.step(sim.advance(now), now)
        truth = sim.truth_table.states_at(now)
        for track in pipe.tracker.tracks(now):
            if track.status == "tentative":
                continue
            d = np.hypot(truth[:, 0] - track.enu_m[0], truth[:, 1] - track.enu_m[1])
            if not np.nanmin(d, initial=np.inf) < 60.0:
                continue
            h_ = hist[track.track_id]
            h_.add(now, track.enu_m)
            if now - last_window.get(track.track_id, -1e9) >= 5.0:
                f = window_features(*h_.window())
                if f is not None:
                    windows[track.track_id].append(f)
                    last_window[track.track_id] = now
    return [w for w in windows.values() if w]


def harvest(root: Path) -> dict[str, list[tuple[str, list[np.ndarray]]]]:
    """{recording name: [(component, windows of one track), ...]} for every recording."""
    out: dict[str, list[tuple[str, list[np.ndarray]]]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for i, rec in enumerate(read_all(root)):
            comp = component_of(rec.name, rec.cls)
            out[rec.name] = [(comp, w) for w in tracked_features(rec, 1000 + i, Path(tmp))]
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, default=Path("../shared/data/trajectories"))
    ap.add_argument("--out", type=Path, default=PARAMS_PATH)
    args = ap.parse_args()
    data = harvest(args.data)
    train: dict[str, list[np.ndarray]] = defaultdict(list)
    for name, tracks in data.items():
        if name in HELD_OUT:
            continue
        for comp, windows in tracks:
            train[comp].extend(windows)
    params = fit_components({c: np.array(w) for c, w in sorted(train.items())})
    params["held_out"] = list(HELD_OUT)
    params["trained_on"] = sorted(n for n in data if n not in HELD_OUT)
    params["windows"] = {c: len(w) for c, w in sorted(train.items())}
    args.out.write_text(json.dumps(params, indent=1, sort_keys=True) + "\n")
    print(json.dumps({"written": str(args.out), "windows": params["windows"]}))


if __name__ == "__main__":
    main()
