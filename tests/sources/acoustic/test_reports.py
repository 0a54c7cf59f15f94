"""Detections -> Reports (presence or bearing), and ``listen --send`` feeding serve's UDP input."""

from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path

import msgspec
import pytest

from dronewatch.config import SensorSpec
from dronewatch.model import REPORT_DECODER, Bearing, Geodetic
from dronewatch.sources.acoustic.reports import Detection, detection_report

MIC = SensorSpec(id="mic-1", kind="acoustic", lat=52.1, lon=4.2, range_m=300.0)


def test_presence_report_at_the_microphone() -> None:
    r = detection_report(MIC, Detection(at=100.0, cls="drone", confidence=0.87), 5)
    assert r.report_id == "mic-1:5" and r.sensor_kind == "acoustic" and r.measured_at == 100.0
    assert r.measurement == Geodetic(lat=52.1, lon=4.2, alt_m=None, h_sigma_m=150.0)
    assert r.class_hint is not None and (r.class_hint.cls, r.class_hint.confidence) == ("drone", 0.87)


def test_helicopter_is_an_aircraft_hint_and_a_bearing_when_the_hardware_gives_one() -> None:
    r = detection_report(MIC, Detection(at=1.0, cls="helicopter", confidence=0.7, azimuth_deg=370.0,
                                        sigma_deg=8.0), 1)
    assert r.measurement == Bearing(azimuth_deg=10.0, elevation_deg=None, sigma_deg=8.0)
    assert r.class_hint is not None and r.class_hint.cls == "aircraft"


def test_background_is_not_a_detection() -> None:
    with pytest.raises(ValueError, match="not a detection"):
        detection_report(MIC, Detection(at=1.0, cls="background", confidence=0.9), 1)


def test_listen_sends_reports_to_serve(clips: Path, tmp_path: Path) -> None:
    site = {"name": "s", "origin": {"lat": 52.1, "lon": 4.2},
            "sensors": [msgspec.to_builtins(MIC)]}
    site_file = tmp_path / "site.yaml"
    site_file.write_bytes(msgspec.json.encode(site))  # JSON is YAML
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as rx:
        rx.bind(("127.0.0.1", 0))
        rx.settimeout(30)
        port = rx.getsockname()[1]
        proc = subprocess.run([sys.executable, "-m", "dronewatch.cli", "listen", str(clips / "DRONE_001.wav"),
                               "--site", str(site_file), "--sensor", "mic-1", "--send", f"127.0.0.1:{port}"],
                              capture_output=True, timeout=60)
        assert proc.returncode == 0, proc.stderr.decode()
        got = []
        rx.settimeout(0.5)
        while True:
            try:
                got.append(REPORT_DECODER.decode(rx.recv(65535)))
            except TimeoutError:
                break
    assert len(got) >= 8  # most of the 10 windows are drone
    assert all(r.sensor_id == "mic-1" and r.class_hint is not None and r.class_hint.cls == "drone" for r in got)
    assert len({r.report_id for r in got}) == len(got)


def test_listen_send_with_a_wrong_sensor_is_one_line_error(clips: Path, tmp_path: Path) -> None:
    site_file = tmp_path / "site.yaml"
    site_file.write_text("name: s\norigin: {lat: 52.1, lon: 4.2}\n")
    proc = subprocess.run([sys.executable, "-m", "dronewatch.cli", "listen", str(clips / "DRONE_001.wav"),
                           "--site", str(site_file), "--sensor", "mic-9", "--send", "127.0.0.1:9"],
                          capture_output=True, timeout=60)
    err = proc.stderr.decode()
    assert proc.returncode == 2 and "mic-9" in err and len(err.strip().splitlines()) == 1
