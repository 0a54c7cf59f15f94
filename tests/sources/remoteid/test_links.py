"""Encode -> registered frame decoder -> Report: the path the simulator and real receivers share."""

from __future__ import annotations

import math

import pytest

import dronewatch.sources.remoteid  # noqa: F401  (registers the odid-* links)
from dronewatch.model import Frame, Geodetic
from dronewatch.sources.frames import FrameDecoder, decode_frame
from dronewatch.sources.remoteid.assemble import Aggregator
from dronewatch.sources.remoteid.encode import encode_beacon_frame, encode_ble_legacy, encode_message_pack
from dronewatch.sources.remoteid.links import LINKS
from dronewatch.sources.remoteid.reports import resolve_hour

AT = 1763900000.25  # 2025-11-23T12:13:20.25Z
AIRCRAFT = dict(
    serial="1581F6N8A23B2ML3Y3KR",
    lat=47.3977,
    lon=8.5456,
    alt_hae_m=512.5,
    at=AT,
    speed_mps=12.0,
    direction_deg=90.0,
    vspeed_mps=-1.5,
    height_m=60.0,
    operator_lat=47.3969,
    operator_lon=8.5448,
    operator_alt_m=455.0,
    operator_id="CHE-OP-42",
)


def check(report_geo: Geodetic, vel: tuple[float, float, float] | None) -> None:
    assert report_geo.lat == pytest.approx(47.3977, abs=1e-7) and report_geo.lon == pytest.approx(
        8.5456, abs=1e-7
    )
    assert report_geo.alt_m == 512.5 and report_geo.h_sigma_m == 1.5 and report_geo.v_sigma_m == 5.0
    assert vel is not None and vel == pytest.approx((12.0, 0.0, -1.5), abs=1e-9)


def test_links_registered() -> None:
    from dronewatch.sources.frames import _DECODERS

    assert set(LINKS) <= set(_DECODERS)


def test_beacon_roundtrip_through_registered_decoder() -> None:
    data = encode_beacon_frame(counter=3, **AIRCRAFT)
    (rep,) = decode_frame(
        Frame(sensor_id="sim-rid", received_at=AT + 0.4, link="odid-wifi-beacon", data=data)
    )
    assert rep.sensor_kind == "remoteid" and rep.identity is not None
    assert (rep.identity.scheme, rep.identity.value) == ("serial", "1581F6N8A23B2ML3Y3KR")
    assert isinstance(rep.measurement, Geodetic)
    check(rep.measurement, rep.measurement.vel_enu_mps)
    assert rep.measured_at == pytest.approx(AT, abs=0.051) and rep.received_at == AT + 0.4
    assert rep.operator is not None and (rep.operator.lat, rep.operator.alt_m) == (
        pytest.approx(47.3969),
        455.0,
    )
    assert rep.raw_sha256 and len(rep.raw_sha256) == 64


def test_pack_and_ble_legacy_via_aggregator() -> None:
    agg = Aggregator()
    (rep,) = agg(
        Frame(sensor_id="udp", received_at=AT, link="odid-pack", data=encode_message_pack(**AIRCRAFT))
    )
    assert rep.identity is not None and rep.identity.value == "1581F6N8A23B2ML3Y3KR"
    agg2 = Aggregator()
    reports = []
    for i, adv in enumerate(encode_ble_legacy(counter=250, **AIRCRAFT)):
        reports += agg2(Frame(sensor_id="hci0", received_at=AT + i * 0.1, link="odid-ble", data=adv))
    (rep2,) = reports  # Basic ID first, then Location: the Location report carries the serial
    assert rep2.identity is not None and rep2.identity.value == "1581F6N8A23B2ML3Y3KR"
    assert isinstance(rep2.measurement, Geodetic)
    check(rep2.measurement, rep2.measurement.vel_enu_mps)
    (ac,) = agg2.aircraft.values()
    assert (
        ac.transports == {"bt4": 4}
        and ac.operator_id is not None
        and ac.operator_id.operator_id == "CHE-OP-42"
    )


def test_frame_decoder_counts_rejects() -> None:
    fd = FrameDecoder()
    good = Frame(sensor_id="s", received_at=AT, link="odid-pack", data=encode_message_pack(**AIRCRAFT))
    bad = Frame(sensor_id="s", received_at=AT, link="odid-pack", data=b"\xf0\x19\x05")
    assert len(fd.decode([good, bad])) == 1
    assert fd.accepted == 1 and fd.rejected == {"truncated message pack": 1}


@pytest.mark.parametrize(
    ("ts", "received", "expected"),
    [
        (1373.5, 1728307374.0, 1728307373.5),  # DJI Air 3, frame 1: 13:22:53.5
        (3599.0, 1728309600.5, 1728309599.0),  # sent before the hour, received after it
        (0.5, 1728309599.9, 1728309600.5),  # receiver clock slightly behind
        (None, 100.0, 100.0),
    ],
)
def test_resolve_hour(ts: float | None, received: float, expected: float) -> None:
    assert math.isclose(resolve_hour(ts, received), expected)


def test_simulator_report_to_real_frame_and_back() -> None:
    from dronewatch.model import Identity, Report
    from dronewatch.sources.remoteid.encode import report_frame

    sent = Report(
        report_id="sim:1",
        sensor_id="rid-sim",
        sensor_kind="remoteid",
        measured_at=AT,
        received_at=AT + 0.02,
        identity=Identity(scheme="serial", value="SIM0001"),
        measurement=Geodetic(
            lat=51.5560, lon=-0.2795, alt_m=95.37, h_sigma_m=3.0, v_sigma_m=4.0, vel_enu_mps=(3.0, -4.0, 0.5)
        ),
        operator=Geodetic(lat=51.5550, lon=-0.2800, alt_m=50.0),
    )
    for link in ("odid-wifi-beacon", "odid-pack"):
        frame = report_frame(sent, link=link)
        (got,) = Aggregator()(frame)
        g = got.measurement
        assert isinstance(g, Geodetic) and got.identity == sent.identity and got.received_at == AT + 0.02
        assert (g.lat, g.lon) == (pytest.approx(51.5560, abs=1e-7), pytest.approx(-0.2795, abs=1e-7))
        assert g.alt_m == pytest.approx(95.37, abs=0.25)
        assert g.vel_enu_mps == pytest.approx((3.0, -4.0, 0.5), abs=0.1)
        assert got.measured_at == pytest.approx(AT, abs=0.05)
        assert (g.h_sigma_m, g.v_sigma_m) == (
            5.0,
            5.0,
        )  # codes "<10 m" and "<10 m": the bounds covering 2 sigma
        assert got.operator is not None and got.operator.lat == pytest.approx(51.5550, abs=1e-7)
