"""`dronewatch serve`: a real site fed over UDP on 127.0.0.1 shows the fused track on the API,
and a malformed datagram is counted without stopping anything."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

import msgspec

from dronewatch.geo import SiteFrame
from dronewatch.model import Geodetic, Identity, Report

SITE = """\
name: Serve test
origin: {lat: 51.556, lon: -0.2796, alt_m: 40}
zones:
  - {name: Core, circle: {lat: 51.556, lon: -0.2796, radius_m: 150}, severity: critical}
sensors:
  - {id: rid-1, kind: remoteid, lat: 51.556, lon: -0.2796, range_m: 1500}
"""


def _port(kind: int = socket.SOCK_STREAM) -> int:
    with socket.socket(socket.AF_INET, kind) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _get(url: str) -> Any:
    with urllib.request.urlopen(url, timeout=5) as r:
        return json.loads(r.read())


def test_serve_fuses_udp_reports(tmp_path: Path) -> None:
    site = tmp_path / "site.yaml"
    site.write_text(SITE)
    http, udp = _port(), _port(socket.SOCK_DGRAM)
    proc = subprocess.Popen(
        [sys.executable, "-m", "dronewatch.cli", "serve", "--site", str(site), "--port", str(http),
         "--udp", f"127.0.0.1:{udp}", "--db", str(tmp_path / "serve.db")],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    base = f"http://127.0.0.1:{http}"
    frame = SiteFrame(51.556, -0.2796, 40.0)
    try:
        deadline = time.monotonic() + 30
        while True:
            assert proc.poll() is None, proc.stdout.read() if proc.stdout else ""
            try:
                _get(base + "/api/health")
                break
            except OSError:
                assert time.monotonic() < deadline, "serve did not come up"
                time.sleep(0.2)
        sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        sock.sendto(b"{this is not a report", ("127.0.0.1", udp))
        for k in range(12):  # a drone 600 m east flying west at 10 m/s, 4 Hz Remote ID
            now = time.time()
            lat, lon, alt = frame.to_geodetic(600.0 - 10.0 * k * 0.25, 0.0, 60.0)
            report = Report(
                report_id=f"rid-1:{k}", sensor_id="rid-1", sensor_kind="remoteid", measured_at=now,
                received_at=now, identity=Identity(scheme="serial", value="TEST0001"),
                measurement=Geodetic(lat=float(lat), lon=float(lon), alt_m=float(alt), h_sigma_m=3.0,
                                     v_sigma_m=4.0, vel_enu_mps=(-10.0, 0.0, 0.0)),
            )
            sock.sendto(msgspec.json.encode(report), ("127.0.0.1", udp))
            time.sleep(0.25)
        deadline = time.monotonic() + 10
        tracks: list[dict[str, Any]] = []
        while time.monotonic() < deadline:
            tracks = [t for t in _get(base + "/api/tracks") if t.get("identity")]
            if tracks and tracks[0]["status"] == "confirmed":
                break
            time.sleep(0.3)
        assert tracks, "no track with the serial"
        track = tracks[0]
        assert track["identity"]["value"] == "TEST0001"
        assert track["status"] == "confirmed"
        assert track["cls"] == "drone"
        assert 450.0 < track["enu_m"][0] < 600.0 and abs(track["enu_m"][1]) < 30.0
        assert proc.poll() is None, "serve died on a malformed datagram"
        deadline = time.monotonic() + 10  # the last datagrams may still wait for the next pump (0.5 s)
        ingest = _get(base + "/api/health")["ingest"]
        while ingest["reports"] < 12 and time.monotonic() < deadline:
            time.sleep(0.2)
            ingest = _get(base + "/api/health")["ingest"]
        assert ingest["rejected"] == {"malformed JSON": 1}
        assert ingest["reports"] == 12
    finally:
        proc.terminate()
        proc.wait(15)


SITE_BOCHUM = """\
name: Bochum test
origin: {lat: 51.4463, lon: 7.2672, alt_m: 100}
sensors:
  - {id: rf-1, kind: rf, lat: 51.4462, lon: 7.2671, range_m: 3000}
"""


def test_serve_sdr_recording_and_missing_soapysdr(captures: Path, tmp_path: Path) -> None:
    """``--sdr``: a recording takes the live SDR path into tracks on the API; a SoapySDR device
    without the bindings stops its reader with a clear reason and serve runs on."""
    rf_meta = captures / "rf" / "mavic_air_2.sigmf-meta"
    site = tmp_path / "site.yaml"
    site.write_text(SITE_BOCHUM)
    http, udp = _port(), _port(socket.SOCK_DGRAM)
    log = (tmp_path / "serve.log").open("w+")
    proc = subprocess.Popen(
        [sys.executable, "-m", "dronewatch.cli", "serve", "--site", str(site), "--port", str(http),
         "--udp", f"127.0.0.1:{udp}", "--db", str(tmp_path / "serve.db"),
         "--sdr", f"{rf_meta}@rf-1", "--sdr", "driver=nosuchradio@rf-2"],
        stdout=log, stderr=subprocess.STDOUT, text=True,
    )
    base = f"http://127.0.0.1:{http}"
    try:
        deadline = time.monotonic() + 60
        tracks: list[dict[str, Any]] = []
        while time.monotonic() < deadline:
            assert proc.poll() is None, Path(log.name).read_text()
            try:
                tracks = [t for t in _get(base + "/api/tracks") if t.get("identity")]
            except OSError:
                tracks = []
            if tracks:
                break
            time.sleep(0.3)
        assert tracks, "no DroneID track: " + Path(log.name).read_text()
        t = tracks[0]
        assert t["identity"]["value"] == "1WNBH3900201N1" and t["identity"]["scheme"] == "dji"
        assert abs(t["operator"]["lat"] - 51.44620788045814) < 1e-4
        assert abs(t["lat"] - 51.44633393111904) < 1e-3
        ingest = _get(base + "/api/health")["ingest"]
        assert ingest["reports"] >= 3
        assert proc.poll() is None
        text = Path(log.name).read_text()
        assert "SoapySDR Python bindings not found" in text or "nosuchradio" in text
        assert "Traceback" not in text
    finally:
        proc.terminate()
        proc.wait(15)
        log.close()
