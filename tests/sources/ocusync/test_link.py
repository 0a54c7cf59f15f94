"""DroneID blocks into the pipeline: the encoder rebuilds the real block, the link decoder
makes the Report tracks and rules use, and a recording feeds a Pipeline like a live SDR."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from dronewatch.config import load_site
from dronewatch.model import Frame, Geodetic
from dronewatch.pipeline import Pipeline
from dronewatch.sources.errors import DecodeError
from dronewatch.sources.frames import decode_frame
from dronewatch.sources.ocusync.decoder import decode_samples
from dronewatch.sources.ocusync.encode import block_bytes
from dronewatch.sources.ocusync.link import LINK
from dronewatch.sources.ocusync.live import readers, recording_frames
from dronewatch.sources.ocusync.lte import crc24a

from .helpers import RATE, REFERENCE_HEX

SITE = """\
name: Bochum test
origin: {lat: 51.4463, lon: 7.2672, alt_m: 100}
sensors:
  - {id: rf-7, kind: rf, lat: 51.4462, lon: 7.2671, range_m: 3000}
"""


def test_encoder_rebuilds_the_real_blocks(rf_iq: np.ndarray) -> None:
    frames, _ = decode_samples(rf_iq, RATE)
    assert frames
    for f in frames:
        built = block_bytes(f.telemetry)
        # payload and its CRC-16 bit-exact; the real block's tail (bytes 91..172) holds
        # drone-specific filler the encoder zeroes, so only the CRC-24 is compared there
        assert built[:91] == f.block[:91] == f.payload
        assert len(built) == len(f.block) == 176 and crc24a(built) == 0 == crc24a(f.block)


def test_link_decoder_report(rf_iq: np.ndarray) -> None:
    frames, _ = decode_samples(rf_iq, RATE)
    f = next(f for f in frames if f.payload.hex() == REFERENCE_HEX)
    (rep,) = decode_frame(Frame(sensor_id="rf-1", received_at=1000.0, link=LINK, data=f.block))
    assert rep.sensor_kind == "dji" and rep.identity is not None
    assert (rep.identity.scheme, rep.identity.value) == ("dji", "1WNBH3900201N1")
    m = rep.measurement
    assert isinstance(m, Geodetic)
    assert m.lat == pytest.approx(51.44633393111904, abs=1e-4) and m.lon == pytest.approx(7.26721594197086, abs=1e-4)
    assert rep.operator is not None and rep.operator.lat == pytest.approx(51.44620788045814, abs=1e-4)
    assert rep.home is not None and rep.home.lon == pytest.approx(7.267353451782758, abs=1e-4)
    assert rep.raw_sha256 is not None
    bad = bytearray(f.block)
    bad[30] ^= 0x01
    with pytest.raises(DecodeError, match="CRC-24"):
        decode_frame(Frame(sensor_id="rf-1", received_at=1000.0, link=LINK, data=bytes(bad)))
    with pytest.raises(DecodeError, match="length"):
        decode_frame(Frame(sensor_id="rf-1", received_at=1000.0, link=LINK, data=f.block[:100]))


def test_recording_feeds_a_pipeline_like_a_live_sdr(rf_meta: Path, tmp_path: Path) -> None:
    (reader,) = readers([f"{rf_meta}@rf-7"])
    assert reader.name.startswith("ocusync:")
    frames = list(recording_frames(rf_meta, "rf-7", pace=False, clock=lambda: 5000.0))
    assert [f.link for f in frames] == [LINK] * 3 and {f.sensor_id for f in frames} == {"rf-7"}
    assert 5000.0 < frames[0].received_at < frames[-1].received_at < 5000.01
    site_file = tmp_path / "site.yaml"
    site_file.write_text(SITE)
    pipe = Pipeline(load_site(site_file))
    update = pipe.step(frames, frames[-1].received_at + 0.5)
    tracks = [t for t in update.tracks if t.identity is not None]
    assert len(tracks) == 1
    t = tracks[0]
    assert t.identity is not None and t.identity.value == "1WNBH3900201N1"
    assert t.operator is not None and t.operator.lat == pytest.approx(51.44620788045814, abs=1e-4)
    assert t.home is not None
    assert abs(t.lat - 51.44633393111904) < 1e-3 and abs(t.lon - 7.26721594197086) < 1e-3
