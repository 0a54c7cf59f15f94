"""Frame -> Reports: the decoder registry by link type, with rejection counting.

A reader yields ``Frame``s (bytes plus link type); ``decode_frame`` picks the decoder for the
link and returns Reports, or raises ``DecodeError``. ``FrameDecoder`` wraps that for a
pipeline: bad frames are counted by reason and logged, and never stop the run.
"""

from __future__ import annotations

import hashlib
import logging
import math
from collections import Counter
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

import msgspec

from dronewatch.model import REPORT_DECODER, Frame, Geodetic, Radar, Report
from dronewatch.sources.errors import DecodeError

if TYPE_CHECKING:
    from dronewatch.config import Site

log = logging.getLogger(__name__)

Decoder = Callable[[Frame], list[Report]]
_DECODERS: dict[str, Decoder] = {}
# Decoders that keep memory (joining one aircraft's messages across frames): a factory per
# group of links; every FrameDecoder makes its own instance, so two pipelines never share it.
_STATEFUL: list[tuple[tuple[str, ...], Callable[..., Decoder], bool]] = []


def register(link: str) -> Callable[[Decoder], Decoder]:
    """Register a decoder for frames of this link type."""

    def wrap(fn: Decoder) -> Decoder:
        _DECODERS[link] = fn
        return fn

    return wrap


def register_stateful(links: tuple[str, ...], factory: Callable[..., Decoder], takes_site: bool = False) -> None:
    """Register a decoder with memory for these links; one instance per FrameDecoder serves
    all of them (one aircraft heard over several transports joins up). With ``takes_site`` the
    factory is called with the pipeline's Site (or None): sensor positions, SAC/SIC codes."""
    _STATEFUL.append((links, factory, takes_site))
    default = factory(None) if takes_site else factory()
    for link in links:
        _DECODERS[link] = default  # what the stateless ``decode_frame`` uses


def _check_finite(report: Report) -> None:
    m = report.measurement
    values: list[float | None] = [report.measured_at, report.received_at]
    if isinstance(m, Geodetic):
        if not (-90 <= m.lat <= 90 and -180 <= m.lon <= 180):
            raise DecodeError("position out of range", f"lat {m.lat} lon {m.lon}")
        values += [m.alt_m, m.h_sigma_m, m.v_sigma_m]
    elif isinstance(m, Radar):
        if m.range_m < 0:
            raise DecodeError("negative range", f"{m.range_m} m")
        values += [m.range_m, m.azimuth_deg, m.elevation_deg, m.sigma_range_m]
    if any(v is not None and not math.isfinite(v) for v in values):
        raise DecodeError("non-finite value", repr(m))


@register("dw-report")
def decode_report_json(frame: Frame) -> list[Report]:
    """dronewatch's own wire format: one msgspec-JSON ``Report`` per frame."""
    try:
        report = REPORT_DECODER.decode(frame.data)
    except msgspec.ValidationError as err:
        raise DecodeError("invalid report", str(err)) from None
    except msgspec.DecodeError as err:
        raise DecodeError("malformed JSON", str(err)) from None
    _check_finite(report)
    return [msgspec.structs.replace(report, raw_sha256=hashlib.sha256(frame.data).hexdigest())]


def decode_frame(frame: Frame) -> list[Report]:
    """Decode one frame by its link type. Raises DecodeError."""
    decoder = _DECODERS.get(frame.link)
    if decoder is None:
        raise DecodeError("unknown link type", frame.link)
    return decoder(frame)


class FrameDecoder:
    """Decodes frames for a pipeline; counts and logs rejects, never raises for bad input."""

    def __init__(self, site: Site | None = None) -> None:
        self.accepted = 0
        self.rejected: Counter[str] = Counter()
        self._own: dict[str, Decoder] = {}
        for links, factory, takes_site in _STATEFUL:
            instance = factory(site) if takes_site else factory()
            self._own.update(dict.fromkeys(links, instance))

    def decode(self, frames: Iterable[Frame]) -> list[Report]:
        out: list[Report] = []
        for frame in frames:
            own = self._own.get(frame.link)
            try:
                reports = own(frame) if own is not None else decode_frame(frame)
            except DecodeError as err:
                self.rejected[err.reason] += 1
                log.warning("%s: dropped frame at %.3f: %s", frame.sensor_id, frame.received_at, err)
                reports = None
            # A frame of many records (an ASTERIX datagram) keeps its good records; the decoder
            # hands over the reasons of the other records it dropped, counted here with the rest.
            take = getattr(own, "take_rejects", None)
            if take is not None:
                self.rejected.update(take())
            if reports is None:
                continue
            self.accepted += 1
            out.extend(reports)
        return out
