"""Simulated surveillance radar: rotating scans, detection probability, polar noise, clutter.

Every ``scan_s`` the beam sweeps 360° clockwise from north; an object is measured when the
beam passes its azimuth (``measured_at = scan start + azimuth / 360 · scan_s``). An object
above ground within ``[min_range_m, range_m]`` is detected with probability ``pd``; the plot
is range / azimuth / elevation with Gaussian noise of the spec's sigmas (and those sigmas in
the message), a Doppler range rate (noise ``sigma_range_rate_mps``, 1 m/s if
the spec states none), an RCS (kind default ± 2.5 dB) and a class
hint that is wrong with probability ``class_error_rate`` (no hint at all with
``class_hints: false``; the random draws are the same either way). Each scan adds Poisson(
``false_alarms_per_scan``) clutter plots, uniform over the covered area, 5-120 m above the radar, with a
random class hint of low confidence.
"""

from __future__ import annotations

import numpy as np

from dronewatch.config import DEFAULT_RANGE_RATE_SIGMA_MPS, SensorSpec
from dronewatch.geo import SiteFrame, enu_to_radar
from dronewatch.model import ClassHint, Frame, ObjectClass, Radar, Report
from dronewatch.sources.sim.sensors import SimObject, report_frame
from dronewatch.sources.sim.truth import CLASS_OF_KIND, TruthTable

LATENCY_S = 0.05
RCS_SIGMA_DB = 2.5
CLASSES: tuple[ObjectClass, ...] = ("drone", "bird", "aircraft")
Plot = tuple[float, Radar, ClassHint, float]  # measured_at, measurement, class hint, rcs_dbsm


class RadarModel:
    """One radar; ``frames_until(to_at)`` runs every scan that starts at or before ``to_at``."""

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
        self.objects = objects
        self.rng = rng
        self.start_at = start_at
        self.end_at = end_at
        self.pos_enu = np.array(frame.ground_to_enu(spec.lat, spec.lon, spec.alt_m), dtype=float)
        self.scan = 0
        self.seq = 0
        self.true_cls: list[ObjectClass] = [CLASS_OF_KIND[o.kind] for o in objects]
        self.rcs = np.array([o.rcs_dbsm for o in objects])
        self.rows = np.array([o.row for o in objects], dtype=np.int64)
        rr_sigma = spec.sigma_range_rate_mps
        self.rr_sigma = DEFAULT_RANGE_RATE_SIGMA_MPS if rr_sigma is None else rr_sigma

    def frames_until(self, to_at: float) -> list[Frame]:
        out: list[Frame] = []
        while True:
            t0 = self.start_at + self.scan * self.spec.scan_s
            if t0 > to_at or t0 >= self.end_at:
                return out
            out.extend(report_frame(r) for r in self._scan(t0))
            self.scan += 1

    def _report(self, measured_at: float, meas: Radar, hint: ClassHint | None, rcs_dbsm: float) -> Report:
        self.seq += 1
        return Report(
            report_id=f"{self.sensor_id}:{self.seq}",
            sensor_id=self.sensor_id,
            sensor_kind="radar",
            measured_at=measured_at,
            received_at=measured_at + LATENCY_S,
            measurement=meas,
            class_hint=hint if self.spec.class_hints else None,
            rcs_dbsm=round(rcs_dbsm, 2),
        )

    def _scan(self, t0: float) -> list[Report]:
        spec, rng = self.spec, self.rng
        n = len(self.objects)
        # Fixed draws per scan, whatever is visible: the stream never depends on the caller.
        detect_u = rng.random(n)
        noise = rng.standard_normal((n, 5))
        cls_u = rng.random((n, 3))
        plots: list[Plot] = []
        if n:
            s0 = self.truth.states_at(t0, self.rows)
            _, az0, _ = enu_to_radar(*(s0[:, :3] - self.pos_enu).T)
            beam_at = t0 + np.nan_to_num(az0) / 360.0 * spec.scan_s
            s = self.truth.states_at(beam_at, self.rows)
            rel = s[:, :3] - self.pos_enu
            rng_m, az, el = enu_to_radar(*rel.T)
            with np.errstate(invalid="ignore"):
                rate = np.einsum("ij,ij->i", rel, s[:, 3:]) / np.maximum(rng_m, 1e-6)
                ok = (
                    ~np.isnan(s[:, 0])
                    & (s[:, 2] > 0.0)
                    & (rng_m >= spec.min_range_m)
                    & (rng_m <= spec.range_m)
                    & (detect_u < spec.pd)
                )
            idx = np.flatnonzero(ok)
            # the plots' numbers as arrays, then Python floats: one conversion per column
            cols = zip(
                idx.tolist(),
                beam_at[idx].tolist(),
                np.abs(rng_m[idx] + noise[idx, 0] * spec.sigma_range_m).tolist(),
                ((az[idx] + noise[idx, 1] * spec.sigma_az_deg) % 360.0).tolist(),
                (el[idx] + noise[idx, 2] * spec.sigma_el_deg).tolist(),
                (rate[idx] + noise[idx, 3] * self.rr_sigma).tolist(),
                (self.rcs[idx] + noise[idx, 4] * RCS_SIGMA_DB).tolist(),
                cls_u[idx].tolist(),
                strict=True,
            )
            for j, at, range_m, azimuth, elevation, range_rate, rcs, (wrong_u, pick_u, conf_u) in cols:
                cls: ObjectClass = self.true_cls[j]
                if wrong_u < spec.class_error_rate:
                    others = [c for c in CLASSES if c != cls]
                    cls = others[int(pick_u * len(others))]
                    conf = 0.4 + 0.3 * conf_u
                else:
                    conf = 0.55 + 0.4 * conf_u
                meas = Radar(
                    range_m=range_m,
                    azimuth_deg=azimuth,
                    elevation_deg=elevation,
                    sigma_range_m=spec.sigma_range_m,
                    sigma_az_deg=spec.sigma_az_deg,
                    sigma_el_deg=spec.sigma_el_deg,
                    range_rate_mps=range_rate,
                )
                plots.append((at, meas, ClassHint(cls=cls, confidence=round(conf, 3)), rcs))
        plots.extend(self._clutter(t0))
        plots.sort(key=lambda p: p[0])
        return [self._report(*plot) for plot in plots]

    def _clutter(self, t0: float) -> list[Plot]:
        spec, rng = self.spec, self.rng
        count = int(rng.poisson(spec.false_alarms_per_scan)) if spec.false_alarms_per_scan > 0 else 0
        if count == 0:
            return []
        u = rng.random((count, 7))
        lo, hi = spec.min_range_m, spec.range_m
        rng_m = np.sqrt(lo * lo + u[:, 0] * (hi * hi - lo * lo))  # uniform over the covered area
        az = u[:, 1] * 360.0
        height = np.minimum(5.0 + 115.0 * u[:, 2], 0.9 * rng_m)  # above the radar, below ~120 m
        el = np.degrees(np.arcsin(height / rng_m))
        out: list[Plot] = []
        for m in range(count):
            meas = Radar(
                range_m=float(rng_m[m]),
                azimuth_deg=float(az[m]),
                elevation_deg=float(el[m]),
                sigma_range_m=spec.sigma_range_m,
                sigma_az_deg=spec.sigma_az_deg,
                sigma_el_deg=spec.sigma_el_deg,
                range_rate_mps=float((u[m, 3] - 0.5) * 4.0),
            )
            hint = ClassHint(cls=CLASSES[int(u[m, 4] * 3)], confidence=round(0.1 + 0.3 * float(u[m, 5]), 3))
            out.append((t0 + float(az[m]) / 360.0 * spec.scan_s, meas, hint, -35.0 + 20.0 * float(u[m, 6])))
        return out
