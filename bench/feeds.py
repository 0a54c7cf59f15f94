"""Feed decode throughput on one core: ASTERIX CAT048 records/s and Beast messages/s.

* ASTERIX: every CAT048 data block of the shared recordings (../shared/data/asterix), repeated,
  through the pipeline's path (``plots.plots048``: FSPEC, every item's length, the values a
  Report needs) and through the full decode (``fields.cat048``, every item, as
  ``dronewatch decode --json`` prints). Anchor in the same run: libasterix 0.36 (MIT, pure
  Python, the reference decoder the tests cross-check against) on the same blocks.
* Beast: the shared Beast recording (13,954 frames) through the pipeline's path: deframing
  (``BeastSplitter``), rs1090 Mode S decode (``ModeSDecoder``, with its per-message cache),
  per-aircraft state and CPR (``AircraftBook``). Twice: the file as recorded (every frame
  appears twice, so the cache hits often) and with the duplicates removed (each distinct frame
  once: the honest figure for a feed without duplicates). Anchor in the same run: rs1090's
  own batch decode of the same Mode S messages (no framing, no state, no cache).

Target (issue 12): >= 50,000 records/s and messages/s on one core. Rates are items per CPU
second of this (single-threaded) process, ``time.process_time``: on a shared machine wall time
would also count the other jobs' time slices. Each path runs ``--rounds`` times interleaved and
the best round counts. ``beast_mode_s_per_s_distinct`` counts Mode S messages only (the Mode A/C
frames of the recording, a third of it, are skipped cheaply). The last line is JSON.

    .venv/bin/python bench/feeds.py [--seconds 1.5] [--rounds 3]
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable
from pathlib import Path

import rs1090

from dronewatch.sources.adsb.beast import BeastFrame, BeastSplitter, escape
from dronewatch.sources.adsb.modes import AircraftBook, ModeSDecoder
from dronewatch.sources.asterix.blocks import split_blocks
from dronewatch.sources.asterix.fields import cat048
from dronewatch.sources.asterix.pcap import datagrams
from dronewatch.sources.asterix.plots import plots048
from dronewatch.sources.asterix.records import split_records

DATA = Path(__file__).resolve().parents[1] / ".." / "shared" / "data"
TARGET = 50_000


def asterix_blocks() -> list[bytes]:
    d = DATA / "asterix"
    blocks = [b for p in sorted(d.glob("*.pcap")) for g in datagrams(p) for _, b in split_blocks(g.payload)]
    for p in sorted(d.glob("*")):
        if p.suffix in (".raw", ".bin"):
            blocks += [b for _, b in split_blocks(p.read_bytes())]
    return [b for b in blocks if b[0] == 48]


def rate(fn: Callable[[], int], seconds: float) -> float:
    """Items per CPU second of ``fn`` (which returns how many items it did), over ~``seconds``."""
    done, t0 = 0, time.process_time()
    while True:
        done += fn()
        dt = time.process_time() - t0
        if dt >= seconds:
            return done / dt


def beast_pass(wire: bytes, mode_s_only: bool = False) -> Callable[[], int]:
    def run() -> int:
        splitter, modes, book = BeastSplitter(), ModeSDecoder(), AircraftBook()
        frames = splitter.feed(wire)
        for f in frames:
            if f.kind == 0x31:
                continue
            msg = modes.decode(f.payload)
            if msg is not None:
                book.ingest(msg, f.payload.hex(), f.seconds)
        return sum(f.kind != 0x31 for f in frames) if mode_s_only else len(frames)
    return run


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seconds", type=float, default=1.5)
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()

    blocks = asterix_blocks()
    n48 = sum(len(plots048(b)) for b in blocks)
    import asterix.generated as gen
    from asterix.base import Bits, RawDatablock

    def lib() -> int:
        k = 0
        for b in blocks:
            [db] = RawDatablock.parse(Bits.from_bytes(b))  # type: ignore[misc]
            recs = gen.Cat_048_1_32.cv_uap.parse(db.get_raw_records())
            k += len(recs)  # type: ignore[arg-type]
        return k

    fast = lambda: sum(len(plots048(b)) for b in blocks)  # noqa: E731
    full = lambda: sum(len([cat048(it) for it in split_records(48, b)]) for b in blocks)  # noqa: E731

    data = (DATA / "adsb" / "beast_ulss7_20180403T190228Z.bin").read_bytes()
    frames = BeastSplitter().feed(data)
    seen: set[BeastFrame] = set()
    distinct = [f for f in frames if not (f in seen or seen.add(f))]  # type: ignore[func-returns-value]
    wire_all, wire_distinct = data, b"".join(escape(f) for f in distinct)
    hexes = [f.payload.hex() for f in distinct if f.kind != 0x31]
    stamps = [f.seconds for f in distinct if f.kind != 0x31]

    def rs_batch() -> int:
        rs1090.decode(hexes, stamps)
        return len(hexes)

    best: dict[str, float] = {}
    for _ in range(args.rounds):
        for name, fn in (("asterix_cat048_records_per_s", fast), ("asterix_cat048_full_decode_per_s", full),
                         ("anchor_libasterix_records_per_s", lib),
                         ("beast_messages_per_s_as_recorded", beast_pass(wire_all)),
                         ("beast_messages_per_s_distinct", beast_pass(wire_distinct)),
                         ("beast_mode_s_per_s_distinct", beast_pass(wire_distinct, mode_s_only=True)),
                         ("anchor_rs1090_batch_modes_per_s", rs_batch)):
            best[name] = max(best.get(name, 0.0), rate(fn, args.seconds if "libasterix" not in name else 1.0))
    out = {k: round(v) for k, v in best.items()}
    out |= {
        "asterix_blocks": len(blocks), "asterix_cat048_records": n48,
        "beast_frames_as_recorded": len(frames), "beast_frames_distinct": len(distinct),
        "ratio_asterix_vs_libasterix": round(best["asterix_cat048_records_per_s"]
                                             / best["anchor_libasterix_records_per_s"], 1),
        "ratio_asterix_vs_target": round(best["asterix_cat048_records_per_s"] / TARGET, 2),
        "ratio_beast_distinct_vs_target": round(best["beast_messages_per_s_distinct"] / TARGET, 2),
        "ratio_beast_mode_s_distinct_vs_target": round(best["beast_mode_s_per_s_distinct"] / TARGET, 2),
        "ratio_beast_as_recorded_vs_target": round(best["beast_messages_per_s_as_recorded"] / TARGET, 2),
        "target_per_s": TARGET,
    }
    for k, v in out.items():
        print(f"{k:40s} {v}")
    print(json.dumps(out))


if __name__ == "__main__":
    main()
