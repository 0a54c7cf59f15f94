"""Per-aircraft aggregation: identity joins, randomised MACs, two transports, auth across frames."""

from __future__ import annotations

from pathlib import Path

from dronewatch.model import Frame, Geodetic
from dronewatch.sources.remoteid import messages as m
from dronewatch.sources.remoteid.assemble import Aggregator
from dronewatch.sources.remoteid.bluetooth import encode_hci_payload
from dronewatch.sources.remoteid.encode import aircraft_messages, encode_beacon_frame
from dronewatch.sources.remoteid.received import Received

from .conftest import load

AT = 1763900000.0
PLANE = dict(
    serial="1596A1234567890XYZ",
    lat=46.9,
    lon=7.4,
    alt_hae_m=600.0,
    at=AT,
    operator_lat=46.899,
    operator_lon=7.399,
)


def run(agg: Aggregator, frames: list[Frame]) -> list:
    out = []
    for f in frames:
        try:
            out += agg(f)
        except Exception as err:
            assert type(err).__name__ == "DecodeError"
    return out


def test_wifi_sample_nan_and_beacon_duplicates_dropped(captures: Path) -> None:
    agg = Aggregator()
    reports = run(agg, load(captures, "odid_wifi_sample.pcap"))
    (ac,) = agg.aircraft.values()
    assert ac.macs == {"84:cc:a8:60:43:24"} and ac.identity is None  # no Basic ID in this file
    assert ac.transports == {"wifi-nan": 21, "wifi-beacon": 21}
    assert sum(ac.counts.values()) + ac.duplicates == 42 and ac.duplicates > 0
    assert ac.counts["location"] == len(reports) == 17  # 17 distinct positions, each reported once
    assert all(r.operator is None or r.operator.lat == ac.system.operator_lat for r in reports)
    assert ac.max_height_m == 100.0


def test_parrot_reports_carry_serial_once_known(captures: Path) -> None:
    agg = Aggregator()
    frames = load(captures, "parrot_anafi4_real.pcapng")
    reports = run(agg, frames)
    assert len(reports) == 1140
    (ac,) = agg.aircraft.values()
    assert ac.identity is not None and ac.identity.value == "1588E040445AC004418"
    named = [r for r in reports if r.identity is not None]
    assert len(named) == 1140 - 15  # the 15 Ground locations come before the first Basic ID (frame 95)
    assert all(r.measurement.alt_m is None for r in reports)  # geodetic altitude unknown throughout
    assert reports[-1].operator is not None and ac.counts == {
        "location": 1140,
        "basic_id": 385,
        "system": 385,
        "operator_id": 385,
    }
    # measured_at comes from the Location timestamp: 16:15:29.1 for the first one (frame 3)
    assert (
        abs(reports[0].measured_at - 1680365729.1) < 1e-6 and reports[0].received_at > reports[0].measured_at
    )


def test_bt5_without_fix_gives_identity_but_no_reports(captures: Path) -> None:
    agg = Aggregator()
    assert run(agg, load(captures, "odid_bt5_lr_sample.pcapng")) == []
    (ac,) = agg.aircraft.values()
    assert ac.identity is not None and ac.identity.value == "SSEVTFG93700070"
    assert ac.counts == {"basic_id": 225, "location": 222, "self_id": 216, "system": 207, "operator_id": 199}


def test_randomised_macs_and_two_transports_join() -> None:
    agg = Aggregator()
    first = Frame(
        sensor_id="s", received_at=AT, link="odid-wifi-beacon", data=encode_beacon_frame(counter=1, **PLANE)
    )
    (r1,) = agg(first)
    msgs = aircraft_messages(**{**PLANE, "at": AT + 1})
    # the same aircraft over BT4 from another (random) MAC, message by message
    for i, msg in enumerate(msgs):
        agg(
            Frame(
                sensor_id="s",
                received_at=AT + 1 + i * 0.01,
                link="odid-ble",
                data=encode_hci_payload(m.encode_message(msg), i, bytes.fromhex("7a0000000001")),
            )
        )
    assert len(agg.aircraft) == 1
    (ac,) = agg.aircraft.values()
    assert ac.transports == {"wifi-beacon": 1, "bt4": 3} and len(ac.macs) == 2
    assert r1.identity is not None and r1.identity.value == PLANE["serial"]
    # the same pack again over Wi-Fi Beacon 0.2 s later is not a duplicate of itself (same transport) ...
    again = agg(
        Frame(
            sensor_id="s",
            received_at=AT + 1.2,
            link="odid-wifi-beacon",
            data=encode_beacon_frame(counter=2, **{**PLANE, "at": AT + 1}),
        )
    )
    # ... but its Location already came over BT4 within 1 s: dropped and counted
    assert again == [] and ac.duplicates >= 1


def test_mac_only_aircraft_merges_when_serial_arrives() -> None:
    agg = Aggregator()
    basic, loc, system = aircraft_messages(**PLANE)
    mac = "02:00:00:00:00:09"
    agg.ingest("s", Received(transport="wifi-beacon", mac=mac, counter=1, messages=(loc,)), AT)
    assert len(agg.aircraft) == 1 and next(iter(agg.aircraft.values())).identity is None
    reports = agg.ingest(
        "s", Received(transport="wifi-beacon", mac=mac, counter=2, messages=(basic, loc)), AT + 1
    )
    assert len(agg.aircraft) == 1 and reports[0].identity is not None
    other = agg.ingest(
        "s",
        Received(transport="wifi-beacon", mac="02:00:00:00:00:0a", counter=3, messages=(basic, loc, system)),
        AT + 2,
    )
    assert len(agg.aircraft) == 1 and other[0].operator is not None
    assert isinstance(other[0].measurement, Geodetic)
    agg.forget(AT + 2 + agg.forget_s + 1)  # (forget looks at most once a second)
    assert agg.aircraft == {}


def test_auth_pages_join_across_frames() -> None:
    agg = Aggregator()
    auth = m.Authentication(
        version=2, auth_type=1, last_page=2, length=50, timestamp_at=AT, data=bytes(range(50))
    )
    for i, page in enumerate(m.split_auth(auth)):
        agg.ingest(
            "s",
            Received(
                transport="bt4",
                mac="02:00:00:00:00:01",
                counter=i,
                messages=(page,),
                raw=m.encode_auth_page(page),
            ),
            AT + i,
        )
    (ac,) = agg.aircraft.values()
    assert ac.auth == auth and ac.counts["auth"] == 1 and ac.counts["auth_page"] == 3


def test_flood_of_fake_ids_is_bounded() -> None:
    agg = Aggregator(max_aircraft=100)
    _, loc, _ = aircraft_messages(**PLANE)
    for i in range(1000):
        basic = m.BasicId(2, 1, 2, f"FAKE{i:06d}")
        agg.ingest(
            "s",
            Received(
                transport="wifi-beacon",
                mac=f"02:00:00:00:{i >> 8:02x}:{i & 255:02x}",
                counter=i,
                messages=(basic, loc),
            ),
            AT + i * 0.001,
        )
    assert len(agg.aircraft) <= 101 and len(agg._by_id) <= 101 and len(agg._by_mac) <= 101
