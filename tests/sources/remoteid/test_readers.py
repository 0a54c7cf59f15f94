"""Live input plumbing: UDP on 127.0.0.1, HCI event parsing, MAVLink field conversion."""

from __future__ import annotations

import socket

import pytest

import dronewatch.sources.remoteid  # noqa: F401
from dronewatch.sources.errors import DecodeError
from dronewatch.sources.frames import decode_frame
from dronewatch.sources.remoteid import messages as m
from dronewatch.sources.remoteid.encode import encode_message_pack
from dronewatch.sources.remoteid.hci import adv_reports, passive_scan_commands
from dronewatch.sources.remoteid.links import decode_link
from dronewatch.sources.remoteid.mavlink import to_odid
from dronewatch.sources.remoteid.readers import udp_frames

AT = 1763900000.0


def test_udp_reader_on_loopback() -> None:
    rx = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    rx.bind(("127.0.0.1", 0))
    rx.settimeout(5)
    pack = encode_message_pack(serial="UDP1", lat=1.0, lon=2.0, alt_hae_m=10.0, at=AT)
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as tx:
        tx.sendto(pack, rx.getsockname())
    frame = next(udp_frames(rx, "udp-test", now=lambda: AT + 0.5))
    rx.close()
    assert (frame.link, frame.data, frame.received_at) == ("odid-pack", pack, AT + 0.5)
    (rep,) = decode_frame(frame)
    assert rep.identity is not None and rep.identity.value == "UDP1"


def test_hci_reports() -> None:
    basic = m.encode_message(m.BasicId(2, 1, 2, "HCI123"))
    ad = bytes([30, 0x16, 0xFA, 0xFF, 0x0D, 5]) + basic
    addr = bytes.fromhex("010203040506")
    report = bytes([0x03, 0x01]) + addr + bytes([len(ad)]) + ad + bytes([0xC0])
    body = bytes([0x02, 1]) + report
    event = bytes([0x04, 0x3E, len(body)]) + body
    (payload,) = adv_reports(event)
    (rx,) = decode_link("odid-ble", payload)
    assert rx.mac == "06:05:04:03:02:01" and rx.messages[0].uas_id == "HCI123" and rx.transport == "bt4"
    ext = (
        bytes([0x10, 0x00, 0x01])
        + addr
        + bytes([1, 3, 0xFF, 0x7F, 0xC0, 0, 0, 0])
        + bytes(6)
        + bytes([len(ad)])
        + ad
    )
    ebody = bytes([0x0D, 1]) + ext
    (payload2,) = adv_reports(bytes([0x04, 0x3E, len(ebody)]) + ebody)
    assert payload2 == payload
    with pytest.raises(DecodeError):
        adv_reports(event[:-5])
    assert all(cmd[0] == 0x01 for cmd in passive_scan_commands(True) + passive_scan_commands(False))
    assert passive_scan_commands()[0][4] == 0  # scan type 0: passive, nothing is transmitted


def test_mavlink_location_conversion() -> None:
    fields = dict(
        status=2,
        height_reference=0,
        direction=36100,
        speed_horizontal=1250,
        speed_vertical=-150,
        latitude=473977000,
        longitude=85456000,
        altitude_barometric=-1000.0,
        altitude_geodetic=512.5,
        height=60.0,
        horizontal_accuracy=11,
        vertical_accuracy=4,
        barometer_accuracy=0,
        speed_accuracy=3,
        timestamp=1373.5,
        timestamp_accuracy=1,
    )
    loc = m.decode_message(to_odid("OPEN_DRONE_ID_LOCATION", fields))
    assert isinstance(loc, m.Location)
    assert (loc.direction_deg, loc.speed_mps, loc.vspeed_mps, loc.baro_alt_m, loc.geo_alt_m) == (
        None,
        12.5,
        -1.5,
        None,
        512.5,
    )
    assert (loc.lat, loc.lon, loc.h_accuracy_m, loc.timestamp_s) == (47.3977, 8.5456, 3.0, 1373.5)
    pack = to_odid(
        "OPEN_DRONE_ID_MESSAGE_PACK",
        dict(single_message_size=25, msg_pack_size=1, messages=list(m.encode_location(loc)) + [0] * 200),
    )
    assert m.decode_pack(pack) == [loc]
    with pytest.raises(DecodeError):
        to_odid("OPEN_DRONE_ID_LOCATION", {"status": 1})
