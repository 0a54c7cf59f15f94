"""Simulated microphone (site sensor kind ``acoustic``): what the acoustic detector would report.

Every ``scan_s`` (one detector window; the report is stamped at the window's end) the microphone
hears each multirotor (class ``drone``) and each aircraft (``helicopter``: low, loud rotorcraft)
whose 3-D distance is within ``range_m``, each with probability ``pd`` (the miss rate is
``1 - pd``); a heard object's class is swapped with probability ``class_error_rate``. Fixed-wing
drones and birds are not heard. A microphone cannot separate sources, so each window gives at
most one presence report per class, with the best confidence (0.6-0.95). Each window also has
Poisson(``false_alarms_per_scan``) false "drone" detections (confidence 0.5-0.7), which add a
drone report if none was heard. Reports come from ``acoustic.reports.detection_report``, exactly
as ``dronewatch listen --send`` makes them.
"""

from __future__ import annotations

import numpy as np

from dronewatch.config import SensorSpec
from dronewatch.geo import SiteFrame
from dronewatch.model import Frame
from dronewatch.sources.acoustic.reports import Detection, detection_report
from dronewatch.sources.sim.sensors import SimObject, report_frame
from dronewatch.sources.sim.truth import TruthTable

LATENCY_S = 0.1
HEARD_AS = {"multirotor": "drone", "aircraft": "helicopter"}
OTHER = {"drone": "helicopter", "helicopter": "drone"}


class MicrophoneModel:
    """One microphone; ``frames_until(to_at)`` runs every window that ends at or before ``to_at``."""

    def __init__(
        self,
        spec: SensorSpec,
        frame: SiteFrame,
        truth: TruthTable,
        objects: list[SimObject],
        rng: np.random.Generator,
        start_at: float,
        end_at: float,
    ) -> None:
        self.sensor_id = spec.id
        self.spec = spec
        self.truth = truth
        self.rng = rng
        self.start_at = start_at
        self.end_at = end_at
        self.pos_enu = np.array(frame.ground_to_enu(spec.lat, spec.lon, spec.alt_m), dtype=float)
        self.objects = objects
        self.heard_as = [HEARD_AS.get(o.kind) for o in objects]
        self.rows = np.array([o.row for o in objects], dtype=np.int64)
        self.window = 0
        self.seq = 0

    def frames_until(self, to_at: float) -> list[Frame]:
        out: list[Frame] = []
        while True:
            at = self.start_at + (self.window + 1) * self.spec.scan_s
            if at > to_at or at > self.end_at:
                return out
            out.extend(self._window(at))
            self.window += 1

    def _window(self, at: float) -> list[Frame]:
        spec, rng = self.spec, self.rng
        n = len(self.objects)
        # Fixed draws per window, whatever is in range: the stream never depends on the caller.
        u = rng.random((n, 3))
        false_count = int(rng.poisson(spec.false_alarms_per_scan)) if spec.false_alarms_per_scan > 0 else 0
        false_u = rng.random(2)
        best: dict[str, float] = {}
        if n:
            s = self.truth.states_at(at, self.rows)
            with np.errstate(invalid="ignore"):
                dist = np.linalg.norm(s[:, :3] - self.pos_enu, axis=1)
                heard = ~np.isnan(dist) & (dist <= spec.range_m) & (u[:, 0] < spec.pd)
            for j in np.flatnonzero(heard):
                cls = self.heard_as[j]
                if cls is None:
                    continue
                if u[j, 1] < spec.class_error_rate:
                    cls = OTHER[cls]
                best[cls] = max(best.get(cls, 0.0), 0.6 + 0.35 * float(u[j, 2]))
        if false_count and "drone" not in best:
            best["drone"] = 0.5 + 0.2 * float(false_u[0])
        out = []
        for cls in ("drone", "helicopter"):
            if cls in best:
                self.seq += 1
                det = Detection(at=at, cls=cls, confidence=best[cls])
                out.append(report_frame(detection_report(spec, det, self.seq, received_at=at + LATENCY_S)))
        return out
