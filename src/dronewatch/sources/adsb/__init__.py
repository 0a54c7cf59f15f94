"""ADS-B / Mode S from readsb and dump1090: Beast binary (port 30005), SBS-1 text (30003),
raw hex (30002) and aircraft.json, decoded with rs1090 (MIT). Registers the frame decoder.

Modules: ``beast`` (framing), ``sbs`` and ``aircraft_json`` (parsers), ``modes`` (rs1090 +
per-aircraft state and CPR), ``decoder`` (Frames -> Reports), ``feeds`` (TCP / poll readers),
``files`` (recorded files -> Frames, for decode and replay).
"""

from __future__ import annotations

from dronewatch.sources.adsb.decoder import LINKS, AdsbDecoder
from dronewatch.sources.frames import register_stateful

register_stateful(LINKS, AdsbDecoder, takes_site=True)

__all__ = ["LINKS", "AdsbDecoder"]
