"""DroneID readers for ``dronewatch serve``: a live SDR (SoapySDR, hopping) or a recording.

Both yield ``Frame``s of link ``dji-ocusync`` (the decoded 176-byte block) from the same
``OcuSyncDecoder``, so a recording replayed into ``serve`` takes exactly the live path.

- ``recording_frames``: a SigMF or raw recording, frames stamped ``start + burst time`` and, by
  default, released at that wall-clock instant (real-time replay).
- ``sdr_frames``: SoapySDR (optional: ``import SoapySDR`` is tried only here; without it the
  reader stops with a one-line reason). The receiver hops over ``hop_hz`` (by default
  ``hop_plan()``: the published DroneID centre frequencies of both bands), dwelling ``dwell_s``
  on each: longer than DroneID's ~640 ms period, so every drone sending on that channel is
  heard at least once per visit.
- ``readers``: ``--sdr`` specs -> ``ThreadedReader``s. A spec is ``DEVICE_ARGS[?band=B][@SENSOR_ID]``
  (e.g. ``driver=uhd,type=b200@rf-1``, ``driver=lime?band=2.4`` for a radio that cannot tune
  5.8 GHz) or a recording path (``file:PATH`` or an existing ``.sigmf-meta`` /
  ``.sigmf-data`` file; raw files as ``file:PATH?rate=HZ&format=ci16``).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator, Sequence
from functools import partial
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import numpy as np

from dronewatch.model import Frame
from dronewatch.sources.ocusync.decoder import OcuSyncDecoder
from dronewatch.sources.ocusync.link import LINK
from dronewatch.sources.ocusync.recording import open_recording
from dronewatch.sources.threaded import ThreadedReader, parse_input

log = logging.getLogger(__name__)

# DroneID centre frequencies. DJI publishes none; these are public measurements of OcuSync 2
# drones (docs/ocusync.md, "Hop plan", gives the sources and what each reported).
# 2.4 GHz: 2414.5, 2429.5, 2444.5 and 2459.5 MHz are in the reports named below; 2434.5 and
# 2474.5 only in the NDSS 2023 authors' receiver list, which they say may be wrong (DroneSecurity #4).
DRONEID_2G4_HZ = (2414.5e6, 2429.5e6, 2434.5e6, 2444.5e6, 2459.5e6, 2474.5e6)
# 5.8 GHz: four channels 20 MHz apart. Reported by frbarcio and pandajr69 in proto17/dji_droneid
# issue #60 (2026-07: "8 channels, 4 in each RF band", 5756.5/5776.5/5796.5/5816.5 MHz), by Skotis
# in RUB-SysSec/DroneSecurity issue #7 (2023-06-14: 5756.5, 5776.5, 5796.5 MHz seen) and by
# MauriceSaccani in RUB-SysSec/DroneSecurity issue #19 (2023-09-11: a Mavic Air 2 at 5776.5 MHz).
DRONEID_5G8_HZ = (5756.5e6, 5776.5e6, 5796.5e6, 5816.5e6)
BANDS: dict[str, tuple[float, ...]] = {"2.4": DRONEID_2G4_HZ, "5.8": DRONEID_5G8_HZ}
DEFAULT_RATE = 15.36e6
DEFAULT_DWELL_S = 0.7
FEED_SAMPLES = 1 << 20


def recording_frames(
    path: Path,
    sensor_id: str,
    *,
    rate: float | None = None,
    fmt: str | None = None,
    pace: bool = True,
    clock: Callable[[], float] = time.time,
    sleep: Callable[[float], None] = time.sleep,
) -> Iterator[Frame]:
    rec = open_recording(path, rate, fmt)
    dec = OcuSyncDecoder(rec.rate)
    start = clock()
    chunks = rec.chunks()
    chunk = next(chunks, None)
    while chunk is not None:
        after = next(chunks, None)
        for f in dec.feed(chunk, final=after is None):
            at = start + f.time_s
            if pace and at > clock():
                sleep(at - clock())
            yield Frame(sensor_id=sensor_id, received_at=at, link=LINK, data=f.block)
        chunk = after
    log.info("%s: recording done: %s", sensor_id, dict(dec.counts))


def hop_plan(band: str = "all") -> tuple[float, ...]:
    """The centre frequencies one hop cycle visits, in order: one band ("2.4" or "5.8") or
    "all" (2.4 GHz then 5.8 GHz). Raises ValueError for another band."""
    if band == "all":
        return DRONEID_2G4_HZ + DRONEID_5G8_HZ
    if band not in BANDS:
        raise ValueError(f"unknown DroneID band {band!r}: give 2.4, 5.8 or all")
    return BANDS[band]


def _soapy() -> Any:
    try:
        import SoapySDR
    except ImportError:
        raise RuntimeError(
            "SoapySDR Python bindings not found: install SoapySDR with its Python module for this "
            "interpreter (Debian: python3-soapysdr plus the driver module, e.g. soapysdr-module-uhd)"
        ) from None
    return SoapySDR


def sdr_frames(
    device_args: str,
    sensor_id: str,
    *,
    rate: float = DEFAULT_RATE,
    hop_hz: Sequence[float] | None = None,
    dwell_s: float = DEFAULT_DWELL_S,
    gain_db: float | None = None,
) -> Iterator[Frame]:
    soapy = _soapy()
    rx = soapy.SOAPY_SDR_RX
    dev = soapy.Device(device_args)
    dev.setSampleRate(rx, 0, rate)
    if gain_db is not None:
        dev.setGain(rx, 0, gain_db)
    stream = dev.setupStream(rx, soapy.SOAPY_SDR_CF32)
    dev.activateStream(stream)
    buf = np.empty(1 << 16, np.complex64)
    want = int(rate * dwell_s)
    plan = hop_plan() if hop_hz is None else tuple(hop_hz)
    try:
        while True:
            for centre in plan:
                dev.setFrequency(rx, 0, centre)
                dec = OcuSyncDecoder(rate)  # a retune breaks continuity: a new stream
                got, pending, started = 0, [], time.time()
                while got < want:
                    sr = dev.readStream(stream, [buf], len(buf), timeoutUs=200_000)
                    if sr.ret <= 0:
                        continue
                    pending.append(buf[: sr.ret].copy())
                    got += sr.ret
                    if sum(len(p) for p in pending) >= FEED_SAMPLES or got >= want:
                        chunk = np.concatenate(pending)
                        pending = []
                        for f in dec.feed(chunk, final=got >= want):
                            yield Frame(sensor_id=sensor_id, received_at=started + f.time_s, link=LINK,
                                        data=f.block)
    finally:
        dev.deactivateStream(stream)
        dev.closeStream(stream)


def _recording_spec(device: str) -> tuple[Path, float | None, str | None] | None:
    if device.startswith("file:"):
        path, _, query = device.removeprefix("file:").partition("?")
        q = parse_qs(query)
        rate = float(q["rate"][0]) if "rate" in q else None
        return Path(path), rate, q["format"][0] if "format" in q else None
    p = Path(device)
    if p.suffix in (".sigmf-meta", ".sigmf-data") and p.exists():
        return p, None, None
    return None


def readers(specs: Sequence[str], default_sensor: str = "rf-ocusync") -> list[ThreadedReader]:
    out = []
    for spec in specs:
        device, sensor = parse_input(spec, default_sensor)
        rec = _recording_spec(device)
        if rec is not None:
            path, rate, fmt = rec
            out.append(ThreadedReader(f"ocusync:{path.name}",
                                      partial(recording_frames, path, sensor, rate=rate, fmt=fmt)))
        else:
            args, _, query = device.partition("?")
            plan = hop_plan(parse_qs(query).get("band", ["all"])[0])
            out.append(ThreadedReader(f"sdr:{args}", partial(sdr_frames, args, sensor, hop_hz=plan)))
    return out
