"""The real Mavic Air 2 capture decodes to the manifest's payload, and so do seeded variants."""

from __future__ import annotations

import io
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
from scipy.signal import resample_poly

from dronewatch.sources.ocusync.cli import decode_command
from dronewatch.sources.ocusync.decoder import decode_samples
from dronewatch.sources.ocusync.payload import DroneIdFrame

from .helpers import RATE, REFERENCE_HEX

BURST3 = (165_400, 197_650)  # manifest sample range of the burst that upstream decodes


def _reference(frames: list[DroneIdFrame]) -> DroneIdFrame:
    hits = [f for f in frames if f.telemetry.sequence == 591]
    assert len(hits) == 1, [f.telemetry.sequence for f in frames]
    return hits[0]


def _assert_reference(f: DroneIdFrame) -> None:
    t = f.telemetry
    assert f.payload.hex() == REFERENCE_HEX
    assert t.serial == "1WNBH3900201N1"
    assert t.sequence == 591
    assert t.lat == pytest.approx(51.44633393111904, abs=1e-4)
    assert t.lon == pytest.approx(7.26721594197086, abs=1e-4)
    assert (t.home_lat, t.home_lon) == (pytest.approx(51.4462594466376, abs=1e-4),
                                        pytest.approx(7.267353451782758, abs=1e-4))
    assert (t.pilot_lat, t.pilot_lon) == (pytest.approx(51.44620788045814, abs=1e-4),
                                          pytest.approx(7.267101350460944, abs=1e-4))
    assert (t.altitude_raw, t.height_raw) == (141, 42)
    assert f.to_json()["device_type"] == "Mavic Air 2"
    assert f.to_json()["crc_ok"] is True and f.checksum_ok


def test_capture_cli_prints_exactly_the_frames(rf_meta: Path) -> None:
    out, err = io.StringIO(), io.StringIO()
    assert decode_command(rf_meta, None, None, True, out, err) == 0
    import json

    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    # stdout is data only: every line is a DroneID frame with the fields the issue names
    fields = {"type", "serial", "sequence", "lat", "lon", "height_m", "alt_m", "v_north", "v_east", "v_up",
              "home_lat", "home_lon", "pilot_lat", "pilot_lon", "device_type", "uuid", "crc_ok",
              "sample_offset", "freq_offset_hz"}
    assert all(fields <= d.keys() and d["type"] == "droneid" for d in lines)
    ref = [d for d in lines if d["sequence"] == 591]
    assert len(ref) == 1
    d = ref[0]
    assert d["serial"] == "1WNBH3900201N1" and d["crc_ok"] is True and d["device_type"] == "Mavic Air 2"
    assert d["uuid"] == "1143635532171534336"
    assert abs(d["sample_offset"] - BURST3[0]) < 200
    assert d["freq_offset_hz"] == pytest.approx(-12.47e6, abs=20e3)
    assert d["height_m"] == 42.0 and d["alt_m"] == 141.0
    # The first burst carries a CRC-valid frame of another message type (0x11): counted on
    # stderr, never printed. Burst 2 and the cut-off burst 4 carry sequences 589 and 592, each
    # confirmed by the payload's own CRC-16 besides the CRC-24.
    assert sorted(d["sequence"] for d in lines) == [589, 591, 592]
    assert all(d["checksum_ok"] for d in lines)
    summary = err.getvalue()
    assert "not_a_telemetry_message 1" in summary and "3 DroneID frames" in summary
    assert "crc_fail" not in summary


def test_capture_exact_payload(rf_iq: np.ndarray) -> None:
    frames, counts = decode_samples(rf_iq, RATE)
    _assert_reference(_reference(frames))
    assert counts["bursts"] == 4 and counts["frames"] == 3 and counts["not_a_telemetry_message"] == 1


def _burst_power(x: np.ndarray) -> float:
    return float(np.mean(np.abs(x[BURST3[0] : BURST3[1]]) ** 2))


@pytest.mark.parametrize("seed", [1, 2])
def test_noise_3db_below_burst_power(rf_iq: np.ndarray, seed: int) -> None:
    rng = np.random.default_rng(seed)
    p = _burst_power(rf_iq) / 2  # 3 dB below the burst
    noise = (rng.normal(size=len(rf_iq)) + 1j * rng.normal(size=len(rf_iq))) * np.sqrt(p / 2)
    frames, _ = decode_samples((rf_iq + noise).astype(np.complex64), RATE)
    _assert_reference(_reference(frames))


@pytest.mark.parametrize("offset_hz", [25e3, -25e3])
def test_carrier_offset(rf_iq: np.ndarray, offset_hz: float) -> None:
    n = np.arange(len(rf_iq))
    shifted = (rf_iq * np.exp(2j * np.pi * offset_hz / RATE * n)).astype(np.complex64)
    frames, _ = decode_samples(shifted, RATE)
    f = _reference(frames)
    _assert_reference(f)
    assert f.freq_offset_hz == pytest.approx(-12.47e6 + offset_hz, abs=20e3)


@pytest.mark.parametrize("rate", [30.72e6, 61.44e6])
def test_resampled(rf_iq: np.ndarray, rate: float) -> None:
    fr = Fraction(int(rate), int(RATE))
    y = resample_poly(rf_iq, fr.numerator, fr.denominator).astype(np.complex64)
    frames, _ = decode_samples(y, rate)
    f = _reference(frames)
    _assert_reference(f)
    assert abs(f.sample_offset - BURST3[0] * rate / RATE) < 200 * rate / RATE


def test_int16_quantised_sigmf(rf_iq: np.ndarray, tmp_path: Path) -> None:
    scale = 0.5 * 32767 / float(np.max(np.abs(rf_iq.view(np.float32))))
    q = np.round(rf_iq.view(np.float32) * scale).astype("<i2")
    q.tofile(tmp_path / "q.sigmf-data")
    (tmp_path / "q.sigmf-meta").write_text(
        '{"global": {"core:datatype": "ci16_le", "core:sample_rate": 50000000, "core:version": "1.0.0"},'
        ' "captures": [{"core:sample_start": 0}], "annotations": []}'
    )
    out, err = io.StringIO(), io.StringIO()
    assert decode_command(tmp_path / "q.sigmf-meta", None, None, True, out, err) == 0
    assert REFERENCE_HEX in out.getvalue()
    # the same file read as raw IQ with --rate/--format
    out2 = io.StringIO()
    assert decode_command(tmp_path / "q.sigmf-data", RATE, "ci16", True, out2, io.StringIO()) == 0
    assert out2.getvalue() == out.getvalue()


def test_bursts_away_from_start_across_chunks(rf_iq: np.ndarray) -> None:
    rng = np.random.default_rng(7)
    lead, tail = 1_234_567, 345_678
    floor = float(np.percentile(np.abs(rf_iq[:80_000]) ** 2, 50))
    total = lead + len(rf_iq) + tail
    x = ((rng.normal(size=total) + 1j * rng.normal(size=total)) * np.sqrt(floor / 2)).astype(np.complex64)
    x[lead : lead + len(rf_iq)] += rf_iq
    # small chunks so bursts straddle chunk boundaries
    frames, _counts = decode_samples(x, RATE, chunk=150_001)
    f = _reference(frames)
    _assert_reference(f)
    assert abs(f.sample_offset - (lead + BURST3[0])) < 200
    assert sorted(fr.telemetry.sequence for fr in frames) == [589, 591, 592]


def test_crc_failure_is_counted_not_printed(rf_iq: np.ndarray, tmp_path: Path) -> None:
    """Burst 3 with every data symbol replaced by noise (its ZC symbols intact): it still
    synchronises, fails CRC-24, and is counted on stderr; the other frames print as before."""
    x = rf_iq.copy()
    rng = np.random.default_rng(5)
    start, k = 165_431, RATE / 15.36e6
    p = _burst_power(rf_iq)
    for a, b in ((1104, 3296), (4392, 5488), (6584, 9880)):  # symbols 1-2, 4, 6-8 at 15.36 MS/s
        lo, hi = start + int(a * k), start + int(b * k)
        x[lo:hi] = ((rng.normal(size=hi - lo) + 1j * rng.normal(size=hi - lo)) * np.sqrt(p / 2)).astype(np.complex64)
    x.tofile(tmp_path / "hurt.cf32")
    out, err = io.StringIO(), io.StringIO()
    assert decode_command(tmp_path / "hurt.cf32", RATE, "cf32", True, out, err) == 0
    assert '"sequence":591' not in out.getvalue() and out.getvalue().count("\n") == 2
    assert "crc_fail 1" in err.getvalue() and "4 bursts" in err.getvalue()
