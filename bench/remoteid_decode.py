"""Remote ID decode throughput: messages/s on one core through the public decode path.

Collects every ODID message pack from the shared captures, repeats them to at least 1e6
messages, and times, with every check on:

* ``messages.decode_pack`` per pack (a frozen msgspec Struct per message),
* ``messages.decode_message`` per 25-byte message,
* ``batch.decode_packs_batch`` (numpy columns, all packs at once),

against a naive anchor (plain struct-unpack, no checks, no objects) in the same run. The
machine is shared, so each path runs ``--rounds`` times interleaved with the anchor and the
best round of each counts. Prints one JSON line.

    .venv/bin/python bench/remoteid_decode.py [--min-messages 1000000]
"""

from __future__ import annotations

import argparse
import json
import struct
import time
from pathlib import Path

from dronewatch.sources.errors import DecodeError
from dronewatch.sources.remoteid import batch, messages, pcap
from dronewatch.sources.remoteid.links import decode_link
from dronewatch.sources.remoteid.received import Received

DATA = Path(__file__).resolve().parents[1] / ".." / "shared" / "data" / "remoteid"
_NAIVE_LOC = struct.Struct("<BBBbiiHHHBBHBB")


def collect() -> list[bytes]:
    packs: list[bytes] = []
    for path in sorted(DATA.glob("*.pcap*")):
        for frame in pcap.frames(path):
            try:
                decoded = decode_link(frame.link, frame.data)
            except DecodeError:
                continue
            packs += [r.raw for r in decoded if isinstance(r, Received) and r.raw and r.raw[0] >> 4 == 15]
    return [p[: 3 + p[2] * 25] for p in packs if p[2]]


def naive(packs: list[bytes]) -> int:
    """The anchor: what a plain struct-unpack parser does (no checks, no objects)."""
    n = 0
    for p in packs:
        for i in range(3, len(p), 25):
            h = p[i] >> 4
            if h == 1:
                f = _NAIVE_LOC.unpack_from(p, i + 1)
                _ = (f[4] * 1e-7, f[5] * 1e-7, f[7] * 0.5 - 1000, f[2] * 0.25, f[1])
            elif h in (0, 5):
                _ = p[i + 2 : i + 22].rstrip(b"\0").decode("ascii", "replace")
            n += 1
    return n


def ours(packs: list[bytes]) -> int:
    n = 0
    decode = messages.decode_pack
    for p in packs:
        n += len(decode(p))
    return n


def ours_single(msgs: list[bytes]) -> int:
    decode = messages.decode_message
    for m in msgs:
        decode(m)
    return len(msgs)


def ours_batch(packs: list[bytes]) -> int:
    return batch.decode_packs_batch(packs).count


def rate(fn, arg) -> float:  # type: ignore[no-untyped-def]
    t0 = time.perf_counter()
    n = fn(arg)
    return n / (time.perf_counter() - t0)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--min-messages", type=int, default=1_000_000)
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()
    base = collect()
    per_round = sum(p[2] for p in base)
    packs = base * (args.min_messages // per_round + 1)
    singles = [p[i : i + 25] for p in packs for i in range(3, len(p), 25)]
    ours(packs[:1000])
    best: dict[str, float] = {}
    ratios: dict[str, float] = {}
    for _ in range(args.rounds):
        for name, fn, arg in (
            ("pack", ours, packs),
            ("single", ours_single, singles),
            ("batch", ours_batch, packs),
        ):
            anchor = rate(naive, packs)
            mine = rate(fn, arg)
            best[name] = max(best.get(name, 0.0), mine)
            best["naive"] = max(best.get("naive", 0.0), anchor)
            ratios[name] = max(ratios.get(name, 0.0), mine / anchor)
    print(
        json.dumps(
            {
                "messages": len(singles),
                "distinct_packs": len(base),
                "naive_msgs_per_s": round(best["naive"]),
                "ours_pack_msgs_per_s": round(best["pack"]),
                "ours_single_msgs_per_s": round(best["single"]),
                "ours_batch_msgs_per_s": round(best["batch"]),
                "ratio_pack_vs_naive": round(ratios["pack"], 3),
                "ratio_single_vs_naive": round(ratios["single"], 3),
                "ratio_batch_vs_naive": round(ratios["batch"], 3),
                "target_msgs_per_s": 500_000,
            }
        )
    )


if __name__ == "__main__":
    main()
