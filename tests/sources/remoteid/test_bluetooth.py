"""ODID over Bluetooth LE: the BT5 Long Range capture (MANIFEST.md) and BT4 legacy encodings."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from dronewatch.sources.errors import DecodeError
from dronewatch.sources.remoteid import messages as m
from dronewatch.sources.remoteid.bluetooth import decode_hci_payload, decode_ll, encode_hci_payload
from dronewatch.sources.remoteid.links import decode_link

from .conftest import load

BAD_CRC = {
    8,
    9,
    17,
    21,
    22,
    23,
    43,
    46,
    58,
    59,
    76,
    81,
    82,
    84,
    86,
    89,
    90,
    91,
    92,
    93,
    117,
    120,
    123,
    124,
    128,
    198,
    204,
    261,
    270,
    271,
}


def test_bt5_long_range(captures: Path) -> None:
    frames = load(captures, "odid_bt5_lr_sample.pcapng")
    assert len(frames) == 274 and frames[0].link == "odid-ble-nordic"
    rejected, got = set(), {}
    for i, f in enumerate(frames):
        try:
            (got[i + 1],) = decode_link(f.link, f.data)
        except DecodeError as err:
            assert err.reason == "bad CRC"
            rejected.add(i + 1)
    assert rejected == BAD_CRC
    assert {r.transport for r in got.values()} == {"bt5"} and {r.mac for r in got.values()} == {
        "e0:7d:ea:eb:2f:1c"
    }
    assert got[1].counter == 12 and got[1].messages == ()
    sizes = Counter(len(r.messages) for r in got.values())
    assert sizes == {0: 19, 1: 3, 2: 6, 3: 9, 4: 8, 5: 199}
    assert min(n for n, r in got.items() if len(r.messages) == 5) == 54
    totals = Counter(type(x).__name__ for r in got.values() for x in r.messages)
    assert totals == {"BasicId": 225, "Location": 222, "SelfId": 216, "System": 207, "OperatorId": 199}
    basic = got[26].messages[0]
    assert (basic.id_type, basic.ua_type, basic.uas_id) == (1, 2, "SSEVTFG93700070")
    loc = got[29].messages[1]
    assert m.encode_location(loc).hex() == "1023b5ff7e000000000000000062070000cf07005000000100"
    assert (loc.status, loc.lat, loc.lon, loc.direction_deg, loc.speed_mps) == (2, None, None, None, None)
    all_locs = [x for r in got.values() for x in r.messages if isinstance(x, m.Location)]
    assert {x.baro_alt_m for x in all_locs} == {-55.0, -54.5} and {x.height_m for x in all_locs} == {
        -0.5,
        0.0,
    }
    assert got[35].messages[2].text == "Drone ID demo"
    assert got[54].messages[4].operator_id == "FIN87astrdge12kxyz8"
    system = got[45].messages[3]
    assert (
        system.operator_lat,
        system.area_count,
        system.area_radius_m,
        system.ua_category,
        system.ua_class,
    ) == (None, 1, 0.0, 1, 1)


def test_bt4_legacy_single_message() -> None:
    basic = m.BasicId(version=2, id_type=1, ua_type=2, uas_id="1581F6N8A23B2ML3Y3KR")
    data = encode_hci_payload(m.encode_message(basic), counter=9, mac=bytes.fromhex("c0ffee000001"))
    assert len(data) <= 37  # fits a legacy advertisement: AdvA + 31 bytes
    (rx,) = decode_hci_payload(data)
    assert (rx.transport, rx.mac, rx.counter, rx.messages) == ("bt4", "c0:ff:ee:00:00:01", 9, (basic,))
    # the same as a link-layer ADV_NONCONN_IND on an advertising channel
    pdu = data
    ll = bytes.fromhex("d6be898e") + bytes([0x42, len(pdu)]) + pdu + b"\0\0\0"
    (rx2,) = decode_ll(ll)
    assert rx2.messages == (basic,) and rx2.transport == "bt4"


def test_truncated_ble_raises_decode_error(captures: Path) -> None:
    frame = load(captures, "odid_bt5_lr_sample.pcapng")[60]
    for cut in range(0, len(frame.data), 7):
        with pytest.raises(DecodeError) as err:
            decode_link(frame.link, frame.data[:cut])
        assert err.value.reason != "decoder fault"
