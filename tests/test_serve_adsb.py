"""`dronewatch serve` on readsb-style feeds: the shared Beast and SBS-1 recordings are replayed
by `dronewatch replay --to tcp-listen:PORT` (as readsb serves 30005 / 30003) over 127.0.0.1;
tracks with the recorded ICAO addresses appear, and aircraft never alert, even in a zone."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from feedkit import dronewatch, free_port, get, serve, stop, wait_for

# Near St Petersburg, where the recording was made; one big zone the aircraft fly through.
SITE = """\
name: ADS-B feed test
origin: {lat: 59.8, lon: 31.5, alt_m: 10}
zones:
  - {name: Wide, circle: {lat: 59.8, lon: 31.5, radius_m: 150000}, ceiling_m: 15000, severity: critical}
sensors:
  - {id: adsb-beast, kind: adsb, lat: 59.8, lon: 31.5, range_m: 400000}
  - {id: adsb-sbs, kind: adsb, lat: 59.8, lon: 31.5, range_m: 400000}
"""
ICAOS = {"780C5D", "4CAAAE", "780A5C", "71BE34", "400159", "4249B5", "4242E5", "4248E7", "42460C", "504DD9",
         "424263"}


def test_serve_reads_beast_and_sbs_from_readsb_style_servers(tmp_path: Path, captures: Path) -> None:
    beast_file = captures / "adsb" / "beast_ulss7_20180403T190228Z.bin"
    sbs_file = captures / "adsb" / "sbs1_ulss7_20180403T190228Z.txt"
    assert beast_file.is_file() and sbs_file.is_file()
    site = tmp_path / "site.yaml"
    site.write_text(SITE)
    beast_port, sbs_port = free_port(), free_port()
    replays = [
        dronewatch("replay", str(beast_file), "--to", f"tcp-listen:{beast_port}", "--speed", "3"),
        dronewatch("replay", str(sbs_file), "--to", f"tcp-listen:{sbs_port}", "--speed", "3"),
    ]
    proc = None
    try:
        proc, base = serve(site, tmp_path, "--beast", f"127.0.0.1:{beast_port}@adsb-beast",
                           "--sbs", f"127.0.0.1:{sbs_port}@adsb-sbs")

        def icao_tracks() -> set[str]:
            tracks: list[dict[str, Any]] = get(base + "/api/tracks")
            return {t["identity"]["value"] for t in tracks if t.get("identity") and t["identity"]["scheme"] == "icao"}

        seen: set[str] = set()

        def enough() -> bool:
            seen.update(icao_tracks())
            return len(seen) >= 9

        wait_for(enough, 60, "ICAO tracks")
        assert seen <= ICAOS
        tracks = get(base + "/api/tracks")
        assert all(t["cls"] == "aircraft" for t in tracks if t.get("identity"))
        health = get(base + "/api/health")
        inputs = {i["name"]: i for i in health["ingest"]["inputs"]}
        assert inputs[f"beast:tcp://127.0.0.1:{beast_port}"]["frames"] > 100
        assert inputs[f"sbs:tcp://127.0.0.1:{sbs_port}"]["frames"] > 100
        assert health["ingest"]["reports"] > 50
        assert get(base + "/api/alerts") == []  # aircraft in a critical zone: never an alert
    finally:
        stop(*replays, *([proc] if proc else []))
