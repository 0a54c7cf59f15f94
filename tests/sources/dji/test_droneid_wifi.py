"""DJI DroneID Wi-Fi element, on the spoofer capture (shared/data/remoteid/MANIFEST.md)."""

from __future__ import annotations

from pathlib import Path

import pytest

from dronewatch.sources.dji.droneid_wifi import (
    DjiReceived,
    DjiTelemetry,
    decode_droneid_ie,
    encode_telemetry_ie,
)
from dronewatch.sources.errors import DecodeError
from dronewatch.sources.remoteid.links import decode_link

from .conftest import load

# first frame: mac, beacons, serial, lat raw, lon raw, alt, height, (vn, ve, vup), yaw, product
EXPECTED = {
    120: (
        "60:60:1f:29:77:cc",
        6,
        "EPUGT0787GWS5II6",
        8173380,
        1336922,
        89,
        228,
        (3600, 3400, 1000),
        7600,
        220,
    ),
    124: (
        "60:60:1f:85:44:2b",
        8,
        "GJHRZQBW4L0WPHXW",
        8166399,
        1335177,
        65,
        202,
        (1200, 1900, 900),
        4800,
        226,
    ),
    129: ("60:60:1f:bf:e8:6b", 7, "BBKZATV4664B65TB", 8161163, 1333432, 2, 164, (3100, 3000, 500), -1400, 51),
    142: (
        "60:60:1f:4f:8b:4a",
        14,
        "Q3ZCLBMYUSC6SB9Q",
        8161163,
        1333432,
        109,
        456,
        (3200, 3400, 0),
        -14700,
        176,
    ),
    150: (
        "60:60:1f:32:86:af",
        6,
        "WG1XFYPUNJMYKEYY",
        8169889,
        1333432,
        31,
        51,
        (3000, 1400, 2100),
        17500,
        71,
    ),
    156: ("60:60:1f:46:a5:5e", 3, "I1ERE52A762R9PJL", 8164653, 1331686, 31, 271, (200, 1200, 600), 16200, 40),
    159: (
        "60:60:1f:e6:a3:30",
        4,
        "0AWDEIX5AAF9XSEH",
        8176871,
        1329941,
        79,
        130,
        (3600, 4300, 4900),
        6200,
        131,
    ),
    173: ("60:60:1f:f7:9d:e4", 3, "JTRQ94VP1VDMN97N", 8169889, 1340413, 1, 384, (0, 2900, 4600), 15900, 201),
    176: ("60:60:1f:b1:18:68", 2, "CMGGM3FVE4XK35H0", 8161163, 1343904, 57, 200, (1700, 200, 800), -9500, 94),
    178: (
        "60:60:1f:94:17:79",
        4,
        "J12WUNOUTGGHJ3TH",
        8164653,
        1342158,
        63,
        336,
        (3300, 4700, 3200),
        14000,
        171,
    ),
    187: (
        "60:60:1f:ff:8f:50",
        5,
        "PR18SCQ3YUPY27O4",
        8173380,
        1335177,
        90,
        351,
        (4900, 4500, 2000),
        5200,
        89,
    ),
    196: (
        "60:60:1f:49:d6:71",
        6,
        "VTV9QAE2GLDZDRQL",
        8171635,
        1335177,
        138,
        360,
        (4300, 4600, 1100),
        -2100,
        211,
    ),
    202: (
        "60:60:1f:50:8f:c8",
        3,
        "1ZI49SIXHGWTKENO",
        8169889,
        1340413,
        116,
        260,
        (3900, 4800, 800),
        8700,
        175,
    ),
    205: ("60:60:1f:99:66:dd", 4, "3K623Z53XI7WUSO8", 8161163, 1335177, 70, 330, (700, 0, 800), -14400, 125),
    215: (
        "60:60:1f:09:3a:16",
        2,
        "TOTUS6QAD0WWBCHO",
        8164653,
        1335177,
        139,
        103,
        (3700, 2300, 3500),
        -12900,
        17,
    ),
}


def test_spoofed_mavic_capture(captures: Path) -> None:
    seen: dict[str, list[tuple[int, DjiTelemetry]]] = {}
    for i, f in enumerate(load(captures, "mavic_multiple_spoofed.pcapng")):
        for d in decode_link(f.link, f.data):
            assert isinstance(d, DjiReceived) and isinstance(d.record, DjiTelemetry) and d.mac
            seen.setdefault(d.mac, []).append((i + 1, d.record))
    assert sum(len(v) for v in seen.values()) == 77 and len(seen) == 15
    for first, (mac, count, serial, lat_raw, lon_raw, alt, height, vel, yaw, product) in EXPECTED.items():
        frames = seen[mac]
        assert frames[0][0] == first and len(frames) == count
        t = frames[0][1]
        assert (t.version, t.sequence, t.state_info, t.serial) == (2, 1613, 0x1F33, serial)
        assert t.lat == pytest.approx(lat_raw / 174533.0, abs=1e-9)
        assert t.lon == pytest.approx(lon_raw / 174533.0, abs=1e-9)
        assert 46.76 - 1e-4 <= t.lat <= 46.85 + 1e-4 and 7.62 - 1e-4 <= t.lon <= 7.70 + 1e-4
        assert (t.altitude_raw, t.height_raw, (t.v_north_raw, t.v_east_raw, t.v_up_raw)) == (alt, height, vel)
        assert (t.yaw_raw, t.product_type) == (yaw, product)
        assert t.uuid in (
            "",
            "\0",
        )  # the spoofer's 2-byte UUID length: a strict decoder sees length 7, NUL first
    t120 = seen["60:60:1f:29:77:cc"][0][1]
    assert (t120.pilot_lat, t120.pilot_lon) == (
        pytest.approx(70.654260, abs=1e-4),
        pytest.approx(170.632476, abs=1e-4),
    )
    assert (t120.home_lon, t120.home_lat) == (
        pytest.approx(-12.873342, abs=1e-4),
        pytest.approx(-61.353165, abs=1e-4),
    )
    assert t120.gps_time_raw == 477918568


def test_encode_decode_roundtrip() -> None:
    t = DjiTelemetry(
        version=2,
        sequence=5,
        state_info=0x1F33,
        serial="1581F6N8A23B2ML3",
        lat=46.8,
        lon=7.6,
        altitude_raw=120,
        height_raw=80,
        v_north_raw=-300,
        v_east_raw=150,
        v_up_raw=10,
        yaw_raw=-9000,
        gps_time_raw=123,
        pilot_lat=46.79,
        pilot_lon=7.61,
        home_lat=46.78,
        home_lon=7.62,
        product_type=68,
        uuid="1234567",
    )
    ie = encode_telemetry_ie(t)
    got = decode_droneid_ie(ie[2:])
    assert isinstance(got, DjiTelemetry)
    assert got.serial == t.serial and got.uuid == t.uuid and got.yaw_deg == -90.0
    assert got.lat == pytest.approx(46.8, abs=1e-5) and got.pilot_lon == pytest.approx(
        7.61, abs=1e-5
    )  # 1 raw = 5.7e-6°
    for cut in range(len(ie) - 2):
        with pytest.raises(DecodeError):
            decode_droneid_ie(ie[2 : 2 + cut])


def test_flight_purpose_record() -> None:
    from dronewatch.sources.dji.droneid_wifi import DJI_PREFIX, SUB_PURPOSE, DjiPurpose

    rec = bytes([1]) + (7).to_bytes(2, "little") + b"1581F6N8A23B2ML3" + bytes([6]) + b"PILOT1\0\0\0\0"
    rec += bytes([11]) + b"Inspection!" + bytes(89)
    got = decode_droneid_ie(DJI_PREFIX + bytes([SUB_PURPOSE]) + rec)
    assert got == DjiPurpose(
        version=1, sequence=7, serial="1581F6N8A23B2ML3", drone_id="PILOT1", purpose="Inspection!"
    )
    with pytest.raises(DecodeError, match="subcommand"):
        decode_droneid_ie(DJI_PREFIX + b"\x12" + rec)
