"""`dronewatch export`: an incident simulated end to end (Remote ID drone with its pilot's
position entering the Stands), acted on by operators, exported as PDF, GeoJSON, KML and CSV,
and each file opened and checked against the store."""

from __future__ import annotations

import csv
import json
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import msgspec
import pypdf
import pytest
import shapely
from typer.testing import CliRunner

from dronewatch.cli import app
from dronewatch.config import Scenario, load_scenario, resolve_scenario
from dronewatch.evidence.incident import LEAD_S, TAIL_S
from dronewatch.model import Geodetic
from dronewatch.runner import run_fast
from dronewatch.store import Store
from dronewatch.store.verify import open_readonly, verify
from factories import make_alert, make_track

SERIAL = "1748INTRUDER0042"
PILOT = (51.562288, -0.308441)
ACTIONS = [("ack", "Alice Operator", "on it, camera 3"), ("escalate", "Alice Operator", "heading for the north stand"),
           ("resolve", "Bob Supervisor", "police found the pilot at the car park")]
KML = "{http://www.opengis.net/kml/2.2}"


@pytest.fixture(scope="module")
def incident(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The stadium's hovering intruder alone, recorded to a store; its Stands alert acted on (the
    site does not escalate by itself here, so every operator step is a change)."""
    stadium = load_scenario(resolve_scenario("stadium"))
    site = msgspec.structs.replace(
        stadium.site, thresholds=msgspec.structs.replace(stadium.site.thresholds, escalate_after_s=None))
    scenario = msgspec.structs.replace(
        stadium, name="intruder", duration_s=240.0, site=site,
        objects=[o for o in stadium.objects if o.id == "intruder-hover"])
    assert isinstance(scenario, Scenario)
    tmp = tmp_path_factory.mktemp("incident")
    db = tmp / "incident.db"
    run_fast(scenario, tmp / "run", db_url=f"sqlite:///{db}")
    with Store(f"sqlite:///{db}") as store:
        [alert] = [a for a in store.alerts() if a.rule == "zone_entry" and a.zone == "Stands"]
        for action, by, note in ACTIONS:
            done = store.act(alert.alert_id, action, by, note, alert.updated_at + 1 + len(note))  # type: ignore[arg-type]
            assert done is not None and done.by == by
        versions = store.audit_versions(alert.alert_id)
        heads = store.chain_heads()
        # the documented evidence window: a minute before the raise to 10 s after the last change
        until = max(row["at"] for row, _ in versions) + TAIL_S
        snapshots = {t: store.snapshots([t], alert.raised_at - LEAD_S, until) for t in alert.track_ids}
        assert LEAD_S == 60.0 and TAIL_S == 10.0
    files = {}
    for fmt in ("pdf", "geojson", "kml", "csv"):
        out = tmp / f"incident.{fmt}"
        result = CliRunner().invoke(app, ["export", "--db", str(db), "--alert", alert.alert_id, "--format", fmt,
                                          "--out", str(out)])
        assert result.exit_code == 0, result.output
        assert f"incident {alert.alert_id} ({fmt}): {len(versions)} changes, 3 operator actions" in result.output
        files[fmt] = out
    return {"db": db, "alert": alert, "versions": versions, "heads": heads, "snapshots": snapshots,
            "files": files}


def test_pdf_has_the_incident_map_timeline_actions_and_hashes(incident: dict[str, Any]) -> None:
    reader = pypdf.PdfReader(incident["files"]["pdf"])
    text = "\n".join(page.extract_text() for page in reader.pages)
    flat = " ".join(text.split())
    alert = incident["alert"]
    for needle in (f"Incident {alert.alert_id}", "zone entry, Stands (critical)", "Map", "Timeline",
                   "Operator actions", "Every change (audit trail)", "Chain hashes", f"serial:{SERIAL}",
                   "Zones shaded by severity", "radar-1", f"{PILOT[0]:.6f}, {PILOT[1]:.6f}"):
        assert needle in flat, needle
    for _, by, note in ACTIONS:
        assert by in flat and note in flat
    for row, _ in incident["versions"]:
        assert row["row_hash"] in text.replace("\n", "")
    assert incident["heads"]["alert_audit"]["row_hash"] in text.replace("\n", "")
    # the map and the timeline are drawings: vector paths on the first pages
    content = reader.pages[0].get_contents().get_data()  # type: ignore[union-attr]
    assert content.count(b" l ") + content.count(b" l\n") > 50


def test_geojson_holds_the_incident(incident: dict[str, Any]) -> None:
    doc = json.loads(incident["files"]["geojson"].read_text())
    assert doc["type"] == "FeatureCollection"
    by_kind: dict[str, list[dict[str, Any]]] = {}
    for f in doc["features"]:
        assert shapely.geometry.shape(f["geometry"]).is_valid
        by_kind.setdefault(f["properties"]["kind"], []).append(f)
    assert set(by_kind) >= {"alert", "alert_change", "track", "pilot", "zone", "sensor"}
    [alert] = by_kind["alert"]
    assert alert["properties"]["alert_id"] == incident["alert"].alert_id
    assert alert["properties"]["state"] == "resolved"
    changes = by_kind["alert_change"]
    assert [(c["properties"]["change"], c["properties"]["row_hash"]) for c in changes] == [
        (row["change"], row["row_hash"]) for row, _ in incident["versions"]]
    assert [(c["properties"]["by"], c["properties"]["note"]) for c in changes[-3:]] == [(b, n) for _, b, n in ACTIONS]
    for track in by_kind["track"]:
        rows = incident["snapshots"][track["properties"]["track_id"]]
        assert len(track["geometry"]["coordinates"]) == len(rows)
        assert track["geometry"]["coordinates"][0] == [rows[0]["lon"], rows[0]["lat"], rows[0]["alt_m"]]
        assert track["properties"]["row_hashes"] == [r["row_hash"] for r in rows]
        assert f"serial:{SERIAL}" in track["properties"]["identities"]
    lon, lat = by_kind["pilot"][0]["geometry"]["coordinates"]
    assert (lat, lon) == pytest.approx(PILOT, abs=1e-6)
    assert {z["properties"]["name"] for z in by_kind["zone"]} == {"Stands", "Pitch", "Perimeter", "Approach"}
    assert "radar-1" in {s["properties"]["id"] for s in by_kind["sensor"]}
    assert doc["dronewatch"]["chain_heads"] == incident["heads"]


def test_kml_holds_the_incident(incident: dict[str, Any]) -> None:
    root = ET.parse(incident["files"]["kml"]).getroot()
    marks = {pm.findtext(f"{KML}name"): pm for pm in root.iter(f"{KML}Placemark")}
    alert = incident["alert"]
    assert {"Stands", "Perimeter", f"{alert.alert_id} raised", f"{alert.alert_id} resolve", "chain tips"} <= set(marks)
    for track_id, rows in incident["snapshots"].items():
        coords = marks[f"track {track_id}"].findtext(f".//{KML}coordinates").split()  # type: ignore[union-attr]
        assert len(coords) == len(rows)
        lon, lat, alt = map(float, coords[-1].split(","))
        assert (lat, lon, alt) == pytest.approx((rows[-1]["lat"], rows[-1]["lon"], rows[-1]["alt_m"]), abs=1e-9)
    pilot = next(pm for name, pm in marks.items() if name and name.startswith("pilot of track"))
    lon, lat = map(float, pilot.findtext(f".//{KML}coordinates").split(",")[:2])  # type: ignore[union-attr]
    assert (lat, lon) == pytest.approx(PILOT, abs=1e-6)
    data = {d.get("name"): d.findtext(f"{KML}value") for d in marks[f"{alert.alert_id} escalate"].iter(f"{KML}Data")}
    assert (data["by"], data["note"]) == ("Alice Operator", "heading for the north stand")
    escalate_row = next(row for row, _ in incident["versions"] if row["change"] == "escalate")
    assert data["row_hash"] == escalate_row["row_hash"]
    tips = {d.get("name"): d.findtext(f"{KML}value") for d in marks["chain tips"].iter(f"{KML}Data")}
    assert tips == {f"tip_{n}": h["row_hash"] for n, h in incident["heads"].items()}


def test_csv_holds_the_incident(incident: dict[str, Any]) -> None:
    with incident["files"]["csv"].open(newline="") as f:
        rows = list(csv.DictReader(f))
    by_record: dict[str, list[dict[str, str]]] = {}
    for r in rows:
        by_record.setdefault(r["record"], []).append(r)
    alerts = by_record["alert"]
    assert [(r["change"], r["row_hash"]) for r in alerts] == [(row["change"], row["row_hash"]) for row, _ in
                                                              incident["versions"]]
    assert [(r["by"], r["note"], r["state"]) for r in alerts[-3:]] == [
        ("Alice Operator", "on it, camera 3", "acknowledged"),
        ("Alice Operator", "heading for the north stand", "escalated"),
        ("Bob Supervisor", "police found the pilot at the car park", "resolved")]
    points = by_record["track_point"]
    assert len(points) == sum(len(v) for v in incident["snapshots"].values())
    assert {r["row_hash"] for r in points} == {s["row_hash"] for v in incident["snapshots"].values() for s in v}
    pilot = by_record["pilot"][0]
    assert (float(pilot["lat"]), float(pilot["lon"])) == pytest.approx(PILOT, abs=1e-6)
    assert {r["detail"].split(":")[0] for r in by_record["zone"]} == {"Stands", "Pitch", "Perimeter", "Approach"}
    assert {r["detail"].split(":")[0]: r["row_hash"] for r in by_record["chain_tip"]} == {
        n: h["row_hash"] for n, h in incident["heads"].items()}


def test_exporting_changes_nothing_in_the_store(incident: dict[str, Any]) -> None:
    report = verify(open_readonly(str(incident["db"])))
    assert report.ok and report.heads == {n: h["row_hash"] for n, h in incident["heads"].items()}


def test_unknown_alert_and_bad_format(incident: dict[str, Any], tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["export", "--db", str(incident["db"]), "--alert", "A99999", "--format", "pdf",
                                      "--out", str(tmp_path / "x.pdf")])
    assert result.exit_code == 1 and "no alert A99999 in the store" in result.output
    result = CliRunner().invoke(app, ["export", "--db", str(incident["db"]), "--alert", "A00001", "--format", "docx",
                                      "--out", str(tmp_path / "x.docx")])
    assert result.exit_code == 2 and "expected one of pdf, geojson, kml, csv" in result.output


def test_home_and_pilot_positions_are_exported(tmp_path: Path) -> None:
    """A track that broadcast its pilot's and its home position (as DJI DroneID does)."""
    db = tmp_path / "home.db"
    pilot = Geodetic(lat=52.001, lon=4.002, alt_m=12.0)
    home = Geodetic(lat=52.0015, lon=4.0025, alt_m=11.0)
    with Store(f"sqlite:///{db}") as store:
        for i in range(5):
            track = msgspec.structs.replace(make_track(7, at=1000.0 + i, e_m=i, serial="DJI123"), operator=pilot,
                                            home=home if i >= 2 else None)
            store.add_tracks([track], at=1000.0 + i)
        store.save_alerts([make_alert("A1", at=1001.0)])
    out = tmp_path / "home.geojson"
    assert CliRunner().invoke(app, ["export", "--db", str(db), "--alert", "A1", "--format", "geojson",
                                    "--out", str(out)]).exit_code == 0
    features = json.loads(out.read_text())["features"]
    [p] = [f for f in features if f["properties"]["kind"] == "pilot"]
    [h] = [f for f in features if f["properties"]["kind"] == "home"]
    assert p["geometry"]["coordinates"] == [4.002, 52.001] and p["properties"]["since"].endswith("16:40.000Z")
    assert h["geometry"]["coordinates"] == [4.0025, 52.0015] and h["properties"]["alt_wgs84_m"] == 11.0
    assert (p["properties"]["since"], p["properties"]["until"]) != (h["properties"]["since"], h["properties"]["until"])
    pdf = tmp_path / "home.pdf"
    assert CliRunner().invoke(app, ["export", "--db", str(db), "--alert", "A1", "--format", "pdf",
                                    "--out", str(pdf)]).exit_code == 0
    text = " ".join(" ".join(page.extract_text() for page in pypdf.PdfReader(pdf).pages).split())
    assert "track 7: 52.001500, 4.002500" in text and "serial:DJI123" in text
