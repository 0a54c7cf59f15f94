"""SAPIENT framing (4-byte little-endian length + SapientMessage) and field-option validation."""

from __future__ import annotations

import asyncio
import struct

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dronewatch.sapient import framing, messages, validate
from dronewatch.sapient.ids import new_ulid, new_uuid


def detection(object_id: str | None = None) -> messages.SapientMessage:
    msg = messages.SapientMessage(node_id=new_uuid())
    msg.timestamp.CopyFrom(messages.timestamp(1_700_000_000.5))
    d = msg.detection_report
    d.report_id = new_ulid()
    d.object_id = object_id or new_ulid()
    d.location.x, d.location.y, d.location.z = -1.5, 51.2, 80.0
    d.location.coordinate_system = messages.location_pb2.LOCATION_COORDINATE_SYSTEM_LAT_LNG_DEG_M
    d.location.datum = messages.location_pb2.LOCATION_DATUM_WGS84_E
    c = d.classification.add(type="Air Vehicle", confidence=0.9)
    c.sub_class.add(type="UAV Rotary Wing", level=1, confidence=0.8)
    return msg


def stream(*chunks: bytes, eof: bool = True) -> asyncio.StreamReader:
    reader = asyncio.StreamReader()
    for c in chunks:
        reader.feed_data(c)
    if eof:
        reader.feed_eof()
    return reader


def test_frame_is_little_endian_length_then_message() -> None:
    msg = detection()
    frame = framing.encode(msg)
    (length,) = struct.unpack("<I", frame[:4])
    assert length == len(frame) - 4
    assert framing.decode(frame[4:]) == msg
    assert messages.epoch(framing.decode(frame[4:]).timestamp) == 1_700_000_000.5


def test_read_messages_until_clean_end() -> None:
    a, b = detection(), detection()

    async def run() -> list[messages.SapientMessage | None]:
        r = stream(framing.encode(a) + framing.encode(b)[:7], framing.encode(b)[7:])
        return [await framing.read_message(r) for _ in range(3)]

    assert asyncio.run(run()) == [a, b, None]


def test_write_then_read_over_a_real_socket() -> None:
    msg = detection()

    async def run() -> messages.SapientMessage | None:
        got: asyncio.Future[messages.SapientMessage | None] = asyncio.get_running_loop().create_future()

        async def handle(r: asyncio.StreamReader, w: asyncio.StreamWriter) -> None:
            got.set_result(await framing.read_message(r))
            w.close()

        server = await asyncio.start_server(handle, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        _, w = await asyncio.open_connection("127.0.0.1", port)
        await framing.write_message(w, msg)
        result = await asyncio.wait_for(got, 5)
        w.close()
        server.close()
        return result

    assert asyncio.run(run()) == msg


def test_peer_closing_inside_a_frame_is_truncated() -> None:
    frame = framing.encode(detection())

    async def run() -> framing.FrameTruncated:
        with pytest.raises(framing.FrameTruncated) as info:
            await framing.read_frame(stream(frame[:-3]))
        return info.value

    err = asyncio.run(run())
    assert err.reason == "truncated" and err.eof and err.data == frame[:-3]


def test_stall_inside_a_frame_drops_it_and_the_stream_goes_on() -> None:
    frame = framing.encode(detection())
    good = detection()

    async def run() -> tuple[framing.FrameTruncated, messages.SapientMessage | None]:
        r = stream(frame[:10], eof=False)
        with pytest.raises(framing.FrameTruncated) as info:
            await framing.read_frame(r, frame_timeout=0.05)
        r.feed_data(framing.encode(good))
        r.feed_eof()
        return info.value, await framing.read_message(r)

    err, after = asyncio.run(run())
    assert not err.eof and err.data == frame[:10] and "stalled" in err.detail
    assert after == good


def test_oversized_length_and_bad_bodies_are_named() -> None:
    async def too_large() -> None:
        await framing.read_frame(stream(struct.pack("<I", 1 << 30)), max_len=1 << 20)

    with pytest.raises(framing.FrameTooLarge) as info:
        asyncio.run(too_large())
    assert info.value.reason == "frame_too_large" and info.value.length == 1 << 30
    with pytest.raises(framing.MalformedMessage) as bad:
        framing.decode(b"\xff\xff\xff")
    assert bad.value.reason == "malformed_message"
    with pytest.raises(framing.MalformedMessage) as empty:
        framing.decode(messages.SapientMessage(node_id=new_uuid()).SerializeToString())
    assert empty.value.reason == "no_content"


def test_splitter_reassembles_any_pieces() -> None:
    msgs = [detection() for _ in range(3)]
    data = b"".join(framing.encode(m) for m in msgs)
    splitter = framing.FrameSplitter()
    bodies = [b for i in range(0, len(data), 5) for b in splitter.feed(data[i : i + 5])]
    assert [framing.decode(b) for b in bodies] == msgs
    assert splitter.pending == 0
    splitter.feed(data[:9])
    assert splitter.reset() == data[:9]


def test_validate_reads_the_standards_field_options() -> None:
    assert validate.problems(detection()) == []
    bad = detection(object_id="not-a-ulid")
    bad.node_id = "node-1"
    bad.detection_report.ClearField("location")
    bad.detection_report.classification[0].sub_class[0].ClearField("level")
    found = validate.problems(bad)
    assert "node_id: 'node-1' is not a UUID" in found
    assert "detection_report.object_id: 'not-a-ulid' is not a ULID" in found
    assert "detection_report.location_oneof: one of its fields must be set" in found
    assert "detection_report.classification[0].sub_class[0].level: mandatory field missing" in found
    assert validate.problems(messages.SapientMessage()) == [
        "content: one of its fields must be set",
        "timestamp: mandatory field missing",
        "node_id: mandatory field missing",
    ]


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=300))
def test_fuzz_decode_raises_only_frame_errors(body: bytes) -> None:
    try:
        msg = framing.decode(body)
    except framing.FrameError as exc:
        assert exc.reason in ("malformed_message", "no_content")
    else:
        assert messages.content_kind(msg) in messages.CONTENT_KINDS
        validate.problems(msg)  # never raises on whatever parsed


@settings(max_examples=200, deadline=None)
@given(st.lists(st.binary(max_size=40), max_size=8))
def test_fuzz_splitter_raises_only_frame_errors(pieces: list[bytes]) -> None:
    splitter = framing.FrameSplitter(max_len=4096)
    for p in pieces:
        try:
            for body in splitter.feed(p):
                assert len(body) <= 4096
        except framing.FrameTooLarge:
            splitter.reset()
