"""Fit the kinematic drone / bird model on real recordings seen through the simulated radar.

    python -m dronewatch.assess.classify.fit [--data ../shared/data/trajectories] [--out PATH]
        [--jobs N] [--cache PICKLE]

Each recording (shared/data/trajectories: quadcopter, fixed-wing and pigeon flights) is cut into
``CHUNK_S`` pieces; each piece is flown as a recorded mover past simulated radars without class
hints (``RADARS``: two accuracies; random range and direction, fixed seeds) and tracked by the
product Tracker, with and without the radar's range rates (``ESTIMATORS``). The windows of the
confirmed tracks' states (one every 5 s), and of the pieces as recorded, are the training data
(``features.window_features`` of each), so the model learns what the real motions look like
through sensors and velocity estimators from coarse to precise. Recordings in ``HELD_OUT`` are
not used for fitting; the script prints their track-level confusion matrix. The result is
written as JSON (default: ``params.json`` beside this module), which ``kinematic.KinematicModel``
loads. ``--cache`` keeps the simulated windows (states, not features: a change of the features
refits without simulating again). Same data, same parameters: the run is deterministic.
"""

from __future__ import annotations

import argparse
import json
import math
import pickle
import tempfile
from collections import defaultdict
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Literal

import msgspec
import numpy as np

from dronewatch.assess.classify.classifier import shipped_model
from dronewatch.assess.classify.features import WINDOW_S, History, window_features
from dronewatch.assess.classify.kinematic import PARAMS_PATH, component_of, fit_components
from dronewatch.assess.classify.recordings import Recording, flying_parts, read_all
from dronewatch.config import ObjectSpec, Origin, Place, Scenario, SensorSpec, Site
from dronewatch.geo import SiteFrame
from dronewatch.pipeline import Pipeline
from dronewatch.sources.sim import Simulation
from dronewatch.trackfile import write_track_file
from dronewatch.tracking import TrackerConfig

CHUNK_S = 120.0
REPEATS = 2  # placements of each recording per radar
# Radars the recordings are seen through: the default figures, and a finer one (the recordings
# as logged, ``raw_windows``, stand for the finest: a self-reporting sensor).
RADARS: tuple[dict[str, float], ...] = (
    {}, {"sigma_range_m": 3.0, "sigma_az_deg": 0.15, "sigma_el_deg": 0.3, "sigma_range_rate_mps": 0.3})
# ... each through the product tracker with and without range-rate updates: velocity estimates from
# the noisiest to the finest, so that the model does not learn one estimator's noise level as a
# trait of a class (a bird tracked with range rates is smoother than one tracked without)
ESTIMATORS: tuple[TrackerConfig, ...] = (TrackerConfig(), TrackerConfig(use_range_rate=False))
EVERY_S = 5.0
NEUTRAL_RCS_DBSM = -20.0  # between a bird's and a drone's: the motion alone must tell them apart
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
    """``CHUNK_S`` pieces of a recording's flight (birds: without perches; a last piece kept if at
    least 30 s long)."""
    out = []
    for part in flying_parts(rec) if rec.cls == "bird" else [rec]:
        start = 0.0
        while start < part.t_s[-1]:
            sel = (part.t_s >= start) & (part.t_s <= start + CHUNK_S)
            if sel.sum() >= 10 and part.t_s[sel][-1] - part.t_s[sel][0] >= 30.0:
                t = part.t_s[sel]
                out.append(Recording(rec.name, rec.cls, t - t[0], part.lat[sel], part.lon[sel], part.alt_m[sel]))
            start += CHUNK_S
    return out


def radar_site(accuracy: dict[str, float]) -> Site:
    lat, lon = ORIGIN
    radar = SensorSpec(id="radar", kind="radar", lat=lat, lon=lon, alt_m=10.0, range_m=3000.0, scan_s=1.0,
                       pd=0.9, false_alarms_per_scan=1.0, class_hints=False)
    radar = msgspec.structs.replace(radar, **accuracy)
    return Site(name="fit", origin=Origin(lat=lat, lon=lon), sensors=[radar])


Window = tuple[np.ndarray, np.ndarray]  # times (k,), states (k, 6): the input of window_features


def raw_windows(rec: Recording) -> list[list[Window]]:
    """Feature windows of the pieces as recorded (1 s resampling, velocity by differences):
    what a precise self-reporting sensor would give."""
    out = []
    for piece in chunks(rec):
        local = SiteFrame(float(piece.lat[0]), float(piece.lon[0]), float(piece.alt_m[0]))
        enu = np.column_stack(local.to_enu(piece.lat, piece.lon, piece.alt_m))
        grid = np.arange(0.0, float(piece.t_s[-1]), 1.0)
        pos = np.column_stack([np.interp(grid, piece.t_s, enu[:, k]) for k in range(3)])
        states = np.column_stack([pos, np.gradient(pos, grid, axis=0)])
        windows = []
        for start in np.arange(0.0, grid[-1] - WINDOW_S + 1e-9, EVERY_S):
            sel = (grid >= start) & (grid <= start + WINDOW_S)
            if window_features(grid[sel], states[sel]) is not None:
                windows.append((grid[sel], states[sel]))
        if windows:
            out.append(windows)
    return out


def turned_middle(piece: Recording, heading_deg: float) -> tuple[float, float]:
    """East and north (m) of ``piece``'s middle row from its first row once the path is turned
    ``heading_deg`` clockwise about that row, as a scenario's ``place`` turns a track file."""
    local = SiteFrame(float(piece.lat[0]), float(piece.lon[0]), float(piece.alt_m[0]))
    e, n, _ = (np.asarray(v) for v in local.to_enu(piece.lat, piece.lon, piece.alt_m))
    h = math.radians(heading_deg)
    mid = len(e) // 2
    return (float(e[mid] * math.cos(h) + n[mid] * math.sin(h)),
            float(-e[mid] * math.sin(h) + n[mid] * math.cos(h)))


def _place_pieces(rec: Recording, seed: int, workdir: Path, rcs_dbsm: float | None = None) -> list[ObjectSpec]:
    """Each piece of ``rec`` as a recorded mover whose middle passes 300-1800 m from the radar."""
    rng = np.random.default_rng(seed)
    frame = SiteFrame(*ORIGIN)
    pieces = chunks(rec)
    objects = []
    for k, piece in enumerate(pieces):
        path = workdir / f"{rec.name}-{seed}-{k}.csv"
        write_track_file(path, piece.t_s, piece.lat, piece.lon, piece.alt_m)
        heading = float(rng.uniform(0.0, 360.0))
        me, mn = turned_middle(piece, heading)
        bearing = 2 * math.pi * (k + float(rng.random())) / len(pieces)
        r = float(rng.uniform(300.0, 1800.0))
        lat, lon, _ = frame.enu_to_ground(r * math.sin(bearing) - me, r * math.cos(bearing) - mn, 0.0)
        objects.append(ObjectSpec(
            id=f"{rec.name}-{k}", kind=KIND[component_of(rec.name, rec.cls)], track_file=str(path),
            place=Place(lat=float(lat), lon=float(lon), heading_deg=heading, t0_s=0.0),
            alt_m=float(rng.uniform(30.0, 110.0)), rcs_dbsm=rcs_dbsm,
        ))
    return objects


def tracked_windows(rec: Recording, seed: int, workdir: Path, accuracy: dict[str, float],
                    tracker: TrackerConfig | None = None) -> list[list[Window]]:
    """Windows (one each ``EVERY_S``) of every confirmed track that follows one of the pieces of
    ``rec`` (within 60 m of a true position), one list per track."""
    objects = _place_pieces(rec, seed, workdir)
    if not objects:
        return []
    site = radar_site(accuracy)
    scen = Scenario(name=rec.name, site=site, objects=objects, seed=seed, duration_s=CHUNK_S, step_s=0.1)
    sim = Simulation(scen)
    pipe = Pipeline(site, sim.frame, tracker_config=tracker)
    hist: dict[int, History] = defaultdict(History)
    windows: dict[int, list[Window]] = defaultdict(list)
    last_window: dict[int, float] = {}
    for step in range(1, int(CHUNK_S) + 1):
        now = sim.start_at + step
        pipe.step(sim.advance(now), now)
        truth = sim.truth_table.states_at(now)
        for track in pipe.tracker.tracks(now):
            if track.status != "confirmed":  # as the classifier: coasting states are no evidence
                continue
            d = np.hypot(truth[:, 0] - track.enu_m[0], truth[:, 1] - track.enu_m[1])
            if not np.nanmin(d, initial=np.inf) < 60.0:
                continue
            hist[track.track_id].add(now, (*track.enu_m, *track.vel_enu_mps))
            if now - last_window.get(track.track_id, -1e9) >= EVERY_S:
                w = hist[track.track_id].window()
                if window_features(*w) is not None:
                    windows[track.track_id].append(w)
                    last_window[track.track_id] = now
    return [w for w in windows.values() if w]


Harvest = dict[str, list[tuple[str, str, list[Window]]]]


def _harvest_one(i: int, rec: Recording, repeats: int) -> list[tuple[str, str, list[Window]]]:
    comp = component_of(rec.name, rec.cls)
    tracks = [(comp, "recorded", w) for w in raw_windows(rec)]
    with tempfile.TemporaryDirectory() as tmp:
        for j, accuracy in enumerate(RADARS):
            for rep in range(repeats):
                for tracker in ESTIMATORS:  # the same flight and plots, each estimator
                    source = f"radar{j}" + ("+range_rate" if tracker.use_range_rate else "")
                    tracks += [(comp, source, w) for w in tracked_windows(
                        rec, 1000 + 37 * i + 7 * j + rep, Path(tmp), accuracy, tracker)]
    return tracks


def harvest(root: Path, repeats: int = REPEATS, jobs: int = 1) -> Harvest:
    """{recording name: [(component, source, windows of one track), ...]} for every recording
    (``jobs`` processes; the same result whatever their number). ``source``: "recorded", or the
    radar (index in ``RADARS``) and whether range rates were used."""
    recs = read_all(root)
    with ProcessPoolExecutor(jobs) as pool:
        done = pool.map(_harvest_one, range(len(recs)), recs, [repeats] * len(recs))
        return {rec.name: tracks for rec, tracks in zip(recs, done, strict=True)}


def classified_tracks(rec: Recording, seed: int, workdir: Path, hints: bool = False,
                      rcs_dbsm: float | None = None) -> list[tuple[str, str, float]]:
    """Run the pieces of ``rec`` through the whole pipeline (default radar, with or without class
    hints; ``rcs_dbsm`` overrides the kind's RCS): (true class, class at the end of the track,
    seconds to its first class) for every confirmed track that followed a piece for at least 30 s."""
    objects = _place_pieces(rec, seed, workdir, rcs_dbsm)
    if not objects:
        return []
    site = radar_site({})
    if hints:
        site = msgspec.structs.replace(
            site, sensors=[msgspec.structs.replace(s, class_hints=True) for s in site.sensors])
    scen = Scenario(name=rec.name, site=site, objects=objects, seed=seed, duration_s=CHUNK_S, step_s=0.1)
    sim = Simulation(scen)
    pipe = Pipeline(site, sim.frame)
    followed: dict[int, list[float]] = defaultdict(list)
    final: dict[int, str] = {}
    first_class: dict[int, float] = {}
    for step in range(1, int(CHUNK_S) + 1):
        now = sim.start_at + step
        update = pipe.step(sim.advance(now), now)
        truth = sim.truth_table.states_at(now)
        for track in update.tracks:
            if track.status == "tentative":
                continue
            d = np.hypot(truth[:, 0] - track.enu_m[0], truth[:, 1] - track.enu_m[1])
            if not np.nanmin(d, initial=np.inf) < 60.0:
                continue
            followed[track.track_id].append(now)
            final[track.track_id] = track.cls
            if track.cls != "unknown":
                first_class.setdefault(track.track_id, now - track.first_seen_at)
    return [(rec.cls, final[tid], first_class.get(tid, math.nan))
            for tid, times in followed.items() if times[-1] - times[0] >= 30.0]


def held_out_confusion(root: Path, hints: bool = False, rcs_dbsm: float | None = None) -> dict[str, dict[str, int]]:
    """Track-level confusion matrix (true -> final class counts) of the ``HELD_OUT`` recordings."""
    matrix: dict[str, dict[str, int]] = {c: dict.fromkeys(("drone", "bird", "aircraft", "unknown"), 0)
                                         for c in ("drone", "bird")}
    with tempfile.TemporaryDirectory() as tmp:
        for i, rec in enumerate(r for r in read_all(root) if r.name in HELD_OUT):
            for rep in range(REPEATS):
                for true, got, _ in classified_tracks(rec, 5000 + 37 * i + rep, Path(tmp), hints, rcs_dbsm):
                    matrix[true][got] += 1
    return matrix


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, default=Path("../shared/data/trajectories"))
    ap.add_argument("--out", type=Path, default=PARAMS_PATH)
    ap.add_argument("--jobs", type=int, default=1, help="processes for the simulated runs")
    ap.add_argument("--cache", type=Path, help="reuse / keep the simulated track windows here (pickle)")
    args = ap.parse_args()
    cached = args.cache is not None and args.cache.exists()
    data = pickle.loads(args.cache.read_bytes()) if cached else harvest(args.data, jobs=args.jobs)
    train: dict[str, list[np.ndarray]] = defaultdict(list)
    for name, tracks in data.items():
        if name in HELD_OUT:
            continue
        for comp, _, windows in tracks:
            train[comp].extend(f for f in (window_features(*w) for w in windows) if f is not None)
    params = fit_components({c: np.array(w) for c, w in sorted(train.items())})
    params["held_out"] = list(HELD_OUT)
    params["trained_on"] = sorted(n for n in data if n not in HELD_OUT)
    params["windows"] = {c: len(w) for c, w in sorted(train.items())}
    args.out.write_text(json.dumps(params, indent=1, sort_keys=True) + "\n")
    shipped_model.cache_clear()  # the held-out runs below classify with what was just written
    print(json.dumps({"written": str(args.out), "windows": params["windows"]}))
    if args.cache is not None:
        args.cache.write_bytes(pickle.dumps(data))
    for label, hints, rcs in (("hints_off", False, None), ("hints_on", True, None),
                              ("hints_off_rcs_neutral", False, NEUTRAL_RCS_DBSM)):
        print(json.dumps({"held_out_tracks": label, "confusion": held_out_confusion(args.data, hints, rcs)}))


if __name__ == "__main__":
    main()
