"""Bad ASTERIX input: counted rejects (DecodeError), never another exception; and a
differential check against libasterix (MIT) on real and mutated blocks."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dronewatch.model import Frame
from dronewatch.sources.asterix.blocks import BlockSplitter, split_blocks
from dronewatch.sources.asterix.decoder import decode_datagram
from dronewatch.sources.asterix.pcap import datagrams
from dronewatch.sources.errors import DecodeError
from dronewatch.sources.frames import FrameDecoder

REAL = bytes.fromhex("300030fdf70219c9356d4da0c5aff1e0020005283c660c10c236d4182001c0780031bc000040"
                     "0deb07b9582e410020f5")

try:
    import asterix as libasterix
    from asterix.base import Bits, RawDatablock
except ImportError:  # pragma: no cover - the test extra installs it
    libasterix = None


def _lib_count(block: bytes) -> int | None:
    """Records libasterix finds in one block with the editions our UAPs follow; None if it fails."""
    import asterix.generated as gen

    spec = {48: gen.Cat_048_1_32, 62: gen.Cat_062_1_21, 34: gen.Cat_034_1_29, 65: gen.Cat_065_1_6}[block[0]]
    dbs = RawDatablock.parse(Bits.from_bytes(block))
    if isinstance(dbs, ValueError) or len(dbs) != 1:
        return None
    recs = spec.cv_uap.parse(dbs[0].get_raw_records())
    return None if isinstance(recs, ValueError) else len(recs)


def _all_blocks(asterix_dir: Path) -> list[bytes]:
    blocks = []
    for p in sorted(asterix_dir.iterdir()):
        if p.suffix == ".pcap":
            blocks += [b for d in datagrams(p) for _, b in split_blocks(d.payload)]
        elif p.suffix in (".raw", ".bin"):
            blocks += [b for _, b in split_blocks(p.read_bytes())]
    return blocks


def test_same_record_counts_as_libasterix(asterix_dir: Path) -> None:
    assert libasterix is not None, "libasterix (test extra) is needed for the cross-check"
    blocks = _all_blocks(asterix_dir)
    assert len(blocks) > 120
    for b in blocks:
        assert len(decode_datagram(b)) == _lib_count(b)


@settings(max_examples=400, deadline=None)
@given(st.binary(max_size=120))
def test_any_bytes(data: bytes) -> None:
    fd = FrameDecoder()
    fd.decode([Frame(sensor_id="r", received_at=1.7e9, link="asterix", data=data)])
    assert fd.accepted + sum(fd.rejected.values()) == 1
    splitter = BlockSplitter()
    for block in splitter.feed(data):
        assert int.from_bytes(block[1:3], "big") == len(block)


@settings(max_examples=400, deadline=None)
@given(st.integers(min_value=3, max_value=len(REAL) - 1), st.integers(min_value=0, max_value=255),
       st.integers(min_value=0, max_value=len(REAL)))
def test_mutated_real_block(pos: int, value: int, cut: int) -> None:
    """A real CAT048 block with one byte changed and maybe cut: a decode or a DecodeError; when
    ours decodes the whole block, libasterix agrees on the record count."""
    data = bytearray(REAL[:max(cut, 4)])
    data[1:3] = len(data).to_bytes(2, "big")
    if pos < len(data):
        data[pos] = value
    try:
        recs = decode_datagram(bytes(data))
    except DecodeError:
        return
    assert all(r["cat"] == 48 for r in recs)
    if libasterix is not None:
        lib = _lib_count(bytes(data))
        if lib is not None:
            assert lib == len(recs)


def test_truncated_block_is_a_decode_error() -> None:
    with pytest.raises(DecodeError, match="length"):
        decode_datagram(REAL[:-5])


def _same(block: bytes) -> None:
    from dronewatch.sources.asterix.plots import plots048

    try:
        full = decode_datagram(block)
    except DecodeError:
        full = None
    try:
        fast = plots048(block)
    except DecodeError:
        fast = None
    assert (full is None) == (fast is None)
    if full is None or fast is None:
        return
    assert len(full) == len(fast)
    for f, p in zip(full, fast, strict=True):
        assert (f.get("sac"), f.get("sic"), f.get("tod"), f.get("rho_nm"), f.get("theta_deg"), f.get("address"),
                f.get("ident"), f.get("tn"), f.get("height_3d_ft"), f.get("gsp_nmps"), f.get("hdg_deg")) == (
            p.sac, p.sic, p.tod, p.rho_nm, p.theta_deg, p.address, p.ident, p.tn, p.height_3d_ft, p.gsp_nmps,
            p.hdg_deg)
        assert (f.get("fl") if not f.get("fl_v") else None) == p.fl


def test_fast_plot_path_matches_the_full_decode(asterix_dir: Path) -> None:
    blocks = [b for b in _all_blocks(asterix_dir) if b[0] == 48]
    assert len(blocks) > 80
    for b in blocks:
        _same(b)


@settings(max_examples=300, deadline=None)
@given(st.integers(min_value=3, max_value=len(REAL) - 1), st.integers(min_value=0, max_value=255))
def test_fast_plot_path_on_mutated_blocks(pos: int, value: int) -> None:
    data = bytearray(REAL)
    data[pos] = value
    _same(bytes(data))
