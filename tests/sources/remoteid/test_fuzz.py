"""Fuzzing: every decoder, fed random and mutated frames, raises nothing but DecodeError.

The normal suite runs a few hundred hypothesis examples per decoder; ``-m slow`` runs
``FUZZ_N`` (default 100,000) seeded random/mutated inputs per decoder. For 1e6:
``FUZZ_N=1000000 .venv/bin/pytest -m slow tests/sources/remoteid/test_fuzz.py``
(or the atheris targets in fuzz/, see docs/remoteid.md).
"""

from __future__ import annotations

import os
import random
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dronewatch.model import Frame
from dronewatch.sources.dji.droneid_wifi import decode_droneid_ie
from dronewatch.sources.errors import DecodeError
from dronewatch.sources.remoteid import messages as m
from dronewatch.sources.remoteid.assemble import Aggregator
from dronewatch.sources.remoteid.batch import decode_batch
from dronewatch.sources.remoteid.links import LINKS

from .conftest import CAPTURES, load

SEEDS_BY_LINK: dict[str, list[bytes]] = {}


def seeds() -> dict[str, list[bytes]]:
    """A few real frames per link type, to mutate."""
    if not SEEDS_BY_LINK:
        for name in (
            "odid_wifi_sample.pcap",
            "odid_wifi_bcn_sample.pcap",
            "odid_bt5_lr_sample.pcapng",
            "dji_air3.pcapng",
            "mavic_multiple_spoofed.pcapng",
        ):
            for f in load(CAPTURES, name)[:300]:
                SEEDS_BY_LINK.setdefault(f.link, []).append(f.data)
        wifi = SEEDS_BY_LINK["odid-wifi-radiotap"]
        SEEDS_BY_LINK["odid-wifi-beacon"] = [d[int.from_bytes(d[2:4], "little") :] for d in wifi]
        SEEDS_BY_LINK["odid-pack"] = [
            bytes.fromhex("f01901") + bytes.fromhex("1222b50000ade91014828502cf00007408d3072c04a7350a00")
        ]
        SEEDS_BY_LINK["odid-ble"] = [
            bytes(6)
            + bytes.fromhex("1e16faff0d01")
            + bytes.fromhex("02123135383146364e3841323342324d4c3359334b52000000")
        ]
        SEEDS_BY_LINK["odid-ble-ll"] = [d[17:] for d in SEEDS_BY_LINK["odid-ble-nordic"]]
        SEEDS_BY_LINK["odid-ble-ll-phdr"] = [
            bytes(8) + b"\x00\x0c" + d[18:] for d in SEEDS_BY_LINK["odid-ble-nordic"]
        ]
        SEEDS_BY_LINK["dji"] = [d[d.find(b"\x26\x37\x12\x58") :] for d in wifi if b"\x26\x37\x12\x58" in d]
    return SEEDS_BY_LINK


def mutate(rng: random.Random, data: bytes) -> bytes:
    b = bytearray(data)
    for _ in range(rng.randint(1, 4)):
        op = rng.random()
        if op < 0.4 and b:
            b[rng.randrange(len(b))] = rng.randrange(256)
        elif op < 0.6 and b:
            i = rng.randrange(len(b))
            b[i] ^= 1 << rng.randrange(8)
        elif op < 0.8:
            del b[rng.randrange(len(b) + 1) :]
        else:
            i = rng.randrange(len(b) + 1)
            b[i:i] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 8)))
    return bytes(b)


def _link(link: str) -> Callable[[bytes], object]:
    agg = Aggregator()
    return lambda data: agg(Frame(sensor_id="fuzz", received_at=1.7e9, link=link, data=data))


DECODERS: dict[str, Callable[[bytes], object]] = {
    **{link: _link(link) for link in LINKS},
    "decode_message": m.decode_message,
    "decode_pack": m.decode_pack,
    "decode_batch": decode_batch,
    "dji": decode_droneid_ie,
}


def seed_for(name: str) -> list[bytes]:
    s = seeds()
    if name in s:
        return s[name]
    if name == "decode_message":
        return [p[3:28] for p in s["odid-pack"]]
    return s["odid-pack"]


def run_one(fn: Callable[[bytes], object], data: bytes) -> None:
    try:
        fn(data)
    except DecodeError as err:
        assert err.reason != "decoder fault", f"{err} on {data.hex()}"


@pytest.mark.parametrize("name", sorted(DECODERS))
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_fuzz_hypothesis(name: str, data: st.DataObject) -> None:
    base = data.draw(st.sampled_from(seed_for(name)))
    rng = random.Random(data.draw(st.integers(0, 2**32)))
    blob = data.draw(st.one_of(st.binary(max_size=300), st.just(mutate(rng, base))))
    run_one(DECODERS[name], blob)


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(DECODERS))
def test_fuzz_many(name: str, captures: Path) -> None:
    n = int(os.environ.get("FUZZ_N", "100000"))
    rng = random.Random(f"dronewatch-{name}")
    base = seed_for(name)
    fn = DECODERS[name]
    for i in range(n):
        if i % 10 == 0:
            blob = rng.randbytes(rng.randrange(0, 300))
        elif i % 10 < 4 and name in ("decode_message", "decode_batch"):  # right length, random content
            blob = rng.randbytes(25 * (1 if name == "decode_message" else rng.randint(1, 8)))
        else:
            blob = mutate(rng, base[i % len(base)])
        run_one(fn, blob)
