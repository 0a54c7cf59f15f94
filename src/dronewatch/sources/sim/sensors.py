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
        self.first_at = [start_at + float(r.random()) * self.period_s for r in self.rngs]
        self.next_m = [0] * count

    def due(self, to_at: float) -> list[tuple[int, float, np.random.Generator]]:
        """(object index, instant, its random stream) for every instant up to ``to_at``, then
        marks them done."""
        out: list[tuple[int, float, np.random.Generator]] = []
        for j, first_at in enumerate(self.first_at):
            while True:
                at = first_at + self.next_m[j] * self.period_s
                if at > to_at or at >= self.end_at:
                    break
                out.append((j, at, self.rngs[j]))
                self.next_m[j] += 1
        out.sort(key=lambda d: (d[1], d[0]))  # time order: report sequence numbers never depend on steps
        return out


class CooperativeReceiver:
    """A receiver of what aircraft broadcast about themselves (Remote ID, ADS-B): for every
    object it hears (``hears``), a message every ``1 / rate_hz`` s while within ``range_m``,
    lost with probability ``loss``, with GNSS-like noise (``noise_m``: east, north, up 1-sigma).
    Subclasses say which objects broadcast, what the message says and how it is encoded."""

    noise_m: tuple[float, float, float] = (0.0, 0.0, 0.0)

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
        self.pos_enu = np.array(frame.ground_to_enu(spec.lat, spec.lon, spec.alt_m), dtype=float)
        self.broadcasts = Broadcasts(len(self.objects), spec.rate_hz, start_at, end_at, seed)
        self.seq = 0

    def hears(self, obj: SimObject) -> bool:
        raise NotImplementedError

    def report(self, obj: SimObject, at: float, state: np.ndarray, noise: np.ndarray) -> Report:
        raise NotImplementedError

    def encode(self, report: Report) -> Frame:
        return report_frame(report)

    def broadcast_position(self, enu: np.ndarray, state: np.ndarray, h_sigma_m: float,
                           v_sigma_m: float) -> Geodetic:
        """What the aircraft says of itself: ``enu`` (truth + offset + noise) as lat/lon and
        height above the ellipsoid, with its true velocity, to the wire's resolution."""
        lat, lon, hae = self.frame.to_geodetic(float(enu[0]), float(enu[1]), float(enu[2]))
        return Geodetic(
            lat=float(lat),
            lon=float(lon),
            alt_m=round(float(hae), 2),
            h_sigma_m=h_sigma_m,
            v_sigma_m=v_sigma_m,
            vel_enu_mps=(round(float(state[3]), 2), round(float(state[4]), 2), round(float(state[5]), 2)),
        )

    def next_report_id(self) -> str:
        self.seq += 1
        return f"{self.sensor_id}:{self.seq}"

    def frames_until(self, to_at: float) -> list[Frame]:
        out: list[Frame] = []
        for j, at, rng in self.broadcasts.due(to_at):
            lost = rng.random() < self.spec.loss
            noise = rng.standard_normal(3) * self.noise_m
            obj = self.objects[j]
            s = self.truth.state_of(obj.row, at)
            if s is None or lost or np.linalg.norm(s[:3] - self.pos_enu) > self.spec.range_m:
                continue
            out.append(self.encode(self.report(obj, at, s, noise)))
        return out
