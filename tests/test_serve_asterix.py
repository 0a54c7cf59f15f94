"""`dronewatch serve --asterix udp://...`: the shared CAT034/048 capture replayed over UDP on
127.0.0.1 (`dronewatch replay --to udp://`) lands as tracks where the plots are. The expected
places are computed independently (pymap3d on the WGS84 ellipsoid) from the MANIFEST's own
RHO/THETA/FL table for the radar whose position the capture gives (SIC 12, CAT034 I120);
radar health from CAT034 shows in /api/health."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pymap3d

from feedkit import dronewatch, free_port, get, serve, stop, wait_for

RADAR = (43.57102632522583, 16.4060640335083, 780.0)  # MANIFEST record 5: CAT034 I120 of SIC 12
SITE = f"""\
name: ASTERIX feed test
origin: {{lat: {RADAR[0]}, lon: {RADAR[1]}, alt_m: {RADAR[2]}}}
sensors:
  - {{id: radar-12, kind: radar, lat: {RADAR[0]}, lon: {RADAR[1]}, range_m: 480000, sac: 25, sic: 12,
     sigma_range_m: 70, sigma_az_deg: 0.08}}
"""


def _expected(manifest: str) -> dict[str, tuple[float, float]]:
    """ICAO address -> (lat, lon) of each SIC 12 plot in the MANIFEST table."""
    section = manifest.split("### All 64 distinct CAT048 records", 1)[1].split("\n---", 1)[0]
    out = {}
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) != 13 or cells[1] != "25/12" or not cells[4]:
            continue
        slant, az, height = float(cells[4]) * 1852.0, float(cells[5]), float(cells[7]) * 100 * 0.3048
        lo, hi = -10.0, 89.0  # elevation that puts the target at its flight-level height
        for _ in range(60):
            el = (lo + hi) / 2
            h = pymap3d.aer2geodetic(az, el, slant, *RADAR)[2]
            lo, hi = (el, hi) if h < height else (lo, el)
        lat, lon, _ = pymap3d.aer2geodetic(az, (lo + hi) / 2, slant, *RADAR)
        out[cells[8]] = (float(lat), float(lon))
    return out


def _at_last_update(t: dict[str, Any]) -> tuple[float, float]:
    """A live track's (lat, lon) taken back from its ``at`` to its ``last_update_at``."""
    dt = t["at"] - t["last_update_at"]
    ve, vn, _ = t["vel_enu_mps"]
    lat, lon, _ = pymap3d.enu2geodetic(-ve * dt, -vn * dt, 0.0, t["lat"], t["lon"], 0.0)
    return float(lat), float(lon)


def _distance_m(a: tuple[float, float], b: tuple[float, float]) -> float:
    e, n, _ = pymap3d.geodetic2enu(a[0], a[1], 0.0, b[0], b[1], 0.0)
    return math.hypot(e, n)


def test_cat048_plots_land_where_they_are(tmp_path: Path, captures: Path) -> None:
    pcap = captures / "asterix" / "cat_034_048.pcap"
    expected = _expected((captures / "asterix" / "MANIFEST.md").read_text())
    assert len(expected) == 19  # the SIC 12 plots (every one with a Mode S address)
    site = tmp_path / "site.yaml"
    site.write_text(SITE)
    port = free_port(2)
    proc = None
    try:
        proc, base = serve(site, tmp_path, "--asterix", f"udp://127.0.0.1:{port}")
        wait_for(lambda: get(base + "/api/health")["ingest"]["inputs"][0]["connected"], 20, "the ASTERIX socket")
        replay = dronewatch("replay", str(pcap), "--to", f"udp://127.0.0.1:{port}")
        assert replay.wait(timeout=60) == 0

        def tracks() -> list[dict[str, Any]]:
            ts: list[dict[str, Any]] = get(base + "/api/tracks")
            return [t for t in ts if t.get("identity") and t["identity"]["value"] in expected]

        got = wait_for(lambda: len(tracks()) >= len(expected) and tracks(), 20, "tracks of the SIC 12 plots")
        for t in got:
            want = expected[t["identity"]["value"]]
            slant = _distance_m(want, RADAR[:2])
            # The live picture shows each track predicted to the newest step (it coasts between
            # radar rotations and after the replay ends, by as long as the machine takes to ask):
            # compare the estimate at its last plot, taken back along the track's own velocity.
            lat, lon = _at_last_update(t)
            assert _distance_m((lat, lon), want) < max(300.0, 0.005 * slant), t["identity"]
        # Radars whose position the site does not give: their plots are counted, not guessed
        # (128 CAT048 records, 38 from SIC 12, 2 end-of-track records without a position).
        health = wait_for(lambda: (h := get(base + "/api/health")["ingest"])["rejected"].get(
            "radar position unknown") == 128 - 38 - 2 and h, 10, "every plot counted")
        sensors = {(s["sac"], s["sic"]): s for s in health["sensors"]}
        assert set(sensors) == {(25, 11), (25, 12), (25, 13), (25, 14), (25, 201), (25, 204), (25, 205)}
        assert sensors[(25, 12)]["rotation_s"] == 4.9453125
        assert sensors[(25, 12)]["position"]["lat"] == RADAR[0]
        assert sensors[(25, 13)]["state"] in ("operational", "degraded")
    finally:
        if proc is not None:
            stop(proc)
