"""Every file in ../shared/data/adsb decodes with the values its MANIFEST gives."""

from __future__ import annotations

import io
import json
from collections import Counter
from pathlib import Path

import pytest

from dronewatch.model import Frame, Geodetic
from dronewatch.sources.adsb import aircraft_json, sbs
from dronewatch.sources.adsb.beast import BeastSplitter, escape
from dronewatch.sources.adsb.decoder import AdsbDecoder
from dronewatch.sources.adsb.files import records, sniff
from dronewatch.sources.adsb.modes import AircraftBook, ModeSDecoder
from dronewatch.sources.recorded import decode_file, detect

BEAST = "beast_ulss7_20180403T190228Z.bin"
SBS = "sbs1_ulss7_20180403T190228Z.txt"
CSV = "pymodes_sample_data_adsb.csv"
ABLY = "aircraft_ably-labs_2022-05-18.json"
PLORD = "aircraft_plord12_2026-07-29.json"

# MANIFEST: ICAO -> (call sign, squawk or None)
AIRCRAFT = {
    "780C5D": ("CAO1024", "3165"), "4CAAAE": ("SDM6414", "4160"), "780A5C": ("CPA238", None),
    "71BE34": ("AAR542", "7630"), "400159": ("SDM6244", "1017"), "4249B5": ("AFL032", "2751"),
    "4242E5": ("AFL030", "2124"), "4248E7": ("SDM6620", "0210"), "42460C": ("UTA582", "2442"),
    "504DD9": ("MLD185", "2270"), "424263": ("UTA470", None),
}


def _book(path: Path, fmt: str) -> tuple[AircraftBook, list, Counter[str]]:
    modes, book, fixes, df17 = ModeSDecoder(), AircraftBook(), [], Counter[str]()
    for t, _wire, data in records(path, fmt):
        payload = data[8:] if fmt == "beast" else bytes.fromhex(data.decode())
        if fmt == "beast" and data[0] == 0x31:
            continue
        msg = modes.decode(payload)
        if msg is None:
            continue
        if msg["df"] == "17":
            df17[msg["icao24"].upper()] += 1
        fix = book.ingest(msg, payload.hex(), t)
        if fix is not None:
            fixes.append(fix)
    return book, fixes, df17


def test_beast_framing_counts(adsb_dir: Path) -> None:
    data = (adsb_dir / BEAST).read_bytes()
    splitter = BeastSplitter()
    frames = splitter.feed(data)
    assert len(frames) == 13954 and splitter.pending == 0 and not splitter.skipped
    assert Counter(f.kind for f in frames) == {0x31: 5026, 0x32: 4942, 0x33: 3986}
    assert sum(b"\x1a" in f.to_bytes()[1:] for f in frames) == 1184  # frames with an escaped 0x1A
    assert len(set(frames)) == 6977  # every frame twice
    first = frames[0]
    assert (first.kind, first.timestamp, first.signal, first.payload.hex().upper()) == (
        0x32, 3349832057515, 19, "5F4001594B0FBB")
    assert b"".join(escape(f) for f in frames) == data


@pytest.mark.parametrize("piece", [1, 2, 7, 21, 22, 23, 1000])
def test_beast_framing_in_pieces(adsb_dir: Path, piece: int) -> None:
    """Frames cut anywhere (inside an escape pair, at a frame's end) come out the same."""
    data = (adsb_dir / BEAST).read_bytes()[:30_000]
    whole = BeastSplitter()
    want = whole.feed(data)
    splitter = BeastSplitter()
    got = [f for i in range(0, len(data), piece) for f in splitter.feed(data[i : i + piece])]
    assert got == want and splitter.pending == whole.pending and splitter.skipped == whole.skipped
    assert len(got) > 1500


def test_beast_aircraft_identities_and_positions(adsb_dir: Path) -> None:
    book, fixes, df17 = _book(adsb_dir / BEAST, "beast")
    assert set(df17) == set(AIRCRAFT)
    assert df17["780C5D"] == 508 and df17["424263"] == 102
    for icao, (callsign, squawk) in AIRCRAFT.items():
        ac = book.aircraft[icao]
        assert (ac.callsign, ac.squawk) == (callsign, squawk), icao
    worked = next(f for f in fixes if f.icao == "71BE34" and f.method == "global")
    assert (worked.lat, worked.lon) == (59.734588623046875, 31.997955322265625)
    assert worked.alt_baro_ft == 35000
    assert all(59.37598 - 1e-5 <= f.lat <= 60.93100 + 1e-5 and 30.45575 - 1e-5 <= f.lon <= 37.18872 + 1e-5
               for f in fixes)
    assert len(fixes) > 1400


def test_worked_velocity_and_identification() -> None:
    modes = ModeSDecoder()
    v = modes.decode(bytes.fromhex("8D71BE349909D21BB004B4E8F29A"))
    assert v is not None and v["groundspeed"] == pytest.approx(514.4, abs=0.05)
    assert v["track"] == pytest.approx(64.68031, abs=1e-5) and v["vertical_rate"] == 0
    assert v["geo_minus_baro"] == -1275
    ident = modes.decode(bytes.fromhex("8D71BE34250414B5D32820B938B8"))
    assert ident is not None and ident["callsign"] == "AAR542"
    assert modes.decode(bytes.fromhex("8D71BE34250414B5D32820B938B9")) is None  # CRC fails


def test_pymodes_csv(adsb_dir: Path) -> None:
    path = adsb_dir / CSV
    assert sniff(path.read_bytes()[:4096]) == "modes-hex"
    recs = list(records(path, "modes-hex"))
    assert len(recs) == 2000 and recs[0][0] == 1457996400.0
    book, fixes, df17 = _book(path, "modes-hex")
    assert dict(df17) == {"406B90": 2000}
    assert book.aircraft["406B90"].callsign == "EZY85MH"
    first_global = next(f for f in fixes if f.method == "global")
    assert (first_global.lat, first_global.lon, first_global.alt_baro_ft) == pytest.approx(
        (51.145660400390625, 7.244295687288852, 36000))
    assert (fixes[-1].at, fixes[-1].lat, fixes[-1].lon) == pytest.approx(
        (1457997130, 51.700030827926376, 4.773406982421875))


def test_sbs_lines(adsb_dir: Path) -> None:
    lines = (adsb_dir / SBS).read_bytes().splitlines()
    assert len(lines) == 8625
    kinds: Counter[int] = Counter()
    bad = 0
    msgs = {}
    for n, line in enumerate(lines, start=1):
        try:
            m = sbs.parse_line(line)
        except ValueError:
            bad += 1
            continue
        assert m is not None
        kinds[m.transmission] += 1
        msgs[n] = m
    assert bad == 3 and sum(kinds.values()) == 8622
    assert kinds == {1: 146, 3: 1498, 4: 1492, 5: 588, 6: 422, 7: 498, 8: 3978}
    assert {m.icao for m in msgs.values()} == set(AIRCRAFT)
    assert (msgs[109].icao, msgs[109].callsign) == ("71BE34", "AAR542")
    assert (msgs[173].altitude_ft, msgs[173].lat, msgs[173].lon) == (35000, 59.73459, 31.99796)
    assert (msgs[29].ground_speed_kt, msgs[29].track_deg, msgs[29].vertical_rate_fpm) == (514, 65, 0)
    assert msgs[8078].squawk == "7630"
    assert msgs[173].generated_at == pytest.approx(1522782148.951)
    assert sum(m.lat is not None for m in msgs.values()) == 1456


@pytest.mark.parametrize(
    ("name", "total", "with_pos", "with_flight", "entries"),
    [
        (ABLY, 83, 54, 50, {
            "4CC278": ("ICE7J", 50.423355, 1.820839, 33925, 34950, 462.4, 333.3, "5610"),
            "47883C": ("FOX1227", 49.51973, 2.035579, 38000, None, 476.8, 40.2, "1065"),
            "401863": ("GAXUK", None, None, 1075, None, None, None, "7000"),
        }),
        (PLORD, 44, 25, 24, {
            "3C71A1": ("BCS361", 51.345256, -2.052231, 41000, 42600, 533.7, 79.6, "2274"),
            "400B83": (None, 51.477264, -0.510716, 1700, None, 161.1, 267.9, None),
            "40223A": ("GLOCH", None, None, 2025, None, None, None, "0012"),
        }),
    ],
)
def test_aircraft_json(adsb_dir: Path, name: str, total: int, with_pos: int, with_flight: int,
                       entries: dict[str, tuple]) -> None:
    data = (adsb_dir / name).read_bytes()
    now, states = aircraft_json.parse(data)
    assert now == json.loads(data)["now"]
    assert len(states) == total
    assert sum(s.lat is not None for s in states) == with_pos
    assert sum(s.callsign is not None for s in states) == with_flight
    by = {s.icao: s for s in states}
    for icao, (flight, lat, lon, baro, geom, gs, track, squawk) in entries.items():
        s = by[icao]
        assert (s.callsign, s.lat, s.lon, s.alt_baro_ft, s.gs_kt, s.track_deg, s.squawk) == (
            flight, lat, lon, baro, gs, track, squawk), icao
        if geom is not None:
            assert s.alt_geom_ft == geom
    # Through the pipeline decoder: one report per fresh position, none invented, none repeated.
    decoder = AdsbDecoder()
    frame = Frame(sensor_id="adsb-1", received_at=2_000_000_000.0, link="aircraft-json", data=data)
    reports = decoder(frame)
    fresh = [s for s in states if s.lat is not None and (s.seen_pos_s or 0) <= 60]
    assert {r.identity.value for r in reports if r.identity} == {s.icao for s in fresh}
    assert not any(r.identity and r.identity.value in ("401863", "40223A") for r in reports)
    for r in reports:
        s = by[r.identity.value if r.identity else ""]
        assert isinstance(r.measurement, Geodetic)
        assert (r.measurement.lat, r.measurement.lon) == (s.lat, s.lon)
        assert r.measured_at == pytest.approx(frame.received_at - (s.seen_pos_s or 0))
    assert decoder(frame) == []  # the same document polled again adds nothing


def test_decode_command_autodetects_every_file(adsb_dir: Path) -> None:
    expected = {BEAST: ("beast", 13954), SBS: ("sbs", 8622), CSV: ("modes-hex", 2000), ABLY: ("aircraft-json", 83),
                PLORD: ("aircraft-json", 44)}
    for name, (fmt, n) in expected.items():
        assert detect(adsb_dir / name) == fmt
        out, err = io.StringIO(), io.StringIO()
        assert decode_file(adsb_dir / name, "auto", True, out, err) == 0
        rows = [json.loads(x) for x in out.getvalue().splitlines()]
        assert len(rows) == n, (name, err.getvalue())
    out, err = io.StringIO(), io.StringIO()
    decode_file(adsb_dir / BEAST, "beast", True, out, err)
    worked = [json.loads(x) for x in out.getvalue().splitlines() if "8D71BE3458B503D2B5553FA0D70C" in x]
    assert worked[0]["position"]["lat"] == 59.734588623046875
    out, err = io.StringIO(), io.StringIO()
    decode_file(adsb_dir / SBS, "auto", False, out, err)
    assert "AAR542" in out.getvalue() and "2 bad" in err.getvalue()


def test_receiver_position_bounds_the_fixes(adsb_dir: Path) -> None:
    """Decoded through the pipeline's FrameDecoder: a site near the recording gets the fixes; a
    site 2,000 km away gets none, and every refused fix is counted."""
    from dronewatch.config import Origin, Site
    from dronewatch.sources.frames import FrameDecoder

    frames = [Frame(sensor_id="rx", received_at=1e9 + i * 0.01, link="beast", data=data)
              for i, (_t, _w, data) in enumerate(records(adsb_dir / BEAST, "beast"))]
    near = FrameDecoder(Site(name="near", origin=Origin(lat=59.8, lon=31.5)))
    assert len(near.decode(frames)) > 1400 and not near.rejected.get("position beyond receiver range")
    far = FrameDecoder(Site(name="far", origin=Origin(lat=51.5, lon=-0.1)))
    assert far.decode(frames) == []
    assert far.rejected["position beyond receiver range"] > 700
