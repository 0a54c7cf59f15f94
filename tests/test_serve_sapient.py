"""`dronewatch serve --sapient-listen`: an edge node written with the generated SAPIENT bindings
registers, reports status, and sends detections of a target walking into a zone (a drone
alert follows); a "Human" walking in alongside raises none. Then a malformed message, a
detection from a node that never registered and a truncated frame are each answered by an
Error and counted, while the connection and the tracks survive; a peer that drops mid-frame
loses only its own connection."""

from __future__ import annotations

import asyncio
import struct
import time
from pathlib import Path
from typing import Any

from dronewatch.geo import SiteFrame
from dronewatch.sapient import framing, messages
from dronewatch.sapient.ids import new_ulid, new_uuid
from feedkit import free_port, get, serve, stop, wait_for

ORIGIN = (51.556, -0.2796, 40.0)
SITE = f"""\
name: SAPIENT feed test
origin: {{lat: {ORIGIN[0]}, lon: {ORIGIN[1]}, alt_m: {ORIGIN[2]}}}
zones:
  - {{name: Compound, circle: {{lat: {ORIGIN[0]}, lon: {ORIGIN[1]}, radius_m: 60}}, severity: critical}}
thresholds: {{min_track_age_s: 1.0}}
"""
L = messages.location_pb2


def envelope(node_id: str) -> messages.SapientMessage:
    msg = messages.SapientMessage(node_id=node_id)
    msg.timestamp.CopyFrom(messages.timestamp(time.time()))
    return msg


def registration(node_id: str) -> messages.SapientMessage:
    msg = envelope(node_id)
    reg = msg.registration
    reg.icd_version = "BSI Flex 335 v2.0"
    reg.name = "test radar"
    reg.node_definition.add(node_type=messages.registration_pb2.Registration.NODE_TYPE_RADAR)
    return msg


def status(node_id: str) -> messages.SapientMessage:
    msg = envelope(node_id)
    st = msg.status_report
    st.report_id = new_ulid()
    st.system = messages.status_report_pb2.StatusReport.SYSTEM_OK
    st.info = messages.status_report_pb2.StatusReport.INFO_NEW
    st.mode = "default"
    st.node_location.x, st.node_location.y, st.node_location.z = ORIGIN[1], ORIGIN[0], ORIGIN[2]
    st.node_location.coordinate_system = L.LOCATION_COORDINATE_SYSTEM_LAT_LNG_DEG_M
    st.node_location.datum = L.LOCATION_DATUM_WGS84_E
    return msg


def detection(node_id: str, object_id: str, lat: float, lon: float, alt: float, cls: str, sub: str | None,
              speed: tuple[float, float]) -> messages.SapientMessage:
    msg = envelope(node_id)
    d = msg.detection_report
    d.report_id, d.object_id = new_ulid(), object_id
    d.location.x, d.location.y, d.location.z = lon, lat, alt
    d.location.x_error = d.location.y_error = 2e-5
    d.location.coordinate_system = L.LOCATION_COORDINATE_SYSTEM_LAT_LNG_DEG_M
    d.location.datum = L.LOCATION_DATUM_WGS84_E
    d.enu_velocity.east_rate, d.enu_velocity.north_rate = speed
    c = d.classification.add(type=cls, confidence=0.9)
    if sub:
        c.sub_class.add(type=sub, level=1, confidence=0.9)
    return msg


async def expect(reader: asyncio.StreamReader, kind: str) -> messages.SapientMessage:
    msg = await asyncio.wait_for(framing.read_message(reader), 10)
    assert msg is not None and messages.content_kind(msg) == kind, msg
    return msg


async def edge_node(port: int, base: str) -> dict[str, Any]:
    node = new_uuid()
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    await framing.write_message(writer, registration(node))
    ack = await expect(reader, "registration_ack")
    assert ack.registration_ack.acceptance and ack.destination_id == node
    await framing.write_message(writer, status(node))
    frame = SiteFrame(*ORIGIN)
    drone, human = new_ulid(), new_ulid()
    # Two targets walk east at 1.5 m/s from 75 m west of the centre into the 60 m zone.
    for k in range(50):
        e = -75.0 + 1.5 * k * 0.5
        for obj, north, cls, sub in ((drone, 0.0, "Air Vehicle", "UAV Rotary Wing"), (human, 30.0, "Human", None)):
            lat, lon, alt = frame.to_geodetic(e, north, 2.0 if obj == human else 15.0)
            await framing.write_message(writer, detection(node, obj, float(lat), float(lon), float(alt), cls, sub,
                                                          (1.5, 0.0)))
        await asyncio.sleep(0.5)
        alerts = await asyncio.to_thread(get, base + "/api/alerts")
        if any(a["cls"] == "drone" for a in alerts) and k >= 30:
            break
    alerts = await asyncio.to_thread(get, base + "/api/alerts")
    tracks_before = await asyncio.to_thread(get, base + "/api/tracks")

    # 1. a frame whose body is not a SapientMessage
    writer.write(struct.pack("<I", 5) + b"\xff\xff\xff\xff\xff")
    err1 = await expect(reader, "error")
    # 2. a detection from a node that never registered
    await framing.write_message(writer, detection(new_uuid(), new_ulid(), ORIGIN[0], ORIGIN[1], 50.0, "Air Vehicle",
                                                  "UAV Fixed Wing", (0.0, 0.0)))
    err2 = await expect(reader, "error")
    # 3. a truncated frame: a length prefix promising more than is sent, then silence
    writer.write(struct.pack("<I", 400) + b"\x0a\x0b")
    err3 = await expect(reader, "error")
    # The connection still works: a status report and a detection go through.
    await framing.write_message(writer, status(node))
    lat, lon, alt = frame.to_geodetic(0.0, 0.0, 15.0)
    await framing.write_message(writer, detection(node, drone, float(lat), float(lon), float(alt), "Air Vehicle",
                                                  "UAV Rotary Wing", (0.0, 0.0)))
    await asyncio.sleep(1.5)
    # A second peer that drops mid-frame costs only its own connection.
    _r2, w2 = await asyncio.open_connection("127.0.0.1", port)
    w2.write(struct.pack("<I", 100) + b"\x0a")
    await w2.drain()
    w2.close()
    await asyncio.sleep(0.5)
    await framing.write_message(writer, status(node))
    health = await asyncio.to_thread(get, base + "/api/health")
    sensors = await asyncio.to_thread(get, base + "/api/sensors")
    tracks_after = await asyncio.to_thread(get, base + "/api/tracks")
    writer.close()
    return {"node": node, "alerts": alerts, "tracks_before": tracks_before, "tracks_after": tracks_after,
            "errors": [e.error.error_message[0] for e in (err1, err2, err3)], "health": health,
            "sensors": sensors,
            "packets": [e.error.packet for e in (err1, err2, err3)]}


def test_sapient_edge_node_end_to_end(tmp_path: Path) -> None:
    site = tmp_path / "site.yaml"
    site.write_text(SITE)
    port = free_port()
    proc = None
    try:
        proc, base = serve(site, tmp_path, "--sapient-listen", f"127.0.0.1:{port}")
        wait_for(lambda: get(base + "/api/health")["ingest"]["inputs"][0]["connected"], 20, "the SAPIENT listener")
        out = asyncio.run(edge_node(port, base))
    finally:
        if proc is not None:
            stop(proc)
    drone_alerts = [a for a in out["alerts"] if a["cls"] == "drone" and a["zone"] == "Compound"]
    assert drone_alerts, out["alerts"]
    assert all(a["cls"] == "drone" for a in out["alerts"])  # the walking Human never alerts
    assert len(out["tracks_before"]) >= 2
    classes = {t["cls"] for t in out["tracks_before"]}
    assert "drone" in classes and classes <= {"drone", "unknown"}
    assert out["errors"][0].startswith("malformed message")
    assert out["errors"][1].startswith("node not registered")
    assert out["errors"][2].startswith("truncated frame")
    assert out["packets"][0] == b"\xff" * 5 and out["packets"][2].startswith(struct.pack("<I", 400))
    sap = out["health"]["ingest"]["inputs"][0]
    assert sap["errors"]["malformed message"] == 1 and sap["errors"]["node not registered"] == 1
    assert sap["errors"]["truncated frame"] == 1 and sap["errors"]["truncated (peer closed mid-frame)"] == 1
    assert sap["accepted"]["registration"] == 1 and sap["accepted"]["status_report"] == 3
    assert sap["accepted"]["detection_report"] >= 2 * 31 + 1
    assert sap["connections"] == 2 and sap["open_connections"] == 1  # the first survived all of it
    node = next(s for s in out["health"]["ingest"]["sensors"] if s.get("sapient_node") == out["node"])
    assert node["state"] == "OK" and node["name"] == "test radar" and node["health"] == "ok"
    # The edge node is a sensor of the site, where its status report placed it.
    placed = next(s for s in out["sensors"]["sensors"] if s["id"] == f"sapient-{out['node']}")
    assert (placed["lat"], placed["lon"]) == (ORIGIN[0], ORIGIN[1])
    assert (placed["kind"], placed["source"], placed["health"]) == ("radar", "sapient", "ok")
    point = next(f for f in out["sensors"]["geojson"]["features"] if f["properties"]["id"] == placed["id"])
    assert point["geometry"]["coordinates"] == [ORIGIN[1], ORIGIN[0]]
    assert len(out["tracks_after"]) >= 1  # the tracks survived the bad input
    drone_track = [t for t in out["tracks_after"] if t["cls"] == "drone"]
    assert drone_track
