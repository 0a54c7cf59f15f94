"""Every burst the decoder accepts in the shared capture is what was sent: its decoded block,
turbo-encoded again (TS 36.212 5.1.3.2, written here apart from the decoder), rate-matched and
scrambled, equals the received hard bits. A block that merely passed CRC-24 by chance would
differ in about half of them. This settles the manifest's "bursts 1 and 2 fail" (docs/ocusync.md)."""

from __future__ import annotations

import numpy as np

from dronewatch.sources.ocusync import detect, phy
from dronewatch.sources.ocusync.decoder import CODE_BLOCK, SCRAMBLER_INIT
from dronewatch.sources.ocusync.lte import RateMatch, gold, qpp, turbo_decode

from .helpers import RATE


def _rsc(bits: list[int]) -> tuple[list[int], list[int], list[int]]:
    """One constituent encoder (g0 = 1 + D^2 + D^3 feedback, g1 = 1 + D + D^3): parity, then the
    three tail systematic and parity bits that return it to state 0."""
    s1 = s2 = s3 = 0
    parity = []
    for c in bits:
        a = c ^ s2 ^ s3
        parity.append(a ^ s1 ^ s3)
        s1, s2, s3 = a, s1, s2
    tail_x, tail_z = [], []
    for _ in range(3):
        tail_x.append(s2 ^ s3)
        tail_z.append(s1 ^ s3)
        s1, s2, s3 = 0, s1, s2
    return parity, tail_x, tail_z


def _turbo_encode(c: list[int]) -> np.ndarray:
    """(3, K + 4) streams d0, d1, d2 with the trellis termination of TS 36.212 5.1.3.2.2."""
    z, x_t, z_t = _rsc(c)
    z2, x2_t, z2_t = _rsc([c[i] for i in qpp(len(c)).tolist()])
    d0 = [*c, x_t[0], z_t[1], x2_t[0], z2_t[1]]
    d1 = [*z, z_t[0], x_t[2], z2_t[0], x2_t[2]]
    d2 = [*z2, x_t[1], z_t[2], x2_t[1], z2_t[2]]
    return np.array([d0, d1, d2], dtype=np.uint8)


def test_every_accepted_burst_reencodes_to_the_received_bits(rf_iq: np.ndarray) -> None:
    rm = RateMatch(CODE_BLOCK, phy.CODED_BITS)
    scramble = 1.0 - 2.0 * gold(phy.CODED_BITS, SCRAMBLER_INIT).astype(np.float64)
    kinds, flipped = [], []
    for cand in detect.candidates(rf_iq, RATE, 2.0):
        seg = detect.baseband(rf_iq[cand.first : cand.last], RATE, cand.centre_hz, cand.first)
        for s in phy.sync(seg, max_bursts=2):
            soft = phy.soft_bits(seg, s)[0] * scramble
            bits, ok, _ = turbo_decode(rm.dematch(soft), 8)
            assert ok
            known = soft != 0  # a burst cut off by the file's end has erased symbols
            received = (soft[known] < 0).astype(np.uint8)
            sent = _turbo_encode(bits.tolist())[rm.stream, rm.index][known]
            assert int((received != sent).sum()) == 0
            wrong = bits.copy()
            wrong[700] ^= 1
            flipped.append(int((_turbo_encode(wrong.tolist())[rm.stream, rm.index][known] != received).sum()))
            kinds.append((int(known.sum()), np.packbits(bits)[1]))
    # bursts 1-4: a 0x11 message, then telemetry (0x10); the last is cut off by the file's end
    assert kinds == [(7200, 0x11), (7200, 0x10), (7200, 0x10), (3600, 0x10)]
    assert min(flipped) > 100  # the comparison sees one wrong bit
