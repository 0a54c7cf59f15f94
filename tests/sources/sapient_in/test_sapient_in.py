"""SAPIENT in: taxonomy, detections to Reports (location and range/bearing), and bad input to
the decoder and to a live listener on 127.0.0.1 (Error replies, counted, connection kept)."""

from __future__ import annotations

import asyncio
import random
import struct
import time

import pymap3d
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dronewatch.model import Frame, Geodetic
from dronewatch.sapient import framing, messages
from dronewatch.sapient.ids import new_ulid, new_uuid
from dronewatch.sources.errors import DecodeError
from dronewatch.sources.sapient.decoder import SapientDecoder
from dronewatch.sources.sapient.listener import SapientListener
from dronewatch.sources.sapient.taxonomy import class_hint

L = messages.location_pb2
RB = messages.range_bearing_pb2
NODE = (51.5, -0.12, 30.0)


def _classes(*entries: tuple[str, float, list[str]]) -> list[messages.DetectionReport.DetectionReportClassification]:
    d = messages.DetectionReport()
    for cls, conf, subs in entries:
        c = d.classification.add(type=cls, confidence=conf)
        for s in subs:
            c.sub_class.add(type=s, level=1, confidence=0.5)
    return list(d.classification)


@pytest.mark.parametrize(
    ("entries", "cls", "conf"),
    [
        ((("Air Vehicle", 0.9, ["UAV Rotary Wing"]),), "drone", 0.45),
        ((("Air Vehicle", 0.8, ["UAV Fixed Wing"]),), "drone", 0.4),
        ((("Air Vehicle", 1.0, ["Fixed Wing"]),), "aircraft", 0.5),
        ((("Animal", 0.7, ["Bird"]),), "bird", 0.7),
        ((("Human", 0.99, []),), None, None),
        ((("Vehicle", 0.99, ["Car"]),), None, None),
        ((("Air Vehicle", 0.9, []),), None, None),
        ((("Human", 0.9, []), ("Air Vehicle", 0.6, ["UAV Rotary Wing"])), "drone", 0.3),
    ],
)
def test_taxonomy(entries: tuple[tuple[str, float, list[str]], ...], cls: str | None, conf: float | None) -> None:
    hint = class_hint(_classes(*entries))
    if cls is None:
        assert hint is None
    else:
        assert hint is not None and hint.cls == cls and hint.confidence == pytest.approx(conf)


def _env(node: str, t: float = 1.7e9) -> messages.SapientMessage:
    m = messages.SapientMessage(node_id=node)
    m.timestamp.CopyFrom(messages.timestamp(t))
    return m


def _registered(decoder: SapientDecoder, node: str) -> None:
    reg = _env(node)
    reg.registration.icd_version = "BSI Flex 335 v2.0"
    reg.registration.node_definition.add(node_type=messages.registration_pb2.Registration.NODE_TYPE_CAMERA)
    st_ = _env(node)
    st_.status_report.report_id = new_ulid()
    loc = st_.status_report.node_location
    loc.x, loc.y, loc.z = NODE[1], NODE[0], NODE[2]
    loc.coordinate_system, loc.datum = L.LOCATION_COORDINATE_SYSTEM_LAT_LNG_DEG_M, L.LOCATION_DATUM_WGS84_E
    for m in (reg, st_):
        assert decoder(Frame(sensor_id="s", received_at=1.7e9, link="sapient", data=m.SerializeToString())) == []


def test_range_bearing_detection_from_the_node_position() -> None:
    decoder, node = SapientDecoder(), new_uuid()
    _registered(decoder, node)
    m = _env(node)
    d = m.detection_report
    d.report_id, d.object_id = new_ulid(), new_ulid()
    rb = d.range_bearing
    rb.range, rb.azimuth, rb.elevation = 1.2, 45.0, 5.0  # km, degrees
    rb.range_error, rb.azimuth_error = 0.01, 0.5
    rb.coordinate_system, rb.datum = RB.RANGE_BEARING_COORDINATE_SYSTEM_DEGREES_KM, RB.RANGE_BEARING_DATUM_TRUE
    d.classification.add(type="Air Vehicle", confidence=1.0).sub_class.add(type="UAV Rotary Wing", level=1)
    [rep] = decoder(Frame(sensor_id="s", received_at=1.7e9 + 0.2, link="sapient", data=m.SerializeToString()))
    want = pymap3d.aer2geodetic(45.0, 5.0, 1200.0, *NODE)
    assert isinstance(rep.measurement, Geodetic)
    assert (rep.measurement.lat, rep.measurement.lon, rep.measurement.alt_m) == pytest.approx(want, abs=1e-7)
    assert rep.measurement.h_sigma_m == pytest.approx(1200 * 0.5 * 3.14159265 / 180, rel=1e-3)
    assert rep.sensor_kind == "camera" and rep.sensor_id == f"sapient-{node}"
    assert rep.class_hint is not None and rep.class_hint.cls == "drone"
    assert rep.measured_at == 1.7e9 and rep.received_at == 1.7e9 + 0.2


def test_unregistered_and_bearing_only_are_rejected() -> None:
    decoder, node = SapientDecoder(), new_uuid()
    m = _env(node)
    m.detection_report.report_id = new_ulid()
    with pytest.raises(DecodeError, match="unregistered"):
        decoder(Frame(sensor_id="s", received_at=1.7e9, link="sapient", data=m.SerializeToString()))
    _registered(decoder, node)
    m.detection_report.range_bearing.azimuth = 10.0
    m.detection_report.range_bearing.coordinate_system = RB.RANGE_BEARING_COORDINATE_SYSTEM_DEGREES_M
    m.detection_report.range_bearing.datum = RB.RANGE_BEARING_DATUM_TRUE
    with pytest.raises(DecodeError, match="bearing-only"):
        decoder(Frame(sensor_id="s", received_at=1.7e9, link="sapient", data=m.SerializeToString()))


@settings(max_examples=400, deadline=None)
@given(st.binary(max_size=200))
def test_fuzz_decoder(body: bytes) -> None:
    decoder, node = SapientDecoder(), new_uuid()
    _registered(decoder, node)
    try:
        reports = decoder(Frame(sensor_id="s", received_at=1.7e9, link="sapient", data=body))
    except DecodeError:
        return
    assert len(reports) <= 1


def test_fuzz_listener_keeps_the_connection() -> None:
    """Hundreds of random and mutated frames on one connection: each gets an Error or is
    accepted, the connection stays open, a good registration still works at the end."""
    rng = random.Random(12)
    node = new_uuid()
    good = _env(node)
    good.registration.icd_version = "BSI Flex 335 v2.0"
    good.registration.node_definition.add(node_type=2)
    good_body = good.SerializeToString()

    async def run() -> tuple[SapientListener, int, messages.SapientMessage | None]:
        listener = SapientListener("t", "127.0.0.1", 0, frame_timeout_s=0.3)
        server = await asyncio.start_server(listener._handle, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        replies = 0
        for i in range(300):
            if i % 3 == 0:
                body = bytes(rng.getrandbits(8) for _ in range(rng.randrange(0, 60)))
            else:
                b = bytearray(good_body)
                for _ in range(rng.randrange(1, 4)):
                    b[rng.randrange(len(b))] = rng.getrandbits(8)
                body = bytes(b)
            writer.write(struct.pack("<I", len(body)) + body)
            await writer.drain()
            try:
                reply = await asyncio.wait_for(framing.read_message(reader), 2)
            except TimeoutError:
                reply = None
            assert reply is not None and messages.content_kind(reply) in ("error", "registration_ack")
            replies += 1
        await framing.write_message(writer, good)
        final = await asyncio.wait_for(framing.read_message(reader), 2)
        writer.close()
        server.close()
        return listener, replies, final

    listener, replies, final = asyncio.run(run())
    assert replies == 300
    assert final is not None and final.registration_ack.acceptance
    assert sum(listener.errors.values()) + listener.accepted["registration"] >= 300
    assert listener.open_connections == 0 or listener.connections == 1


def test_listener_over_size_frame_is_answered_and_the_stream_resumes() -> None:
    node = new_uuid()
    reg = _env(node, time.time())
    reg.registration.icd_version = "x"
    reg.registration.node_definition.add(node_type=2)

    async def run() -> list[str]:
        listener = SapientListener("t", "127.0.0.1", 0, frame_timeout_s=0.2, max_frame=1000)
        server = await asyncio.start_server(listener._handle, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(struct.pack("<I", 10**8) + b"junk" * 10)
        first = await asyncio.wait_for(framing.read_message(reader), 3)
        await asyncio.sleep(0.4)
        await framing.write_message(writer, reg)
        second = await asyncio.wait_for(framing.read_message(reader), 3)
        writer.close()
        server.close()
        assert first is not None and second is not None
        return [messages.content_kind(first) or "", messages.content_kind(second) or ""]

    assert asyncio.run(run()) == ["error", "registration_ack"]
