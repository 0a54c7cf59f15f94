"""The numpy batch decoder agrees with the per-message codec, field by field."""

from __future__ import annotations

import contextlib
import math
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dronewatch.sources.errors import DecodeError
from dronewatch.sources.remoteid import messages as m
from dronewatch.sources.remoteid.batch import decode_batch, decode_packs_batch
from dronewatch.sources.remoteid.links import decode_link
from dronewatch.sources.remoteid.received import Received

from .conftest import load

LOC_FIELDS = [
    "version",
    "status",
    "height_type",
    "direction_deg",
    "speed_mps",
    "vspeed_mps",
    "lat",
    "lon",
    "baro_alt_m",
    "geo_alt_m",
    "height_m",
    "h_accuracy_m",
    "v_accuracy_m",
    "baro_accuracy_m",
    "speed_accuracy_mps",
    "timestamp_s",
    "timestamp_accuracy_s",
]
SYS_FIELDS = [
    "version",
    "operator_location_type",
    "classification_type",
    "operator_lat",
    "operator_lon",
    "area_count",
    "area_radius_m",
    "area_ceiling_m",
    "area_floor_m",
    "ua_category",
    "ua_class",
    "operator_alt_m",
    "timestamp_at",
]


def same(a: object, b: object) -> bool:
    if a is None:
        return isinstance(b, float) and math.isnan(b)
    return a == b


def check(data: bytes) -> None:
    batch = decode_batch(data)
    for cols, fields in ((batch.location, LOC_FIELDS), (batch.system, SYS_FIELDS)):
        for j, row in enumerate(cols.row):
            one = m.decode_message(data[row * 25 : row * 25 + 25])
            for f in fields:
                assert same(getattr(one, f), getattr(cols, f)[j].item()), (f, one)
            assert bool(cols.odd[j]) == bool(one.notes), one
    for cols, attr in (
        (batch.basic_id, "uas_id"),
        (batch.self_id, "text"),
        (batch.operator_id, "operator_id"),
    ):
        for j, row in enumerate(cols.row):
            one = m.decode_message(data[row * 25 : row * 25 + 25])
            assert cols.text[j].decode("latin-1") == getattr(one, attr)
            assert bool(cols.odd[j]) == bool(one.notes), one


def test_batch_matches_codec_on_all_captures(captures: Path) -> None:
    packs = []
    for name in (
        "odid_wifi_sample.pcap",
        "odid_wifi_bcn_sample.pcap",
        "odid_bt5_lr_sample.pcapng",
        "dji_air3.pcapng",
        "parrot_anafi4_real.pcapng",
    ):
        for f in load(captures, name):
            with contextlib.suppress(DecodeError):  # the 30 bad-CRC BT5 frames
                packs += [r.raw for r in decode_link(f.link, f.data) if isinstance(r, Received)]
    batch = decode_packs_batch(packs)
    assert batch.count == 3538  # every ODID message in every CRC-valid frame (MANIFEST.md)
    assert int(np.isnan(batch.location.lat).sum()) == 222  # the BT5 sample has no fix
    check(b"".join(p[3 : 3 + p[2] * 25] for p in packs))


@settings(max_examples=200)
@given(st.lists(st.binary(min_size=25, max_size=25), min_size=1, max_size=20))
def test_batch_matches_codec_on_random_messages(msgs: list[bytes]) -> None:
    data = b"".join(bytes([(x[0] % 6) << 4 | x[0] >> 4]) + x[1:] for x in msgs)
    check(data)


def test_batch_rejects_bad_input() -> None:
    with pytest.raises(DecodeError):
        decode_batch(b"\0" * 24)
    with pytest.raises(DecodeError):
        decode_packs_batch([bytes([0xF0, 25, 10])])
