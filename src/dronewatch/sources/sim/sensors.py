"""What every simulated sensor shares: the object list, the sensor protocol, frame building.

A sensor model is told a time and returns the frames it produced for every measurement
instant up to it (``frames_until``); it keeps its own position in time, sequence counter and
random streams, so its output never depends on how the caller steps the clock.
"""

from __future__ import annotations

import math
from typing import Protocol

import msgspec
import numpy as np

from dronewatch.config import AdsbSpec, DjiSpec, ObjectSpec, RemoteIdSpec, SensorSpec
from dronewatch.geo import SiteFrame
from dronewatch.model import REPORT_ENCODER, Frame, Geodetic, Report
from dronewatch.sources.sim.truth import TruthTable

LINK = "dw-report"

DEFAULT_RCS_DBSM: dict[str, float] = {
    "multirotor": -15.0,
    "fixed_wing": -10.0,
    "bird": -25.0,
    "aircraft": 20.0,
}


class SimObject(msgspec.Struct, frozen=True, kw_only=True):
    """One simulated object (a flock is one per bird): its row in the truth table and what it carries."""

    object_id: str
    kind: str
    row: int
    rcs_dbsm: float
    remote_id: RemoteIdSpec | None = None
    remote_id_offset_enu_m: tuple[float, float, float] = (0.0, 0.0, 0.0)
    adsb: AdsbSpec | None = None
    dji: DjiSpec | None = None
    dji_home: tuple[float, float] | None = None  # lat, lon

    @classmethod
    def from_spec(cls, spec: ObjectSpec, object_id: str, row: int) -> SimObject:
        off = spec.remote_id_offset_m
        return cls(
            object_id=object_id,
            kind=spec.kind,
            row=row,
            rcs_dbsm=spec.rcs_dbsm if spec.rcs_dbsm is not None else DEFAULT_RCS_DBSM[spec.kind],
            remote_id=spec.remote_id,
            remote_id_offset_enu_m=(off.east, off.north, off.up) if off else (0.0, 0.0, 0.0),
            adsb=spec.adsb,
            dji=spec.dji,
            dji_home=_home(spec),
        )


def _home(spec: ObjectSpec) -> tuple[float, float] | None:
    if spec.dji is None:
        return None
    if spec.dji.home is not None:
        return (spec.dji.home.lat, spec.dji.home.lon)
    return (spec.waypoints[0].lat, spec.waypoints[0].lon)


class SensorModel(Protocol):
    """A simulated sensor: frames for every measurement instant up to ``to_at``."""

    sensor_id: str

    def frames_until(self, to_at: float) -> list[Frame]: ...


def report_frame(report: Report) -> Frame:
    """The dronewatch wire format: one msgspec-JSON Report per frame, received when the report was."""
    return Frame(
        sensor_id=report.sensor_id,
        received_at=report.received_at,
        link=LINK,
        data=REPORT_ENCODER.encode(report),
    )


def tick_times(first_at: float, period_s: float, end_at: float) -> np.ndarray:
    """Instants ``first_at + m * period_s`` before ``end_at`` (computed, not accumulated)."""
    count = max(0, math.ceil((end_at - first_at) / period_s - 1e-9))
    return first_at + np.arange(count) * period_s


class Broadcasts:
    """Per-object broadcast instants (``rate_hz``, a random phase each) with per-object random
    streams, so what one object sends never depends on the others or on the caller's steps."""

    def __init__(
        self, count: int, rate_hz: float, start_at: float, end_at: float, seed: np.random.SeedSequence
    ) -> None:
        self.period_s = 1.0 / rate_hz
        self.end_at = end_at
        self.rngs = [np.random.default_rng(s) for s in seed.spawn(count)]
        self.first_at = np.array([start_at + float(r.random()) * self.period_s for r in self.rngs], dtype=float)
        self.next_m = np.zeros(count, dtype=np.int64)

    def due(self, to_at: float) -> tuple[np.ndarray, np.ndarray]:
        """(object indices, instants) of every instant up to ``to_at``, in time order (then
        object order, so report sequence numbers never depend on steps); marks them done."""
        objs: list[np.ndarray] = []
        ats: list[np.ndarray] = []
        while True:
            at = self.first_at + self.next_m * self.period_s
            idx = np.flatnonzero((at <= to_at) & (at < self.end_at))
            if not len(idx):
                break
            objs.append(idx)
            ats.append(at[idx])
            self.next_m[idx] += 1
        if not objs:
            return np.zeros(0, dtype=np.int64), np.zeros(0)
        j, t = np.concatenate(objs), np.concatenate(ats)
        order = np.lexsort((j, t))
        return j[order], t[order]


class CooperativeReceiver:
    """A receiver of what aircraft broadcast about themselves (Remote ID, ADS-B, DroneID): for
    every object it hears (``hears``), a message every ``1 / rate_hz`` s while within ``range_m``,
    lost with probability ``loss``, with GNSS-like noise (``noise_m``: east, north, up 1-sigma)
    and declared accuracy ``sigma_m`` (horizontal, vertical). Subclasses say which objects
    broadcast, where they say they are (``offset_enu_m``: a spoofer's lie), what the message
    says and how it is encoded. Each ``frames_until`` handles all its due broadcasts at once:
    one truth look-up and one geodetic conversion for the lot."""

    noise_m: tuple[float, float, float] = (0.0, 0.0, 0.0)
    sigma_m: tuple[float, float] = (0.0, 0.0)

    def __init__(
        self,
        spec: SensorSpec,
        frame: SiteFrame,
        truth: TruthTable,
        objects: list[SimObject],
        seed: np.random.SeedSequence,
        start_at: float,
        end_at: float,
    ) -> None:
        self.sensor_id = spec.id
        self.spec = spec
        self.frame = frame
        self.truth = truth
        self.objects = [o for o in objects if self.hears(o)]
        self.rows = np.array([o.row for o in self.objects], dtype=np.int64)
        self.offsets = np.array([self.offset_enu_m(o) for o in self.objects], dtype=float).reshape(-1, 3)
        self.pos_enu = np.array(frame.ground_to_enu(spec.lat, spec.lon, spec.alt_m), dtype=float)
        self.broadcasts = Broadcasts(len(self.objects), spec.rate_hz, start_at, end_at, seed)
        self.seq = 0

    def hears(self, obj: SimObject) -> bool:
        raise NotImplementedError

    def offset_enu_m(self, obj: SimObject) -> tuple[float, float, float]:
        """How far from the truth the object says it is, before noise (none: honest)."""
        return (0.0, 0.0, 0.0)

    def report(self, obj: SimObject, at: float, position: Geodetic) -> Report:
        raise NotImplementedError

    def encode(self, report: Report) -> Frame:
        return report_frame(report)

    def next_report_id(self) -> str:
        self.seq += 1
        return f"{self.sensor_id}:{self.seq}"

    def frames_until(self, to_at: float) -> list[Frame]:
        objs, ats = self.broadcasts.due(to_at)
        n = len(objs)
        if not n:
            return []
        # Each broadcast's draws from its object's stream, in time order: a loss test, then noise.
        lost = np.empty(n, dtype=bool)
        noise = np.empty((n, 3))
        rngs, loss = self.broadcasts.rngs, self.spec.loss
        for m, j in enumerate(objs.tolist()):
            rng = rngs[j]
            lost[m] = rng.random() < loss
            noise[m] = rng.standard_normal(3)
        noise *= self.noise_m
        s = self.truth.states_at(ats, self.rows[objs])
        with np.errstate(invalid="ignore"):
            far = np.linalg.norm(s[:, :3] - self.pos_enu, axis=1) > self.spec.range_m
        keep = np.flatnonzero(~np.isnan(s[:, 0]) & ~lost & ~far)
        if not len(keep):
            return []
        # What each aircraft says of itself: truth + offset + noise as lat/lon and height above
        # the ellipsoid, with its true velocity, to the wire's resolution.
        enu = s[keep, :3] + self.offsets[objs[keep]] + noise[keep]
        lat, lon, hae = (np.atleast_1d(v).tolist() for v in self.frame.to_geodetic(enu[:, 0], enu[:, 1], enu[:, 2]))
        h_sigma, v_sigma = self.sigma_m
        out: list[Frame] = []
        for m, (j, at, vel) in enumerate(zip(objs[keep].tolist(), ats[keep].tolist(), s[keep, 3:].tolist(),
                                             strict=True)):
            position = Geodetic(
                lat=lat[m],
                lon=lon[m],
                alt_m=round(hae[m], 2),
                h_sigma_m=h_sigma,
                v_sigma_m=v_sigma,
                vel_enu_mps=(round(vel[0], 2), round(vel[1], 2), round(vel[2], 2)),
            )
            out.append(self.encode(self.report(self.objects[j], at, position)))
        return out
