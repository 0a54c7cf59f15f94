"""Message codec: the MANIFEST.md messages decode exactly; encode -> decode round-trips."""

from __future__ import annotations

import msgspec
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dronewatch.sources.errors import DecodeError
from dronewatch.sources.remoteid import messages as m


def msg(hexstr: str) -> bytes:
    return bytes.fromhex(hexstr)


def test_location_wifi_sample_frame5() -> None:
    loc = m.decode_location(msg("10026c527e979f251be6eab3b60000aa099808394100000a00"))
    assert loc.version == 0 and loc.status == 0 and loc.height_type == 0
    assert loc.lat == pytest.approx(45.5450519, abs=1e-7)
    assert loc.lon == pytest.approx(-122.9722906, abs=1e-7)
    assert (loc.direction_deg, loc.speed_mps, loc.vspeed_mps) == (288.0, 20.5, None)
    assert (loc.baro_alt_m, loc.geo_alt_m, loc.height_m) == (None, 237.0, 100.0)
    assert (loc.h_accuracy_m, loc.v_accuracy_m, loc.baro_accuracy_m, loc.speed_accuracy_mps) == (
        30.0,
        25.0,
        10.0,
        10.0,
    )
    assert (loc.timestamp_s, loc.timestamp_accuracy_s) == (0.0, 1.0)
    assert loc.notes == ()


def test_location_bt5_unknowns_are_none() -> None:
    loc = m.decode_location(msg("1023b5ff7e000000000000000062070000cf07005000000100"))
    assert loc.status == 2
    assert (loc.lat, loc.lon, loc.direction_deg, loc.speed_mps, loc.vspeed_mps) == (
        None,
        None,
        None,
        None,
        None,
    )
    assert (loc.baro_alt_m, loc.geo_alt_m, loc.height_m) == (-55.0, None, -0.5)
    assert (loc.h_accuracy_m, loc.v_accuracy_m, loc.baro_accuracy_m, loc.speed_accuracy_mps) == (
        None,
        None,
        3.0,
        None,
    )
    assert (loc.timestamp_s, loc.timestamp_accuracy_s) == (0.0, 0.1)
    assert loc.notes == ()


def test_location_dji_air3_version2() -> None:
    loc = m.decode_location(msg("1222b50000ade91014828502cf00007408d3072c04a7350a00"))
    assert loc.version == 2 and loc.status == 2
    assert loc.lat == pytest.approx(33.6652717, abs=1e-7)
    assert loc.lon == pytest.approx(-82.1918334, abs=1e-7)
    assert (loc.direction_deg, loc.speed_mps, loc.vspeed_mps) == (None, 0.0, 0.0)
    assert (loc.baro_alt_m, loc.geo_alt_m, loc.height_m) == (None, 82.0, 1.5)
    assert (loc.h_accuracy_m, loc.v_accuracy_m, loc.baro_accuracy_m, loc.speed_accuracy_mps) == (
        1.0,
        45.0,
        None,
        0.3,
    )
    assert (loc.timestamp_s, loc.timestamp_accuracy_s) == (1373.5, 1.0)


def test_location_parrot_first() -> None:
    loc = m.decode_location(msg("10105400009ff3211ce320340500000000d00700004b240000"))
    assert loc.status == 1
    assert (loc.lat, loc.lon) == (pytest.approx(47.1987103, abs=1e-7), pytest.approx(8.7302371, abs=1e-7))
    assert (loc.direction_deg, loc.speed_mps, loc.vspeed_mps) == (84.0, 0.0, 0.0)
    assert (loc.baro_alt_m, loc.geo_alt_m, loc.height_m) == (None, None, 0.0)
    assert (loc.h_accuracy_m, loc.v_accuracy_m, loc.baro_accuracy_m, loc.speed_accuracy_mps) == (None,) * 4
    assert (loc.timestamp_s, loc.timestamp_accuracy_s) == (929.1, None)


def test_system_wifi_sample() -> None:
    s = m.decode_system(msg("4004a485251b6edbb3b6010032000000001500000000000000"))
    assert (s.operator_location_type, s.classification_type) == (0, 1)
    assert s.operator_lat == pytest.approx(45.5443876, abs=1e-7)
    assert s.operator_lon == pytest.approx(-122.9726866, abs=1e-7)
    assert (s.area_count, s.area_radius_m, s.area_ceiling_m, s.area_floor_m) == (1, 500.0, None, None)
    assert (s.ua_category, s.ua_class, s.operator_alt_m, s.timestamp_at) == (1, 5, None, None)


def test_system_dji_air3() -> None:
    s = m.decode_system(msg("42012c9a1014198c02cf010000000000000070082d33d90a00"))
    assert (s.version, s.operator_location_type, s.classification_type) == (2, 1, 0)
    assert (s.operator_lat, s.operator_lon) == (
        pytest.approx(33.6632364, abs=1e-7),
        pytest.approx(-82.1916647, abs=1e-7),
    )
    assert (s.area_count, s.area_radius_m, s.area_ceiling_m, s.area_floor_m) == (1, 0.0, None, None)
    assert (s.ua_category, s.ua_class, s.operator_alt_m) == (0, 0, 80.0)
    assert s.timestamp_at == 1546300800 + 182006573  # 2024-10-07T13:22:53Z
    assert s.timestamp_at == 1728307373


def test_system_parrot_and_bt5() -> None:
    s = m.decode_system(msg("400580f1211c3d203405000000000000001200000000000000"))
    assert (s.operator_location_type, s.classification_type, s.area_count) == (1, 1, 0)
    assert (s.operator_lat, s.operator_lon) == (
        pytest.approx(47.198656, abs=1e-7),
        pytest.approx(8.7302205, abs=1e-7),
    )
    assert (s.ua_category, s.ua_class) == (1, 2)
    b = m.decode_system(msg("40040000000000000000010000000000001100000000000000"))
    assert (b.operator_lat, b.operator_lon, b.area_count, b.area_radius_m, b.ua_category, b.ua_class) == (
        None,
        None,
        1,
        0.0,
        1,
        1,
    )


def test_basic_ids() -> None:
    b = m.decode_basic_id(msg("00004d464731413031323334353637383900000000000050f6"))
    assert (b.id_type, b.ua_type, b.uas_id) == (0, 0, "MFG1A0123456789")
    d = m.decode_basic_id(msg("02123135383146364e3841323342324d4c3359334b52000000"))
    assert (d.version, d.id_type, d.ua_type, d.uas_id) == (2, 1, 2, "1581F6N8A23B2ML3Y3KR")
    p = m.decode_basic_id(msg("00123135383845303430343435414330303434313800000000"))
    assert (p.id_type, p.ua_type, p.uas_id) == (1, 2, "1588E040445AC004418")


def test_self_id_and_operator_id() -> None:
    s = m.decode_self_id(m.encode_self_id(m.SelfId(version=0, description_type=0, text="Recreational")))
    assert s.text == "Recreational"
    o = m.decode_operator_id(bytes([0x50, 0]) + b"\0" * 23)
    assert (o.operator_id_type, o.operator_id) == (0, "")


@pytest.mark.parametrize(
    "raw",
    [
        "10026c527e979f251be6eab3b60000aa099808394100000a00",
        "1023b5ff7e000000000000000062070000cf07005000000100",
        "1222b50000ade91014828502cf00007408d3072c04a7350a00",
        "4004a485251b6edbb3b6010032000000001500000000000000",
        "42012c9a1014198c02cf010000000000000070082d33d90a00",
        "02123135383146364e3841323342324d4c3359334b52000000",
    ],
)
def test_real_messages_reencode_byte_exact(raw: str) -> None:
    assert m.encode_message(m.decode_message(msg(raw))).hex() == raw


def test_reserved_values_are_reported() -> None:
    raw = bytearray(msg("10026c527e979f251be6eab3b60000aa099808394100000a00"))
    raw[1] = 0x72  # status 7: reserved
    raw[2] = 200  # direction 200 + 180: invalid
    loc = m.decode_location(bytes(raw))
    assert loc.status == 7 and loc.direction_deg is None
    assert any("status" in n for n in loc.notes) and any("direction" in n for n in loc.notes)
    unknown = m.decode_message(bytes([0x62]) + bytes(range(24)))
    assert isinstance(unknown, m.UnknownMessage) and unknown.message_type == 6 and unknown.version == 2


def test_bad_input_raises_decode_error() -> None:
    for bad in [b"", b"\x10" * 24, b"\x10" * 26]:
        with pytest.raises(DecodeError):
            m.decode_message(bad)
    with pytest.raises(DecodeError, match="count"):
        m.decode_pack(bytes([0xF0, 25, 79]) + b"\0" * 2000)
    with pytest.raises(DecodeError, match="truncated"):
        m.decode_pack(bytes([0xF0, 25, 2]) + b"\0" * 30)


# --- authentication ----------------------------------------------------------------------------


def test_auth_pages_assemble_in_a_pack() -> None:
    data = bytes(range(180))  # 9 pages: 17 + 8 x 23 = 201 bytes of room
    auth = m.Authentication(
        version=2, auth_type=3, last_page=8, length=len(data), timestamp_at=1728307373.0, data=data
    )
    decoded = m.decode_pack(m.encode_pack([auth]))
    assert decoded == [auth]


def test_auth_length_checks() -> None:
    page0 = bytes([0x22, 0x10, 1, 200]) + b"\0" * 21  # 2 pages cannot hold 200 bytes
    with pytest.raises(DecodeError, match="auth length"):
        m.decode_auth_page(page0)
    with pytest.raises(DecodeError, match="incomplete"):
        m.assemble_auth([m.decode_auth_page(bytes([0x22, 0x10, 1, 30]) + b"\0" * 21)])


# --- property tests: every type, every version, whole ranges --------------------------------------

versions = st.integers(0, 15)
alt = st.one_of(st.none(), st.integers(1, 65535).map(lambda r: r * 0.5 - 1000.0))
latlon = st.one_of(
    st.none(),
    st.tuples(st.integers(-900000000, 900000000), st.integers(-1800000000, 1800000000))
    .filter(lambda t: t != (0, 0))
    .map(lambda t: (t[0] / 1e7, t[1] / 1e7)),
)
text20 = st.text(st.characters(min_codepoint=1, max_codepoint=255), max_size=20).filter(
    lambda s: not s.endswith("\0")
)


@st.composite
def locations(draw: st.DrawFn) -> m.Location:
    pos = draw(latlon)
    speed_raw = draw(st.integers(0, 511))
    return m.Location(
        version=draw(versions),
        status=draw(st.integers(0, 15)),
        height_type=draw(st.integers(0, 1)),
        direction_deg=draw(st.one_of(st.none(), st.integers(0, 359).map(float))),
        speed_mps=None
        if speed_raw == 511
        else (speed_raw * 0.25 if speed_raw < 256 else (speed_raw - 256) * 0.75 + 63.75),
        vspeed_mps=draw(st.one_of(st.none(), st.integers(-124, 124).map(lambda r: r * 0.5))),
        lat=pos[0] if pos else None,
        lon=pos[1] if pos else None,
        baro_alt_m=draw(alt),
        geo_alt_m=draw(alt),
        height_m=draw(alt),
        h_accuracy_m=draw(st.sampled_from([None, *m.H_ACCURACY_M.values()])),
        v_accuracy_m=draw(st.sampled_from([None, *m.V_ACCURACY_M.values()])),
        baro_accuracy_m=draw(st.sampled_from([None, *m.V_ACCURACY_M.values()])),
        speed_accuracy_mps=draw(st.sampled_from([None, *m.SPEED_ACCURACY_MPS.values()])),
        timestamp_s=draw(st.one_of(st.none(), st.integers(0, 36000).map(lambda r: r / 10))),
        timestamp_accuracy_s=draw(st.one_of(st.none(), st.integers(1, 15).map(lambda r: r / 10))),
    )


@st.composite
def systems(draw: st.DrawFn) -> m.System:
    pos = draw(latlon)
    return m.System(
        version=draw(versions),
        operator_location_type=draw(st.integers(0, 3)),
        classification_type=draw(st.integers(0, 7)),
        operator_lat=pos[0] if pos else None,
        operator_lon=pos[1] if pos else None,
        area_count=draw(st.integers(0, 65535)),
        area_radius_m=draw(st.integers(0, 255)) * 10.0,
        area_ceiling_m=draw(alt),
        area_floor_m=draw(alt),
        ua_category=draw(st.integers(0, 15)),
        ua_class=draw(st.integers(0, 15)),
        operator_alt_m=draw(alt),
        timestamp_at=draw(st.one_of(st.none(), st.integers(1, 2**32 - 1).map(lambda s: m.EPOCH_2019_AT + s))),
    )


any_message = st.one_of(
    st.builds(
        m.BasicId, version=versions, id_type=st.integers(0, 15), ua_type=st.integers(0, 15), uas_id=text20
    ),
    locations(),
    systems(),
    st.builds(
        m.SelfId,
        version=versions,
        description_type=st.integers(0, 255),
        text=st.text(st.characters(min_codepoint=1, max_codepoint=255), max_size=23).filter(
            lambda s: not s.endswith("\0")
        ),
    ),
    st.builds(m.OperatorId, version=versions, operator_id_type=st.integers(0, 255), operator_id=text20),
    st.builds(
        m.UnknownMessage,
        version=versions,
        message_type=st.integers(6, 14),
        data=st.binary(min_size=24, max_size=24),
    ),
)


def strip_notes(x: msgspec.Struct) -> msgspec.Struct:
    return msgspec.structs.replace(x, notes=()) if "notes" in x.__struct_fields__ else x


@settings(max_examples=400)
@given(any_message)
def test_struct_encode_decode_roundtrip(message: m.Message) -> None:
    raw = m.encode_message(message)
    assert len(raw) == 25
    assert strip_notes(m.decode_message(raw)) == strip_notes(message)


@settings(max_examples=400)
@given(
    st.integers(0, 15).flatmap(
        lambda t: st.binary(min_size=24, max_size=24).map(lambda b: bytes([t << 4 | (b[0] & 15)]) + b)
    )
)
def test_bytes_decode_encode_decode_is_stable(raw: bytes) -> None:
    """Over every 25-byte input (unknown and invalid encodings included): decoding what we
    encoded gives what we decoded."""
    try:
        first = m.decode_message(raw)
    except DecodeError:  # only packs (not single messages) and inconsistent auth headers
        assert raw[0] >> 4 == 15 or (raw[0] >> 4 == 2 and raw[1] & 15 == 0)
        return
    assert strip_notes(m.decode_message(m.encode_message(first))) == strip_notes(first)


@settings(max_examples=100)
@given(
    st.integers(0, 15),
    st.integers(0, 5),
    st.integers(0, 15).filter(lambda t: t < 6 or t > 9),
    st.binary(max_size=255),
    st.one_of(st.none(), st.integers(1, 2**32 - 1)),
)
def test_auth_roundtrip(version: int, _x: int, auth_type: int, data: bytes, ts: int | None) -> None:
    last = max(0, -(-(len(data) - 17) // 23))
    auth = m.Authentication(
        version=version,
        auth_type=auth_type,
        last_page=last,
        length=len(data),
        timestamp_at=None if ts is None else m.EPOCH_2019_AT + ts,
        data=data,
    )
    pages = [m.decode_auth_page(m.encode_auth_page(p)) for p in m.split_auth(auth)]
    assert strip_notes(m.assemble_auth(pages)) == strip_notes(auth)


@settings(max_examples=100)
@given(st.lists(any_message, max_size=9), st.integers(0, 15))
def test_pack_roundtrip(messages: list[m.Message], version: int) -> None:
    got = m.decode_pack(m.encode_pack(messages, version))
    assert [strip_notes(x) for x in got] == [strip_notes(x) for x in messages]
