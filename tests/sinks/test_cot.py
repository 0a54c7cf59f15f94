"""CoT out to a real TLS listener that requires our client certificate (certs made here), and
to a UDP listener: every event parses, with the right uid, type, point and stale."""

from __future__ import annotations

import datetime as dt
import time

import msgspec
import pytest

from dronewatch.config import AllowEntry
from dronewatch.config import CotOutput as CotSpec
from dronewatch.model import Geodetic, Identity, Update
from dronewatch.sinks.cot.events import track_uid
from dronewatch.sinks.cot.transport import tls_context
from dronewatch.sinks.manager import Outputs
from factories import make_alert, make_track
from sinks.conftest import site_with
from sinks.receivers import CotListener, Pki, wait_until

T0 = 1_767_225_600.0  # 2026-01-01T00:00:00Z


def _t(iso: str) -> float:
    return dt.datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp()


def _updates() -> list[Update]:
    drone = msgspec.structs.replace(
        make_track(1, T0), identity=Identity(scheme="serial", value="1581F00000000001"),
        operator=Geodetic(lat=52.001, lon=4.002, alt_m=12.0), home=Geodetic(lat=52.0011, lon=4.0021))
    police = msgspec.structs.replace(make_track(2, T0), identity=Identity(scheme="serial", value="POLICE-1"),
                                     allowed=True)  # as assess/ marks an allow-listed identity
    plane = msgspec.structs.replace(make_track(3, T0), cls="aircraft",
                                    identity=Identity(scheme="icao", value="4CA123", callsign="RYR1"))
    bird = msgspec.structs.replace(make_track(4, T0), cls="bird")
    tentative = msgspec.structs.replace(make_track(5, T0), status="tentative")
    first = Update(at=T0, tracks=[drone, police, plane, bird, tentative], alerts=[])
    # 0.2 s later (inside the 1 Hz rate limit) a rule alerts on the drone: hostile at once.
    later = [msgspec.structs.replace(t, at=T0 + 0.2, lat=t.lat + 1e-4) for t in (drone, police, plane)]
    alert = make_alert("A00001", T0 + 0.2, track_id=1, track_ids=(1,))
    second = Update(at=T0 + 0.2, tracks=later, alerts=[alert])
    third = Update(at=T0 + 0.4, tracks=later[1:], alerts=[], removed=[1])
    return [first, second, third]


def _run(spec: CotSpec) -> None:
    site = msgspec.structs.replace(site_with(spec), allow=[AllowEntry(name="police", serial="POLICE-1")])
    outputs = Outputs.for_site(site).start()
    outputs.outputs[0].chunk = 2  # (the look at waiting alerts between chunks runs)
    for u in _updates():
        outputs.offer(u)
        assert outputs.drain(10)  # (a picture still waiting would be replaced by the next one)
    outputs.close()


def _check(listener: CotListener) -> None:
    assert wait_until(lambda: len(listener.events) >= 10), [e.uid for e in listener.events]
    time.sleep(0.2)
    assert len(listener.events) == 10, [e.uid for e in listener.events]
    ev = listener.events
    drone_uid = track_uid("Test Site", 1)
    assert drone_uid == "dronewatch.test_site.track.1"
    by_uid: dict[str, list] = {}  # type: ignore[type-arg]
    for e in ev:
        assert _t(e.stale) >= _t(e.time), e.uid
        assert -90 <= e.lat <= 90 and -180 <= e.lon <= 180
        by_uid.setdefault(e.uid, []).append(e)
    assert not any(".track.4" in u or ".track.5" in u for u in by_uid), "bird / tentative sent"
    drone = by_uid[drone_uid]
    assert [e.type for e in drone] == ["a-u-A-M-H-Q", "a-h-A-M-H-Q", "a-h-A-M-H-Q"]
    assert drone[0].hae == pytest.approx(10.0 + 50.0)
    assert drone[0].ce == pytest.approx(5.0 * 2**0.5, abs=0.1) and drone[0].le == pytest.approx(5.0)
    assert _t(drone[0].time) == pytest.approx(T0) and _t(drone[0].stale) == pytest.approx(T0 + 15.0)
    assert drone[0].xml.find("detail/track").attrib["course"] == "90.0"  # type: ignore[union-attr]
    assert drone[0].xml.find("detail/track").attrib["speed"] == "10.00"  # type: ignore[union-attr]
    assert "1581F00000000001" in drone[0].remarks and "drone" in drone[0].remarks
    assert "A00001" in drone[1].remarks
    assert _t(drone[2].stale) == pytest.approx(T0 + 0.4), "a removed track is sent stale"
    # the hostile update came before the alert event
    alert_ev = by_uid["dronewatch.test_site.alert.A00001"]
    assert alert_ev[0].type == "b-a-g" and "zone_entry" in alert_ev[0].remarks
    assert ev.index(drone[1]) < ev.index(alert_ev[0])
    # inside the rate limit nothing else was re-sent
    assert [e.type for e in by_uid[track_uid("Test Site", 2)]] == ["a-f-A-M-H-Q"]
    assert [e.type for e in by_uid[track_uid("Test Site", 3)]] == ["a-n-A-C-F"]
    pilot = by_uid[drone_uid + ".pilot"][0]
    assert pilot.type == "a-u-G" and pilot.lat == pytest.approx(52.001)
    link = pilot.xml.find("detail/link")
    assert link is not None and link.attrib["uid"] == drone_uid and link.attrib["relation"] == "p-p"
    assert by_uid[drone_uid + ".home"][0].type == "b-m-p-s-p-loc"


def test_cot_over_tls_with_client_certificate(pki: Pki) -> None:
    listener = CotListener("tls", pki).start()
    try:
        _run(CotSpec(url=f"tls://127.0.0.1:{listener.port}", cert=str(pki.client_cert),
                     key=str(pki.client_key), ca=str(pki.ca)))
        _check(listener)
        assert listener.connections == 1 and not listener.refused
    finally:
        listener.stop()


def test_tls_listener_refuses_a_stranger_certificate(pki: Pki) -> None:
    listener = CotListener("tls", pki).start()
    try:
        spec = CotSpec(url=f"tls://127.0.0.1:{listener.port}", cert=str(pki.other_client_cert),
                       key=str(pki.other_client_key), ca=str(pki.ca))
        outputs = Outputs.for_site(site_with(spec)).start()
        outputs.offer(_updates()[0])
        assert wait_until(lambda: bool(listener.refused))
        outputs.close(drain_timeout=0.5)
        assert listener.events == []
        out = outputs.outputs[0]
        assert out.errors >= 1 and out.sent == 0 and "cannot connect" in (out.last_error or "")
    finally:
        listener.stop()


def test_cot_over_tcp_streaming_and_an_alert_that_ends() -> None:
    listener = CotListener("tcp").start()
    try:
        _run(CotSpec(url=f"tcp://127.0.0.1:{listener.port}"))
        _check(listener)
        assert listener.connections == 1
        listener.events.clear()
        outputs = Outputs.for_site(site_with(CotSpec(url=f"tcp://127.0.0.1:{listener.port}"))).start()
        alert = make_alert("A00002", T0, track_id=1, track_ids=(1,), zone=None, rule="no_remote_id")
        ended = msgspec.structs.replace(alert, state="resolved", updated_at=T0 + 30)
        for u in (Update(at=T0, tracks=[make_track(1, T0)], alerts=[alert]),
                  Update(at=T0 + 30, tracks=[], alerts=[ended])):
            outputs.offer(u)
            assert outputs.drain(10)
        outputs.close()
        uid = "dronewatch.test_site.alert.A00002"
        assert wait_until(lambda: len([e for e in listener.events if e.uid == uid]) == 2)
        raised, gone = [e for e in listener.events if e.uid == uid]
        assert raised.type == "b-a-o-pan" and "no_remote_id" in raised.remarks and _t(raised.stale) > _t(raised.time)
        assert gone.type == "b-a-o-can" and _t(gone.time) == pytest.approx(T0 + 30) and gone.stale == gone.time
        assert "[resolved]" in gone.remarks
    finally:
        listener.stop()


def test_cot_over_udp() -> None:
    listener = CotListener("udp").start()
    try:
        _run(CotSpec(url=f"udp://127.0.0.1:{listener.port}"))
        _check(listener)
    finally:
        listener.stop()


def test_cot_over_udp_multicast_on_loopback() -> None:
    """The SA mesh's multicast, kept on this machine: sent out of 127.0.0.1, looped back to a
    listener that joined the group there."""
    listener = CotListener("udp", group="239.2.3.1").start()
    try:
        _run(CotSpec(url=f"udp://239.2.3.1:{listener.port}", interface="127.0.0.1"))
        _check(listener)
    finally:
        listener.stop()


def test_tls_context_needs_real_files(tmp_path) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(SyntaxError, match="PYTAK_TLS_CLIENT_CERT"):
        tls_context(str(tmp_path / "missing.pem"), None, None)
