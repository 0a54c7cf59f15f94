"""ODID over Wi-Fi NAN, on the real capture (odid_wifi_sample.pcap, MANIFEST.md)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from dronewatch.sources.remoteid import messages as m
from dronewatch.sources.remoteid.dot11 import parse_mgmt
from dronewatch.sources.remoteid.wifi_nan import decode_nan, encode_nan_frame

from .test_wifi_beacon import odid


def test_wifi_sample_nan_and_beacon(captures: Path) -> None:
    got = odid(captures, "odid_wifi_sample.pcap")
    assert Counter(r.transport for _, r in got) == {"wifi-nan": 21, "wifi-beacon": 21}
    assert all(len(r.messages) == 1 and r.messages[0].version == 0 for _, r in got)
    assert {r.counter for _, r in got} <= set(range(34, 57))
    kinds = Counter(type(r.messages[0]).__name__ for _, r in got)
    assert kinds == {"Location": 31, "System": 4, "SelfId": 4, "OperatorId": 3}
    assert Counter(r.transport for _, r in got if isinstance(r.messages[0], m.Location)) == {
        "wifi-nan": 16,
        "wifi-beacon": 15,
    }
    by_frame = dict(got)
    for n in (2, 3):
        op = by_frame[n].messages[0]
        assert (by_frame[n].counter, op.operator_id_type, op.operator_id) == (34, 0, "GBR-OP-123ABCD")
    assert by_frame[2].transport == "wifi-nan" and by_frame[3].transport == "wifi-beacon"
    for n in (5, 6):
        loc = by_frame[n].messages[0]
        assert (loc.lat, loc.lon) == (
            pytest.approx(45.5450519, abs=1e-7),
            pytest.approx(-122.9722906, abs=1e-7),
        )
        assert (loc.direction_deg, loc.speed_mps, loc.vspeed_mps, loc.geo_alt_m, loc.height_m) == (
            288.0,
            20.5,
            None,
            237.0,
            100.0,
        )
    assert by_frame[20].messages[0] == m.SelfId(version=0, description_type=0, text="Recreational")
    system = by_frame[29].messages[0]
    assert (
        system.operator_lat,
        system.area_count,
        system.area_radius_m,
        system.ua_category,
        system.ua_class,
    ) == (pytest.approx(45.5443876, abs=1e-7), 1, 500.0, 1, 5)
    last = by_frame[63].messages[0]
    assert (last.lat, last.lon, last.direction_deg) == (
        pytest.approx(45.5448998, abs=1e-7),
        pytest.approx(-122.9722283, abs=1e-7),
        121.0,
    )
    locs = {(r.messages[0].lat, r.messages[0].lon) for _, r in got if isinstance(r.messages[0], m.Location)}
    assert len(locs) == 17


def test_encode_nan_frame_roundtrip() -> None:
    op = m.OperatorId(version=2, operator_id_type=0, operator_id="FIN87astrdge12kxyz8")
    frame = encode_nan_frame(m.encode_pack([op]), bytes.fromhex("020000000002"), counter=200)
    (rx,) = decode_nan(parse_mgmt(frame))
    assert (rx.transport, rx.counter, rx.messages) == ("wifi-nan", 200, (op,))
