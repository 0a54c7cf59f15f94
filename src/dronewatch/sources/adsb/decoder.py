"""ADS-B Frames -> Reports: one stateful decoder for the Beast, SBS-1, aircraft.json and raw
Mode S hex links (registered in ``dronewatch.sources.adsb``).

Links and what a Frame's ``data`` holds:

* ``beast``         one unescaped Beast frame (``BeastFrame.to_bytes()``)
* ``modes-hex``     one Mode S message as hex text (``*8D...;`` AVR form, or bare hex)
* ``sbs``           one SBS-1 line
* ``aircraft-json`` one whole aircraft.json document (a poll)

Each position becomes one ``Report`` (sensor kind ``adsb``, ``Geodetic`` with height above
WGS84, ICAO address and call sign as identity). Times: the frame's receive time (Beast's
12 MHz counter is the receiver's clock, not time of day); aircraft.json positions are dated
``received_at - seen_pos``, so a file from another day still makes live tracks.
"""

from __future__ import annotations

import math
from collections import Counter
from itertools import count
from typing import TYPE_CHECKING

from dronewatch.model import Frame, Geodetic, Identity, Report
from dronewatch.sources.adsb import aircraft_json, sbs
from dronewatch.sources.adsb.beast import parse_unescaped
from dronewatch.sources.adsb.modes import FT, AircraftBook, Fix, ModeSDecoder, height_m, velocity_enu
from dronewatch.sources.errors import DecodeError

if TYPE_CHECKING:
    from dronewatch.config import Site

LINKS = ("beast", "modes-hex", "sbs", "aircraft-json")
#: aircraft.json positions older than this are not reported again.
STALE_POS_S = 60.0


def parse_hex_line(data: bytes | str) -> bytes:
    """``*8D...;`` (AVR), ``@<12 hex timestamp>...;`` (AVR with MLAT time) or bare hex -> bytes."""
    text = data.decode("ascii", "replace") if isinstance(data, bytes) else data
    text = text.strip().rstrip(";")
    if text.startswith("@") and len(text) > 12:
        text = text[13:]
    text = text.lstrip("*:").strip()
    if len(text) not in (14, 28):
        raise DecodeError("Mode S hex of wrong length", f"{len(text)} hex digits")
    try:
        return bytes.fromhex(text)
    except ValueError:
        raise DecodeError("Mode S hex not hex", text[:30]) from None


class AdsbDecoder:
    """Stateful Frame -> Reports for the ADS-B links; one per pipeline."""

    def __init__(self, site: Site | None = None, reference: tuple[float, float] | None = None) -> None:
        if reference is None and site is not None:
            # The receiver: the site's ADS-B sensor, else the site origin. Fixes farther than
            # ``AircraftBook.max_range_m`` from it are implausible (a bad CPR pair) and dropped.
            rx = next((s for s in site.sensors if s.kind == "adsb"), None)
            reference = (rx.lat, rx.lon) if rx is not None else (site.origin.lat, site.origin.lon)
        self.modes = ModeSDecoder()
        self.book = AircraftBook(reference=reference)
        self._taken: Counter[str] = Counter()
        self._sbs: dict[str, sbs.SbsMessage] = {}  # last identity / velocity per address
        self._sbs_calls: dict[str, str] = {}
        self._sbs_squawks: dict[str, str] = {}
        self._sbs_vel: dict[str, tuple[float, float, float, float]] = {}  # gs, track, vr, at
        self._json_last: dict[str, tuple[float, float, float]] = {}  # lat, lon, position time
        self._seq = count(1)
        self._last_forget = -math.inf

    def __call__(self, frame: Frame) -> list[Report]:
        link = frame.link
        if link == "beast":
            try:
                bf = parse_unescaped(frame.data)
            except ValueError as err:
                raise DecodeError("bad Beast frame", str(err)) from None
            if bf.kind == 0x31:
                return []  # Mode A/C: no address, nothing for the tracker
            return self._modes(frame, bf.payload)
        if link == "modes-hex":
            return self._modes(frame, parse_hex_line(frame.data))
        if link == "sbs":
            return self._sbs_line(frame)
        if link == "aircraft-json":
            return self._aircraft_json(frame)
        raise DecodeError("unknown link type", link)

    def take_rejects(self) -> Counter[str]:
        """Positions the aircraft state refused (implausible range, jumps) since the last call."""
        now = self.book.rejected.copy()
        delta = now - self._taken
        self._taken = now
        return delta

    # --- Mode S -------------------------------------------------------------------------------

    def _modes(self, frame: Frame, payload: bytes) -> list[Report]:
        msg = self.modes.decode(payload)
        if msg is None:
            raise DecodeError("Mode S not decodable (CRC or format)", payload.hex())
        if frame.received_at - self._last_forget > 60.0:
            self.book.forget(frame.received_at)
            self._last_forget = frame.received_at
        fix = self.book.ingest(msg, payload.hex(), frame.received_at)
        return [] if fix is None else [self._report(frame, fix)]

    def _report(self, frame: Frame, fix: Fix) -> Report:
        return Report(
            report_id=f"{frame.sensor_id}-adsb-{next(self._seq)}",
            sensor_id=frame.sensor_id,
            sensor_kind="adsb",
            measured_at=fix.at,
            received_at=frame.received_at,
            measurement=Geodetic(lat=fix.lat, lon=fix.lon, alt_m=fix.alt_m, h_sigma_m=fix.h_sigma_m,
                                 v_sigma_m=fix.v_sigma_m, vel_enu_mps=fix.vel_enu_mps),
            identity=Identity(scheme="icao", value=fix.icao, callsign=fix.callsign),
        )

    # --- SBS-1 --------------------------------------------------------------------------------

    def _sbs_line(self, frame: Frame) -> list[Report]:
        m = sbs.parse_line(frame.data)
        if m is None:
            return []
        at = frame.received_at
        if m.callsign:
            self._sbs_calls[m.icao] = m.callsign
        if m.squawk:
            self._sbs_squawks[m.icao] = m.squawk
        if m.ground_speed_kt is not None and m.track_deg is not None:
            self._sbs_vel[m.icao] = (m.ground_speed_kt, m.track_deg, m.vertical_rate_fpm or 0.0, at)
        if m.lat is None or m.lon is None:
            return []
        vel = None
        v = self._sbs_vel.get(m.icao)
        if v is not None and at - v[3] <= 15.0:
            vel = velocity_enu(v[0], v[1], v[2])
        # SBS altitude is barometric (dump1090 / readsb write alt_baro there).
        alt_m, v_sigma = height_m(None, m.altitude_ft, None)
        fix = Fix(icao=m.icao, at=at, lat=m.lat, lon=m.lon, alt_m=alt_m, alt_baro_ft=m.altitude_ft,
                  h_sigma_m=50.0, v_sigma_m=v_sigma, vel_enu_mps=vel, callsign=self._sbs_calls.get(m.icao),
                  squawk=self._sbs_squawks.get(m.icao), method="sbs")
        return [self._report(frame, fix)]

    # --- aircraft.json ------------------------------------------------------------------------

    def _aircraft_json(self, frame: Frame) -> list[Report]:
        now, states = aircraft_json.parse(frame.data)
        out = []
        for s in states:
            if s.lat is None or s.lon is None or not (-90 <= s.lat <= 90 and -180 <= s.lon <= 180):
                continue
            seen = s.seen_pos_s or 0.0
            if seen > STALE_POS_S:
                continue
            # Identify a position by the document's own clock, so the same fix polled twice is
            # reported once; date it on the receive clock.
            pos_time = (now if now is not None else frame.received_at) - seen
            last = self._json_last.get(s.icao)
            if last is not None and last[0] == s.lat and last[1] == s.lon and abs(last[2] - pos_time) < 0.05:
                continue
            self._json_last[s.icao] = (s.lat, s.lon, pos_time)
            alt_m, v_sigma = height_m(s.alt_geom_ft, s.alt_baro_ft, None)
            if s.on_ground and alt_m is None:
                alt_m, v_sigma = None, 1000.0
            h_sigma = 10.0 if (s.nac_p or 0) >= 9 else 30.0 if (s.nac_p or 0) >= 7 else 100.0
            fix = Fix(icao=s.icao, at=frame.received_at - seen, lat=s.lat, lon=s.lon, alt_m=alt_m,
                      alt_baro_ft=s.alt_baro_ft, h_sigma_m=h_sigma, v_sigma_m=v_sigma,
                      vel_enu_mps=velocity_enu(s.gs_kt, s.track_deg, s.vrate_fpm), callsign=s.callsign,
                      squawk=s.squawk, method="aircraft-json")
            out.append(self._report(frame, fix))
        return out


__all__ = ["FT", "LINKS", "AdsbDecoder", "parse_hex_line"]
