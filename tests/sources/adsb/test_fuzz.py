"""Bad input to the ADS-B decoders: counted rejects (DecodeError), never another exception."""

from __future__ import annotations

import contextlib

from hypothesis import given, settings
from hypothesis import strategies as st

from dronewatch.model import Frame
from dronewatch.sources.adsb import sbs
from dronewatch.sources.adsb.beast import BeastSplitter
from dronewatch.sources.adsb.decoder import AdsbDecoder
from dronewatch.sources.errors import DecodeError
from dronewatch.sources.frames import FrameDecoder

GOOD = bytes.fromhex("1a33030bf18ecef78d71be3458b50728b527a72393c8")
SBS_LINE = b"MSG,3,1,1,71BE34,1,2018/04/03,19:02:28.951,2018/04/10,21:24:39.448,,35000,,,59.73459,31.99796,,,,,,0"


@settings(max_examples=300, deadline=None)
@given(st.lists(st.binary(max_size=64) | st.just(GOOD), max_size=10))
def test_beast_stream_and_decoder(pieces: list[bytes]) -> None:
    splitter = BeastSplitter()
    decoder = AdsbDecoder()
    for p in pieces:
        for f in splitter.feed(p):
            assert len(f.payload) in (2, 7, 14)
            with contextlib.suppress(DecodeError):
                decoder(Frame(sensor_id="b", received_at=1.0, link="beast", data=f.to_bytes()))


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=40), st.sampled_from(["beast", "modes-hex", "sbs", "aircraft-json"]))
def test_any_bytes_on_any_link(data: bytes, link: str) -> None:
    fd = FrameDecoder()
    reports = fd.decode([Frame(sensor_id="x", received_at=1.0, link=link, data=data)])
    assert fd.accepted + sum(fd.rejected.values()) == 1
    assert all(r.sensor_kind == "adsb" for r in reports)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(alphabet="0123456789,.-/: ABCDEFMSG~", max_size=12), min_size=1, max_size=24))
def test_sbs_fields(fields: list[str]) -> None:
    line = ",".join(["MSG", *fields])
    with contextlib.suppress(DecodeError):
        sbs.parse_line(line)
    mutated = SBS_LINE.replace(b"59.73459", ",".join(fields[:1]).encode())
    with contextlib.suppress(DecodeError):
        sbs.parse_line(mutated)
