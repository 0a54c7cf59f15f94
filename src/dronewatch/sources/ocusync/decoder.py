"""DroneID decoder over a stream of IQ chunks: detect -> sync -> soft bits -> decode -> parse.

``OcuSyncDecoder(fs).feed(chunk)`` takes consecutive chunks of one recording (any rate from
15.36 MS/s up) and returns the frames whose bursts start in it; it keeps the tail of each
chunk so a burst cut by a chunk boundary is decoded whole from the next call. Everything it
could not decode is counted by reason in ``counts`` (``crc_fail``, ``no_sync``, ...).
"""

from __future__ import annotations

from collections import Counter

import numpy as np

from dronewatch.sources.errors import DecodeError
from dronewatch.sources.ocusync import detect, phy
from dronewatch.sources.ocusync.lte import RateMatch, gold, turbo_decode
from dronewatch.sources.ocusync.payload import FRAME_BYTES, DroneIdFrame, parse_payload

SCRAMBLER_INIT = 0x12345678
CODE_BLOCK = 1408
MIN_RATE = 15.36e6


class OcuSyncDecoder:
    def __init__(self, fs: float, *, threshold_db: float = 2.0, iterations: int = 8) -> None:
        if not fs >= MIN_RATE * 0.999:
            raise ValueError(f"sample rate {fs:.0f} Hz is below 15.36 MS/s: DroneID needs at least that")
        self.fs = float(fs)
        self.threshold_db = threshold_db
        self.iterations = iterations
        self.counts: Counter[str] = Counter()
        self._rm = RateMatch(CODE_BLOCK, phy.CODED_BITS)
        self._scramble = 1.0 - 2.0 * gold(phy.CODED_BITS, SCRAMBLER_INIT).astype(np.float64)
        self._keep = int(fs * (phy.BURST_LEN / phy.FS + 2 * detect.MARGIN_S)) + 1
        self._tail = np.zeros(0, np.complex64)
        self._tail_at = 0  # recording index of self._tail[0]
        self._seen: list[tuple[int, float]] = []  # sample offsets already reported (recent)

    def feed(self, chunk: np.ndarray, final: bool = False) -> list[DroneIdFrame]:
        """Frames from the next ``chunk`` of samples; ``final`` flushes the stored tail."""
        chunk = np.asarray(chunk, np.complex64)
        if not np.isfinite(chunk.view(np.float32).sum(dtype=np.float64)):
            self.counts["non_finite_chunks"] += 1  # NaN/inf samples (a driver fault) become 0
            chunk = np.nan_to_num(chunk, nan=0.0, posinf=0.0, neginf=0.0)
        x = np.concatenate([self._tail, chunk]) if len(self._tail) else chunk
        at = self._tail_at
        self.counts["samples"] += len(chunk)
        frames = self._scan(np.asarray(x, np.complex64), at, None if final else len(x) - self._keep)
        keep = min(len(x), self._keep)
        self._tail = np.array(x[len(x) - keep :], np.complex64)
        self._tail_at = at + len(x) - keep
        return frames

    def _scan(self, x: np.ndarray, at: int, limit: int | None) -> list[DroneIdFrame]:
        frames: list[DroneIdFrame] = []
        for cand in detect.candidates(x, self.fs, self.threshold_db):
            if limit is not None and cand.last >= len(x) - 1 and cand.first >= limit:
                continue  # still arriving: decode it from the next chunk
            self.counts["candidates"] += 1
            seg = detect.baseband(x[cand.first : cand.last], self.fs, cand.centre_hz, at + cand.first)
            syncs = phy.sync(seg, max_bursts=2)
            if not syncs:
                self.counts["no_sync"] += 1
                continue
            for s in syncs:
                offset = at + cand.first + round(s.start * self.fs / phy.FS)
                hz = cand.centre_hz + s.cfo_hz
                if any(abs(offset - o) < self._keep // 2 and abs(hz - f) < 1e6 for o, f in self._seen):
                    continue
                self._seen = [*self._seen[-31:], (offset, hz)]
                self.counts["bursts"] += 1
                frame = self._decode(seg, s, offset, cand.centre_hz)
                if frame is not None:
                    frames.append(frame)
        return frames

    def _decode(self, seg: np.ndarray, s: phy.Sync, offset: int, centre_hz: float) -> DroneIdFrame | None:
        llr, snr = phy.soft_bits(seg, s)
        streams = self._rm.dematch(llr * self._scramble)
        bits, ok, _ = turbo_decode(streams, self.iterations)
        if not ok:
            self.counts["crc_fail"] += 1
            return None
        block = np.packbits(bits).tobytes()
        try:
            telemetry, payload, checksum_ok = parse_payload(block[:FRAME_BYTES])
        except DecodeError as e:
            self.counts[e.reason.replace(" ", "_")] += 1
            return None
        self.counts["frames"] += 1
        if not checksum_ok:
            self.counts["checksum_mismatch"] += 1
        return DroneIdFrame(
            telemetry=telemetry,
            payload=payload,
            block=block,
            checksum_ok=checksum_ok,
            sample_offset=offset,
            freq_offset_hz=float(centre_hz + s.cfo_hz),
            snr_db=float(snr),
            time_s=offset / self.fs,
        )


def decode_samples(x: np.ndarray, fs: float, chunk: int = 1 << 22) -> tuple[list[DroneIdFrame], Counter[str]]:
    """All frames in an in-memory recording."""
    dec = OcuSyncDecoder(fs)
    out: list[DroneIdFrame] = []
    for i in range(0, max(len(x), 1), chunk):
        out += dec.feed(x[i : i + chunk], final=i + chunk >= len(x))
    return out, dec.counts
