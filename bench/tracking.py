"""Benchmark: dronewatch's tracker beside Stone Soup on the anchor's seeded scenarios.

Scenarios are made, and both trackers' outputs scored, by ../shared/bench/stonesoup_anchor.py
(run with the anchor venv, bench/.venv-anchor). dronewatch's tracker - the product's ``Tracker``,
fed each scan through ``Tracker.process_plots`` (the scan step ``Tracker.process`` runs for
Reports) - runs in a child process pinned to one core, so its timing and peak memory are its own.

  full table (standard sensor: N = 10, 100, 1000 against Stone Soup, 10,000 dronewatch alone;
  then the harsh-sensor rows HARSH, each beside Stone Soup's best tracker for its N, with GOSPA and
  ID-switch ratios and a verdict per row):
    .venv/bin/python bench/tracking.py                      (add --reuse-anchor to reuse cached
                                                             Stone Soup results in bench/out/)
    .venv/bin/python bench/tracking.py --set harsh --harsh-seed 23    (harsh rows only, a seed)
  dronewatch alone on any anchor scenario, output in the anchor's `est` format (its JSON line
  has cpu_sec_per_scan too: CPU time, to compare two versions A/B/A/B on a loaded machine, e.g.
  one of them as PYTHONPATH=/tmp/base/src after `git archive <commit> src | tar -x -C /tmp/base`):
    .venv/bin/python bench/tracking.py --scenario-in FILE.npz --est-out MINE.npz
  then: bench/.venv-anchor/bin/python ../shared/bench/stonesoup_anchor.py \
          --scenario-in FILE.npz --eval-tracks MINE.npz --out-dir OUT

The tracker's settings come only from the scenario's stated sensor figures (meta: meas_sigma,
pd, clutter_rate, area, dt); nothing depends on the seed.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

from dronewatch.geo import SiteFrame
from dronewatch.tracking import Tracker, TrackerConfig
from dronewatch.tracking.settings import plot_sensor_config

ROOT = Path(__file__).resolve().parents[1]
ANCHOR = ROOT / ".." / "shared" / "bench" / "stonesoup_anchor.py"
ANCHOR_PY = ROOT / "bench" / ".venv-anchor" / "bin" / "python"
OUT = ROOT / "bench" / "out"


def config_from_meta(meta: dict[str, Any]) -> TrackerConfig:
    """Tracker settings from the scenario's stated sensor figures only (``plot_sensor_config``)."""
    (e0, e1), (n0, n1) = meta["area"]
    sigma = float(meta["meas_sigma"])
    clutter_per_m2 = max(float(meta["clutter_rate"]), 1e-3) / ((e1 - e0) * (n1 - n0))
    # a plane sensor's plots sit at u = 0: the 3-D clutter density is the 2-D one times the
    # density of a plot's height residual (variance ~ 2 sigma^2) at zero
    clutter_per_m3 = clutter_per_m2 / math.sqrt(2 * math.pi * 2 * sigma**2)
    return plot_sensor_config(float(meta["pd"]), clutter_per_m3, float(meta["dt"]), (e0, e1, n0, n1))


def run_dronewatch(det: np.ndarray, meta: dict[str, Any]) -> dict[str, Any]:
    """Track the scenario's detections scan by scan; returns est rows, timing and counts."""
    cfg = config_from_meta(meta)
    trk = Tracker(SiteFrame(0.0, 0.0), [], cfg)
    scans, dt, sigma = int(meta["scans"]), float(meta["dt"]), float(meta["meas_sigma"])
    bounds = np.searchsorted(det[:, 0], np.arange(scans + 1), side="left")
    R1 = np.eye(3) * sigma**2
    est: list[np.ndarray] = []
    per_scan: list[float] = []
    # Stone Soup's SIAP needs each output track to have a state at every scan of its span: a track
    # reported again after unreported coasting scans gets a new key (a new segment)
    seg_key = np.zeros(0, dtype=np.int64)  # key per track id (index: id), 0 = none yet
    last_k = np.zeros(0, dtype=np.int64)
    next_key = 1
    cpu0 = time.process_time()
    for k in range(scans):
        started = time.perf_counter()
        rows = det[bounds[k]:bounds[k + 1]]
        z = np.column_stack([rows[:, 1], rows[:, 2], np.zeros(len(rows))])
        R = np.broadcast_to(R1, (len(rows), 3, 3))
        trk.process_plots("plots", z, R, k * dt)
        ids, x = trk.reported(k * dt, R1)
        if len(ids) and ids.max() >= len(seg_key):
            grow = int(ids.max()) + 1 - len(seg_key) + 1024
            seg_key = np.concatenate([seg_key, np.zeros(grow, dtype=np.int64)])
            last_k = np.concatenate([last_k, np.full(grow, -2, dtype=np.int64)])
        new = (seg_key[ids] == 0) | (last_k[ids] != k - 1)
        seg_key[ids[new]] = np.arange(next_key, next_key + int(new.sum()))
        next_key += int(new.sum())
        last_k[ids] = k
        per_scan.append(time.perf_counter() - started)
        est.append(np.column_stack([np.full(len(ids), k), seg_key[ids], x[:, 0], x[:, 3], x[:, 1], x[:, 4]]))
    cpu_s = time.process_time() - cpu0  # CPU time: comparable across runs on a loaded machine
    total = float(sum(per_scan))
    return dict(est=np.vstack(est) if est else np.zeros((0, 6)), sec_per_scan=total / scans,
                cpu_sec_per_scan=cpu_s / scans,
                sec_per_scan_max=max(per_scan), detections=len(det),
                detections_per_second=len(det) / total, stats=trk.stats,
                peak_rss_mib=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0)


def alone(scenario_in: Path, est_out: Path, stats_out: Path | None, repeat: int = 1) -> dict[str, Any]:
    """dronewatch only, one core: scenario file in, `est` file (and optional stats JSON) out.
    With repeat > 1 the run is repeated (same output: the tracker is deterministic) and the
    timing figures are the median run's; all runs' seconds per scan are listed."""
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    with np.load(scenario_in) as f:
        det, meta = f["det"], json.loads(str(f["meta"]))
    rss0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    det = det[np.argsort(det[:, 0], kind="stable")]
    runs = [run_dronewatch(det, meta) for _ in range(max(1, repeat))]
    res = sorted(runs, key=lambda r: r["sec_per_scan"])[len(runs) // 2]
    res["sec_per_scan_runs"] = [r["sec_per_scan"] for r in runs]
    np.savez_compressed(est_out, est=res.pop("est"))
    res["rss_before_mib"] = rss0
    if stats_out is not None:
        stats_out.write_text(json.dumps(res))
    return res


def _anchor(args: list[str]) -> None:
    subprocess.run([str(ANCHOR_PY), str(ANCHOR), *args], check=True, stdout=subprocess.DEVNULL)


# harsh sensors (issue 11): low Pd, heavy clutter, noisy plots; (N, Pd, clutter plots/scan, sigma m)
HARSH = ((50, 0.7, 50.0, 25.0), (100, 0.85, 20.0, 15.0), (100, 0.75, 35.0, 20.0), (1000, 0.8, 30.0, 20.0),
         (1000, 0.7, 50.0, 25.0))


def one_row(n: int, pd: float, clutter: float, sigma: float, seed: int, a: argparse.Namespace,
            sstrackers: list[str]) -> dict[str, Any]:
    """Scenario, Stone Soup runs (cached with --reuse-anchor), dronewatch run and scores for one row."""
    d = OUT / "anchor" / f"N{n}_T{a.scans}_s{seed}_pd{pd:g}_c{clutter:g}_sg{sigma:g}"
    d.mkdir(parents=True, exist_ok=True)
    scen = d / f"scenario_N{n}_T{a.scans}_s{seed}.npz"
    common = ["--n", str(n), "--scans", str(a.scans), "--seed", str(seed), "--pd", str(pd),
              "--clutter", str(clutter), "--sigma", str(sigma), "--out-dir", str(d)]
    if not scen.exists():
        _anchor([*common, "--tracker", "none"])
    row: dict[str, Any] = {"n": n, "pd": pd, "clutter": clutter, "sigma": sigma, "seed": seed}
    for kind in sstrackers:
        res_file = d / f"result_{kind}_N{n}_T{a.scans}_s{seed}.json"
        if not (a.reuse_anchor and res_file.exists()):
            print(f"  {_label(row)}: running Stone Soup {kind} ...", file=sys.stderr, flush=True)
            _anchor([*common, "--scenario-in", str(scen), "--tracker", kind])
        rep = json.loads(res_file.read_text())
        row[kind] = _figures(rep["metrics"]) | {
            "sec_per_scan": rep["tracker"]["sec_per_scan_mean"],
            "sec_per_scan_max": rep["tracker"]["sec_per_scan_max"],
            "det_per_s": rep["tracker"]["detections_per_second"],
            "peak_rss_mib": rep["tracker"]["peak_rss_mib"]}
    est = d / f"dronewatch_N{n}.npz"
    stats = d / f"dronewatch_N{n}_stats.json"
    print(f"  {_label(row)}: running dronewatch ...", file=sys.stderr, flush=True)
    subprocess.run([sys.executable, __file__, "--scenario-in", str(scen), "--est-out", str(est),
                    "--stats-out", str(stats), "--repeat", str(a.repeat)], check=True, stdout=subprocess.DEVNULL)
    st = json.loads(stats.read_text())
    mine: dict[str, Any] = {"sec_per_scan": st["sec_per_scan"], "sec_per_scan_max": st["sec_per_scan_max"],
                            "det_per_s": st["detections_per_second"],
                            "peak_rss_mib": st["peak_rss_mib"], "sec_per_scan_runs": st["sec_per_scan_runs"]}
    if n <= a.score_max_n:
        _anchor(["--scenario-in", str(scen), "--eval-tracks", str(est), "--out-dir", str(d)])
        ev = json.loads((d / f"eval_dronewatch_N{n}.json").read_text())
        mine |= _figures(ev["metrics"])
    row["dronewatch"] = mine
    return row


def _label(r: dict[str, Any]) -> str:
    return f"N={r['n']} Pd={r['pd']:g} clutter={r['clutter']:g} sigma={r['sigma']:g} seed={r['seed']}"


def _figures(m: dict[str, Any]) -> dict[str, Any]:
    return {"gospa": m["gospa"]["mean_from_scan5"], "id_switches": m["clearmot"]["id_switches"],
            "mota": m["clearmot"]["MOTA"]}


SS_KINDS = ("jpda-ehm", "gnn-kdtree")


def best_anchor(r: dict[str, Any]) -> str | None:
    """Stone Soup's best tracker of a row: lowest GOSPA."""
    kinds = [k for k in SS_KINDS if k in r]
    return min(kinds, key=lambda k: r[k]["gospa"]) if kinds else None


def verdict(r: dict[str, Any]) -> dict[str, Any] | None:
    """Ratios of one scored row against Stone Soup's best (lowest GOSPA) tracker; ID switches are held
    against the fewest of any Stone Soup tracker run on the row."""
    best, mine = best_anchor(r), r["dronewatch"]
    if best is None or mine.get("gospa") is None:
        return None
    fewest = min(r[k]["id_switches"] for k in SS_KINDS if k in r)
    ratio = mine["gospa"] / r[best]["gospa"]
    return {"best": best, "gospa_ratio": ratio, "id_switches": mine["id_switches"], "ss_id_switches": fewest,
            "speed_ratio": mine["det_per_s"] / r[best]["det_per_s"],
            "met": bool(ratio <= 0.9 and mine["id_switches"] <= fewest)}


def table(rows: list[dict[str, Any]]) -> str:
    """Markdown table: one line per (row, tracker), then ratios dronewatch / Stone Soup."""
    out = ["| N | Pd | clutter | sigma | seed | tracker | GOSPA from scan 5 | ID switches | MOTA | s/scan mean "
           "| s/scan max | detections/s | peak RSS MiB |", "|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    ratios = ["", "| N | Pd | clutter | sigma | seed | vs | GOSPA ratio | ID switches (dw / ss) | speed ratio "
              "(det/s) |", "|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        head = f"| {r['n']} | {r['pd']:g} | {r['clutter']:g} | {r['sigma']:g} | {r['seed']} |"
        for kind in (*SS_KINDS, "dronewatch"):
            if kind not in r:
                continue
            f = r[kind]
            g = "-" if f.get("gospa") is None else f"{f['gospa']:.1f}"
            ids = f.get("id_switches", "-")
            mota = "-" if f.get("mota") is None else f"{f['mota']:.3f}"
            out.append(f"{head} {kind} | {g} | {ids} | {mota} | {f['sec_per_scan']:.4f} | "
                       f"{f['sec_per_scan_max']:.4f} | {f['det_per_s']:.0f} | {f['peak_rss_mib']:.0f} |")
        mine = r["dronewatch"]
        for kind in SS_KINDS:
            if kind in r and mine.get("gospa") is not None:
                ss = r[kind]
                star = " (best)" if kind == best_anchor(r) else ""
                ratios.append(f"{head} {kind}{star} | {mine['gospa'] / ss['gospa']:.3f} | "
                              f"{mine['id_switches']} / {ss['id_switches']} | "
                              f"{mine['det_per_s'] / ss['det_per_s']:.0f}x |")
    return "\n".join(out + ratios)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--scenario-in", type=Path, help="run dronewatch alone on this anchor scenario")
    ap.add_argument("--est-out", type=Path, help="with --scenario-in: where to write `est`")
    ap.add_argument("--stats-out", type=Path, help=argparse.SUPPRESS)
    ap.add_argument("--repeat", type=int, default=3,
                    help="dronewatch runs per scenario; timing = the median run (Stone Soup runs once)")
    ap.add_argument("--set", choices=["standard", "harsh", "all"], default="all",
                    help="standard: --n at --pd/--clutter/--sigma (+ --n-alone); harsh: the HARSH rows")
    ap.add_argument("--n", type=int, nargs="+", default=[10, 100, 1000])
    ap.add_argument("--n-alone", type=int, nargs="*", default=[10_000],
                    help="N run by dronewatch alone (timing and memory only)")
    ap.add_argument("--harsh-n", type=int, nargs="*", help="only the harsh rows of these N")
    ap.add_argument("--scans", type=int, default=100)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--harsh-seed", type=int, default=11)
    ap.add_argument("--pd", type=float, default=0.9)
    ap.add_argument("--clutter", type=float, default=10.0)
    ap.add_argument("--sigma", type=float, default=10.0)
    ap.add_argument("--reuse-anchor", action="store_true",
                    help="reuse Stone Soup results cached in bench/out/ (same row)")
    ap.add_argument("--score-max-n", type=int, default=1000, help="score dronewatch up to this N")
    ap.add_argument("--json-out", type=Path, default=OUT / "tracking.json")
    a = ap.parse_args(argv)
    if a.scenario_in is not None:
        if a.est_out is None:
            ap.error("--scenario-in needs --est-out")
        res = alone(a.scenario_in, a.est_out, a.stats_out, a.repeat)
        print(json.dumps({k: v for k, v in res.items()}))
        return
    rows = []
    if a.set in ("standard", "all"):
        for n in a.n:
            rows.append(one_row(n, a.pd, a.clutter, a.sigma, a.seed, a, list(SS_KINDS) if n <= 100 else ["gnn-kdtree"]))
        for n in a.n_alone:
            rows.append(one_row(n, a.pd, a.clutter, a.sigma, a.seed, a, []))
    if a.set in ("harsh", "all"):
        for n, pd, clutter, sigma in HARSH:
            if a.harsh_n is None or n in a.harsh_n:
                sst = list(SS_KINDS) if n <= 100 else ["gnn-kdtree"]
                rows.append(one_row(n, pd, clutter, sigma, a.harsh_seed, a, sst))
    for r in rows:
        v = verdict(r)
        if v is not None:
            r["verdict"] = v
    a.json_out.parent.mkdir(parents=True, exist_ok=True)
    a.json_out.write_text(json.dumps(rows, indent=1))
    print(table(rows))
    print()
    for r in rows:
        if "verdict" in r:
            v = r["verdict"]
            print(f"{_label(r)}: GOSPA {v['gospa_ratio']:.3f}x {v['best']}, ID switches {v['id_switches']} vs "
                  f"{v['ss_id_switches']}, {v['speed_ratio']:.0f}x its detections/s: "
                  f"{'met' if v['met'] else 'NOT met'}")
    print(json.dumps([{k: r[k] for k in ("n", "pd", "clutter", "sigma", "seed")} | r.get("verdict", {})
                      for r in rows]))


if __name__ == "__main__":
    main()
