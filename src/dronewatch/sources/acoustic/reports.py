"""Acoustic detections -> Reports: what a microphone at a known place can say.

A single microphone hears *that* a drone is near, not where: its Report is a presence at the
sensor's own position with the sensor's range as the (wide) horizontal uncertainty
(``h_sigma_m = range_m / 2``: a target spread evenly over the covered disc) and no altitude, a
class hint (drone, or aircraft for a helicopter) with the detector's probability as confidence.
The tracker then treats it like any sensed report with a class hint. Hardware that gives a
direction (a microphone array) fills ``Detection.azimuth_deg`` and the Report carries a
``Bearing`` instead, which the tracker triangulates with other sensors' bearings.
"""

from __future__ import annotations

from dataclasses import dataclass

from dronewatch.config import SensorSpec
from dronewatch.model import Bearing, ClassHint, Geodetic, Measurement, ObjectClass, Report

HINT_CLASS: dict[str, ObjectClass] = {"drone": "drone", "helicopter": "aircraft"}


@dataclass(frozen=True, slots=True)
class Detection:
    """One acoustic detection: when, what (``drone`` | ``helicopter``), how sure, and the
    direction when the hardware measures one (degrees clockwise from true north)."""

    at: float
    cls: str
    confidence: float
    azimuth_deg: float | None = None
    elevation_deg: float | None = None
    sigma_deg: float = 10.0


def detection_report(sensor: SensorSpec, det: Detection, seq: int, received_at: float | None = None) -> Report:
    """The Report for one detection by ``sensor`` (kind ``acoustic``); ``seq`` makes its id."""
    if det.cls not in HINT_CLASS:
        raise ValueError(f"acoustic class {det.cls!r} is not a detection (drone or helicopter)")
    meas: Measurement
    if det.azimuth_deg is not None:
        meas = Bearing(azimuth_deg=det.azimuth_deg % 360.0, elevation_deg=det.elevation_deg, sigma_deg=det.sigma_deg)
    else:
        meas = Geodetic(lat=sensor.lat, lon=sensor.lon, alt_m=None, h_sigma_m=sensor.range_m / 2.0)
    return Report(
        report_id=f"{sensor.id}:{seq}",
        sensor_id=sensor.id,
        sensor_kind="acoustic",
        measured_at=det.at,
        received_at=det.at if received_at is None else received_at,
        measurement=meas,
        class_hint=ClassHint(cls=HINT_CLASS[det.cls], confidence=round(min(1.0, max(0.0, det.confidence)), 3)),
    )
