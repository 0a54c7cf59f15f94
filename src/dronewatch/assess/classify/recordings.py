"""Public drone and bird recordings (shared/data/trajectories) read into plain arrays.

Three layouts are read (see that folder's MANIFEST.md): the CMU package-delivery quadcopter
(``cmu_m100_*``) and ALFA fixed-wing (``alfa_carbonz_*``) CSVs, whose ``time`` column is seconds
written on a placeholder 1970 date, and the i-gotU pigeon logs (``flack2014_pigeon_*``: CR line
endings, ", " separators, date and time columns). Each becomes ``Recording``: times from the
first fix (duplicated times dropped), lat, lon, alt_m (as logged). ``flying_parts`` cuts a
bird recording into its flying parts (a pigeon sitting at release, on a roof on the way, or at
the loft is no airborne target).
"""

from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from dronewatch.geo import SiteFrame


@dataclass(frozen=True)
class Recording:
    name: str
    cls: str  # "drone" or "bird"
    t_s: np.ndarray
    lat: np.ndarray
    lon: np.ndarray
    alt_m: np.ndarray

    def __len__(self) -> int:
        return len(self.t_s)


def _placeholder_seconds(text: str) -> float:
    clock = text.strip().split(" ")[-1]
    h, m, s = clock.split(":")
    return 3600.0 * float(h) + 60.0 * float(m) + float(s)


def _unique(t: np.ndarray, cols: list[np.ndarray]) -> tuple[np.ndarray, list[np.ndarray]]:
    order = np.argsort(t, kind="stable")
    t = t[order]
    keep = np.concatenate([[True], np.diff(t) > 1e-6])
    return t[keep] - t[keep][0], [c[order][keep] for c in cols]


def read_recording(path: Path) -> Recording:
    """One file of shared/data/trajectories, whatever its layout."""
    name = path.name
    if name.startswith("flack2014_pigeon"):
        lines = path.read_text(encoding="utf-8").replace("\r", "\n").splitlines()
        rows = [line.split(", ") for line in lines[1:] if line.strip()]
        t = np.array([
            dt.datetime.strptime(f"{r[0]} {r[1]}", "%Y/%m/%d %H:%M:%S").replace(tzinfo=dt.UTC).timestamp()
            for r in rows
        ])
        cols = [np.array([float(r[i]) for r in rows]) for i in (2, 3, 4)]
        cls = "bird"
    else:
        with path.open(encoding="utf-8") as f:
            rows_d = list(csv.DictReader(f))
        t = np.array([_placeholder_seconds(r["time"]) for r in rows_d])
        cols = [np.array([float(r[k]) for r in rows_d]) for k in ("lat", "lon", "alt")]
        cls = "drone"
    t, (lat, lon, alt) = _unique(t, cols)
    return Recording(name=path.stem, cls=cls, t_s=t, lat=lat, lon=lon, alt_m=alt)


def read_all(root: Path) -> list[Recording]:
    """Every drone and bird recording under ``root`` (shared/data/trajectories), sorted by name."""
    files = sorted((root / "drone").glob("*.csv")) + sorted((root / "bird").glob("*.csv"))
    return [read_recording(p) for p in files]


def flying_parts(rec: Recording, sit_mps: float = 2.0, sit_s: float = 5.0, min_s: float = 30.0) -> list[Recording]:
    """A bird recording without its perches: cut wherever it moves slower than ``sit_mps`` for
    ``sit_s`` or more (a pigeon sitting on a roof is no airborne target), parts of ``min_s`` or
    more kept."""
    frame = SiteFrame(float(rec.lat[0]), float(rec.lon[0]))
    e, n, _ = (np.asarray(v) for v in frame.to_enu(rec.lat, rec.lon, np.zeros_like(rec.lat)))
    speed = np.hypot(np.diff(e), np.diff(n)) / np.diff(rec.t_s)
    slow = np.concatenate([speed < sit_mps, [False]])
    sitting = np.zeros(len(rec), dtype=bool)
    i = 0
    while i < len(rec):
        if not slow[i]:
            i += 1
            continue
        j = i
        while j < len(rec) and slow[j]:
            j += 1
        if rec.t_s[min(j, len(rec) - 1)] - rec.t_s[i] >= sit_s:
            sitting[i : j + 1] = True
        i = j
    parts = []
    k = 0
    while k < len(rec):
        if sitting[k]:
            k += 1
            continue
        m = k
        while m < len(rec) and not sitting[m]:
            m += 1
        if rec.t_s[m - 1] - rec.t_s[k] >= min_s:
            sl = slice(k, m)
            parts.append(Recording(rec.name, rec.cls, rec.t_s[sl] - rec.t_s[k], rec.lat[sl], rec.lon[sl],
                                   rec.alt_m[sl]))
        k = m
    return parts
