"""ODID over Wi-Fi Beacon, on the real captures (values from shared/data/remoteid/MANIFEST.md)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from dronewatch.sources.errors import DecodeError
from dronewatch.sources.remoteid import messages as m
from dronewatch.sources.remoteid.dot11 import parse_mgmt
from dronewatch.sources.remoteid.links import decode_link
from dronewatch.sources.remoteid.received import Received
from dronewatch.sources.remoteid.wifi_beacon import decode_beacon, encode_beacon_frame

from .conftest import load


def odid(captures: Path, name: str) -> list[tuple[int, Received]]:
    """(frame number, Received) for every ODID payload in a capture."""
    out = []
    for i, f in enumerate(load(captures, name)):
        out += [(i + 1, r) for r in decode_link(f.link, f.data) if isinstance(r, Received)]
    return out


def only(items: list, kind: type) -> object:
    found = [x for x in items if isinstance(x, kind)]
    assert len(found) == 1
    return found[0]


def test_bcn_sample(captures: Path) -> None:
    got = odid(captures, "odid_wifi_bcn_sample.pcap")
    assert len(got) == 21 and all(
        r.transport == "wifi-beacon" and r.mac == "84:cc:a8:60:43:24" for _, r in got
    )
    assert got[0][1].counter == 208
    assert all(
        [type(x) for x in r.messages] == [m.BasicId, m.Location, m.SelfId, m.System, m.OperatorId]
        for _, r in got
    )
    msgs = got[0][1].messages
    basic, loc, self_id, system, op = msgs
    assert (basic.id_type, basic.ua_type, basic.uas_id) == (0, 0, "MFG1A0123456789")
    assert (loc.lat, loc.lon) == (pytest.approx(45.5457468, abs=1e-7), pytest.approx(-122.9681496, abs=1e-7))
    assert (loc.status, loc.direction_deg, loc.speed_mps, loc.vspeed_mps) == (0, 92.0, 20.5, None)
    assert (loc.baro_alt_m, loc.geo_alt_m, loc.height_m, loc.height_type) == (None, 237.0, 100.0, 0)
    assert (loc.h_accuracy_m, loc.v_accuracy_m, loc.baro_accuracy_m, loc.speed_accuracy_mps) == (
        30.0,
        25.0,
        10.0,
        10.0,
    )
    assert (loc.timestamp_s, loc.timestamp_accuracy_s) == (0.0, 1.0)
    assert (self_id.description_type, self_id.text) == (0, "Recreational")
    assert (system.operator_lat, system.operator_lon) == (
        pytest.approx(45.5443876, abs=1e-7),
        pytest.approx(-122.9726866, abs=1e-7),
    )
    assert (system.classification_type, system.ua_category, system.ua_class, system.area_radius_m) == (
        1,
        1,
        5,
        500.0,
    )
    assert (op.operator_id_type, op.operator_id) == (0, "GBR-OP-123ABCD")
    last = got[-1][1].messages[1]
    assert (last.lat, last.lon, last.direction_deg) == (
        pytest.approx(45.5470818, abs=1e-7),
        pytest.approx(-122.9668346, abs=1e-7),
        280.0,
    )
    assert len({(r.messages[1].lat, r.messages[1].lon) for _, r in got}) == 16
    assert len({r.messages[1].direction_deg for _, r in got}) == 15


AIR3 = {  # frame: counter, location timestamp raw, system timestamp raw, operator lat, lon, alt
    1: (34, 13735, 182006573, 33.6632364, -82.1916647, 80.0),
    2: (46, 13760, 182006575, 33.6632315, -82.1916638, 80.0),
    3: (50, 13769, 182006576, 33.6632365, -82.1916651, 80.0),
    4: (54, 13779, 182006577, 33.6632357, -82.1916651, 80.0),
    5: (63, 13797, 182006579, 33.6632358, -82.1916579, 80.0),
    8: (70, 13811, 182006581, 33.6632363, -82.1916575, 79.5),
    9: (78, 13829, 182006582, 33.6632358, -82.1916485, 79.0),
    11: (82, 13837, 182006583, 33.6632349, -82.1916488, 79.0),
    12: (84, 13843, 182006584, 33.6632356, -82.1916486, 79.0),
}


def test_dji_air3_version2(captures: Path) -> None:
    got = dict(odid(captures, "dji_air3.pcapng"))
    assert sorted(got) == sorted(AIR3)
    for n, (counter, loc_ts, sys_ts, olat, olon, oalt) in AIR3.items():
        r = got[n]
        basic, loc, system = r.messages
        assert r.mac == "60:60:1f:71:93:3b" and r.counter == counter
        assert (basic.version, basic.id_type, basic.ua_type, basic.uas_id) == (
            2,
            1,
            2,
            "1581F6N8A23B2ML3Y3KR",
        )
        assert loc.timestamp_s == pytest.approx(loc_ts / 10)
        assert (loc.lat, loc.lon) == (
            pytest.approx(33.6652717, abs=1e-7),
            pytest.approx(-82.1918334, abs=1e-7),
        )
        assert loc.geo_alt_m == (82.0 if n <= 8 else 83.0)
        assert loc.speed_accuracy_mps == (1.0 if n >= 11 else 0.3)
        assert (loc.status, loc.direction_deg, loc.speed_mps, loc.vspeed_mps, loc.height_m) == (
            2,
            None,
            0.0,
            0.0,
            1.5,
        )
        assert system.timestamp_at == m.EPOCH_2019_AT + sys_ts
        assert (system.operator_lat, system.operator_lon, system.operator_alt_m) == (
            pytest.approx(olat, abs=1e-7),
            pytest.approx(olon, abs=1e-7),
            oalt,
        )


def test_parrot_busy_channel(captures: Path) -> None:
    got = odid(captures, "parrot_anafi4_real.pcapng")
    assert len(got) == 1140 and {r.mac for _, r in got} == {"90:3a:e6:5b:c8:a8"}
    sizes = Counter(len(r.messages) for _, r in got)
    assert sizes == {1: 755, 4: 385}
    locs = [(n, x) for n, r in got for x in r.messages if isinstance(x, m.Location)]
    assert locs[0][0] == 3 and locs[0][1].status == 1 and locs[0][1].timestamp_s == pytest.approx(929.1)
    assert sum(1 for _, x in locs if x.status == 1) == 15
    assert all(x.status == 2 for n, x in locs if n >= 95)
    assert all(x.geo_alt_m is None and x.baro_alt_m is None for _, x in locs)
    assert max(x.height_m for _, x in locs) == 11.0
    assert max(x.speed_mps for _, x in locs) == 2.0
    assert len({(x.lat, x.lon) for _, x in locs}) == 117
    last_n, last = locs[-1]
    assert last_n == 5090 and (last.lat, last.lon, last.direction_deg, last.height_m) == (
        pytest.approx(47.1987095, abs=1e-7),
        pytest.approx(8.7301826, abs=1e-7),
        4.0,
        0.0,
    )
    assert last.timestamp_s == pytest.approx(1052.1)
    first_pack = next(r for n, r in got if n == 95)
    basic, loc95, system, op = first_pack.messages
    assert (basic.id_type, basic.ua_type, basic.uas_id) == (1, 2, "1588E040445AC004418")
    assert (loc95.status, loc95.direction_deg) == (2, 84.0) and loc95.timestamp_s == pytest.approx(931.1)
    assert (loc95.lat, loc95.lon) == (pytest.approx(47.1987098, abs=1e-7), pytest.approx(8.7302366, abs=1e-7))
    assert (
        system.operator_location_type,
        system.classification_type,
        system.area_count,
        system.ua_class,
    ) == (1, 1, 0, 2)
    assert (op.operator_id_type, op.operator_id) == (0, "")


def test_encode_beacon_frame_roundtrip() -> None:
    loc = m.decode_location(bytes.fromhex("10026c527e979f251be6eab3b60000aa099808394100000a00"))
    pack = m.encode_pack([loc], version=2)
    frame = encode_beacon_frame(pack, bytes.fromhex("020000000001"), counter=7, ssid="x")
    (rx,) = decode_beacon(parse_mgmt(frame))
    assert (rx.mac, rx.counter, rx.messages) == ("02:00:00:00:00:01", 7, (loc,))


def test_truncated_beacons_raise_decode_error() -> None:
    frame = encode_beacon_frame(m.encode_pack([]), bytes(6), counter=1)
    for cut in range(len(frame)):
        try:
            decode_link("odid-wifi-beacon", frame[:cut])
        except DecodeError as err:
            assert err.reason != "decoder fault"
