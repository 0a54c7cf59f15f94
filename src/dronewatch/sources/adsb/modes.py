"""Mode S / ADS-B messages -> aircraft state -> position fixes, with rs1090 (MIT) decoding.

``ModeSDecoder.decode(payload)`` is rs1090 on one message (CRC checked for DF11/17/18;
results cached by message bytes, since replies repeat). ``AircraftBook`` keeps per-aircraft
state and turns airborne positions into fixes:

* **local CPR**: one message, decoded against the aircraft's own last fix (younger than
  ``local_max_age_s``), by rs1090 with that reference;
* **global CPR**: an even/odd pair less than ``pair_max_s`` apart, decoded together by rs1090;
* ``reference`` (the receiver), when given, bounds plausible fixes (``max_range_m``).

Replies whose address is only recoverable through the parity (DF0/4/5/16/20/21) count only for
aircraft already known from DF11/17/18, as readsb does, so noise does not invent aircraft.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import rs1090 as _rs1090

from dronewatch.sources.errors import DecodeError

# rs1090's stubs type each message kind as its own TypedDict; the fields are read by name here.
rs1090: Any = _rs1090

FT = 0.3048
KT = 1852.0 / 3600.0
FPM = FT / 60.0
#: NUCp by airborne position type code (DO-260B table 2-14), and its horizontal protection
#: limit in metres; 1-sigma is taken as HPL / 2.
_NUCP_BY_TC = {9: 9, 10: 8, 11: 7, 12: 6, 13: 5, 14: 4, 15: 3, 16: 2, 17: 1, 18: 0, 20: 9, 21: 8, 22: 0}
_HPL_M = {9: 7.5, 8: 25.0, 7: 185.2, 6: 370.4, 5: 926.0, 4: 1852.0, 3: 3704.0, 2: 18520.0, 1: 37040.0, 0: 100000.0}
_ADDRESS_IN_PARITY = {"0", "4", "5", "16", "20", "21"}


class _PanicGuard:
    """rs1090 raises pyo3's PanicException (a BaseException) on inputs it cannot take."""

    @staticmethod
    def is_panic(exc: BaseException) -> bool:
        return type(exc).__name__ == "PanicException"


class ModeSDecoder:
    """rs1090 on single messages, with a bounded cache keyed by the message bytes."""

    def __init__(self, cache_size: int = 1 << 16) -> None:
        self._cache: dict[bytes, dict[str, Any] | None] = {}
        self._cache_size = cache_size
        self.hits = 0

    def decode(self, payload: bytes) -> dict[str, Any] | None:
        """The rs1090 fields of one 7- or 14-byte message, or None (bad CRC, unsupported)."""
        cached = self._cache.get(payload, False)
        if cached is not False:
            self.hits += 1
            return cached  # type: ignore[return-value]
        if len(payload) not in (7, 14):
            raise DecodeError("bad Mode S length", f"{len(payload)} bytes")
        try:
            msg: dict[str, Any] | None = rs1090.decode(payload.hex())
        except BaseException as exc:
            if not _PanicGuard.is_panic(exc):
                raise
            raise DecodeError("Mode S decoder error", str(exc).splitlines()[0]) from None
        if len(self._cache) >= self._cache_size:
            self._cache.clear()
        self._cache[payload] = msg
        return msg


@dataclass(slots=True)
class Aircraft:
    """What is known of one aircraft (ICAO address), in SI units where they are ours."""

    icao: str
    callsign: str | None = None
    squawk: str | None = None
    category: str | None = None
    alt_baro_ft: float | None = None
    alt_geom_ft: float | None = None  # GNSS height (ADS-B v2: above the WGS84 ellipsoid)
    geo_minus_baro_ft: float | None = None
    gs_kt: float | None = None
    track_deg: float | None = None
    vrate_fpm: float | None = None
    velocity_at: float = -math.inf
    lat: float | None = None
    lon: float | None = None
    fix_at: float = -math.inf
    nucp: int | None = None
    even: tuple[str, float] | None = None  # (hex, time) of the last even position message
    odd: tuple[str, float] | None = None
    last_seen: float = -math.inf
    messages: int = 0


@dataclass(frozen=True, slots=True)
class Fix:
    """One decoded position of one aircraft, with what was known at that moment."""

    icao: str
    at: float
    lat: float
    lon: float
    alt_m: float | None  # height above the WGS84 ellipsoid (estimated from baro when needed)
    alt_baro_ft: float | None
    h_sigma_m: float
    v_sigma_m: float
    vel_enu_mps: tuple[float, float, float] | None
    callsign: str | None
    squawk: str | None
    method: str  # "global", "local", "sbs", "aircraft-json"


def _haversine_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6_371_000.0 * math.asin(min(1.0, math.sqrt(a)))


def velocity_enu(
    gs_kt: float | None, track_deg: float | None, vrate_fpm: float | None
) -> tuple[float, float, float] | None:
    """Ground speed (kt), track (deg true) and vertical rate (ft/min) -> ENU m/s."""
    if gs_kt is None or track_deg is None:
        return None
    t = math.radians(track_deg)
    gs = gs_kt * KT
    return (gs * math.sin(t), gs * math.cos(t), (vrate_fpm or 0.0) * FPM)


def height_m(
    alt_geom_ft: float | None, alt_baro_ft: float | None, geo_minus_baro_ft: float | None
) -> tuple[float | None, float]:
    """(height above WGS84 in m, its 1-sigma): geometric when known, else baro (+ GNSS-baro offset)."""
    if alt_geom_ft is not None:
        return alt_geom_ft * FT, 15.0
    if alt_baro_ft is None:
        return None, 1000.0
    if geo_minus_baro_ft is not None:
        return (alt_baro_ft + geo_minus_baro_ft) * FT, 30.0
    return alt_baro_ft * FT, 150.0  # pressure altitude only: hundreds of metres off on odd days


@dataclass
class AircraftBook:
    """Per-aircraft state fed with decoded Mode S messages; yields position fixes."""

    reference: tuple[float, float] | None = None  # receiver lat, lon
    max_range_m: float = 600_000.0
    pair_max_s: float = 10.0
    local_max_age_s: float = 30.0
    velocity_max_age_s: float = 15.0
    forget_s: float = 300.0
    aircraft: dict[str, Aircraft] = field(default_factory=dict)
    rejected: Counter[str] = field(default_factory=Counter)

    def _get(self, icao: str, create: bool) -> Aircraft | None:
        ac = self.aircraft.get(icao)
        if ac is None and create:
            ac = self.aircraft[icao] = Aircraft(icao)
        return ac

    def ingest(self, msg: dict[str, Any], hexmsg: str, at: float) -> Fix | None:
        """One rs1090 message dict (``hexmsg`` its hex) received at ``at``; a fix if it makes one."""
        df = msg.get("df")
        icao = str(msg.get("icao24", "")).upper()
        if not icao:
            return None
        trusted = df in ("11", "17", "18")
        if df == "18" and msg.get("tisb") is not None:  # TIS-B/ADS-R with non-ICAO addresses: still usable
            trusted = True
        ac = self._get(icao, create=trusted)
        if ac is None:
            self.rejected["address unknown (parity)"] += 1
            return None
        ac.last_seen = at
        ac.messages += 1
        if df in _ADDRESS_IN_PARITY:
            if msg.get("altitude") is not None and df in ("0", "4", "16", "20"):
                ac.alt_baro_ft = float(msg["altitude"])
            if msg.get("squawk"):
                ac.squawk = str(msg["squawk"])
            bds20 = msg.get("bds20")
            if isinstance(bds20, dict) and bds20.get("callsign"):
                ac.callsign = str(bds20["callsign"]).strip() or ac.callsign
            return None
        bds = msg.get("bds")
        if bds == "08":
            ac.callsign = str(msg.get("callsign", "")).strip() or ac.callsign
            ac.category = msg.get("wake_vortex") or ac.category
        elif bds == "09":
            if msg.get("groundspeed") is not None and msg.get("track") is not None:
                ac.gs_kt, ac.track_deg = float(msg["groundspeed"]), float(msg["track"])
                ac.vrate_fpm = float(msg.get("vertical_rate") or 0.0)
                ac.velocity_at = at
            if msg.get("geo_minus_baro") is not None:
                ac.geo_minus_baro_ft = float(msg["geo_minus_baro"])
        elif bds == "61":
            if msg.get("squawk"):
                ac.squawk = str(msg["squawk"])
        elif bds == "05":
            return self._position(ac, msg, hexmsg, at)
        elif bds == "06":
            return self._position(ac, msg, hexmsg, at, surface=True)
        return None

    def _position(self, ac: Aircraft, msg: dict[str, Any], hexmsg: str, at: float, surface: bool = False) -> Fix | None:
        tc = int(msg.get("tc") or 0)
        alt = msg.get("altitude")
        geometric = 20 <= tc <= 22
        if alt is not None and not surface:
            if geometric:
                ac.alt_geom_ft = float(alt)
            else:
                ac.alt_baro_ft = float(alt)
        parity = msg.get("parity")
        if parity == "even":
            ac.even = (hexmsg, at)
        elif parity == "odd":
            ac.odd = (hexmsg, at)
        else:
            return None
        latlon: tuple[float, float] | None = None
        method = ""
        if ac.lat is not None and ac.lon is not None and at - ac.fix_at <= self.local_max_age_s:
            latlon = self._decode_with_reference(hexmsg, (ac.lat, ac.lon))
            method = "local"
        elif not surface:
            other = ac.odd if parity == "even" else ac.even
            if other is not None and 0 <= at - other[1] <= self.pair_max_s:
                latlon = self._decode_pair(other, (hexmsg, at))
                method = "global"
        elif self.reference is not None:
            latlon = self._decode_with_reference(hexmsg, self.reference)
            method = "local"
        if latlon is None:
            return None
        lat, lon = latlon
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            self.rejected["position out of range"] += 1
            return None
        if self.reference is not None and _haversine_m(lat, lon, *self.reference) > self.max_range_m:
            self.rejected["position beyond receiver range"] += 1
            return None
        if ac.lat is not None and ac.lon is not None and method == "global":
            # A global fix far from the aircraft's recent track is a bad pair (e.g. a corrupted
            # message that passed CRC): keep the old track, wait for the next pair.
            dt = max(at - ac.fix_at, 1.0)
            if _haversine_m(lat, lon, ac.lat, ac.lon) > 400.0 * dt + 2000.0:
                self.rejected["position jump"] += 1
                return None
        ac.lat, ac.lon, ac.fix_at = lat, lon, at
        nucp = _NUCP_BY_TC.get(tc)
        ac.nucp = nucp
        h_sigma = max(5.0, _HPL_M.get(nucp if nucp is not None else 0, 185.2) / 2)
        alt_m, v_sigma = height_m(ac.alt_geom_ft if geometric else None, ac.alt_baro_ft, ac.geo_minus_baro_ft)
        vel = None
        if at - ac.velocity_at <= self.velocity_max_age_s:
            vel = velocity_enu(ac.gs_kt, ac.track_deg, ac.vrate_fpm)
        return Fix(icao=ac.icao, at=at, lat=lat, lon=lon, alt_m=alt_m, alt_baro_ft=ac.alt_baro_ft,
                   h_sigma_m=h_sigma, v_sigma_m=v_sigma, vel_enu_mps=vel, callsign=ac.callsign,
                   squawk=ac.squawk, method=method)

    def _decode_with_reference(self, hexmsg: str, ref: tuple[float, float]) -> tuple[float, float] | None:
        out = rs1090.decode(hexmsg, reference=ref)
        if out is None or out.get("latitude") is None or out.get("longitude") is None:
            return None
        return float(out["latitude"]), float(out["longitude"])

    def _decode_pair(self, first: tuple[str, float], last: tuple[str, float]) -> tuple[float, float] | None:
        out = rs1090.decode([first[0], last[0]], [first[1], last[1]])
        if not out or out[-1] is None:
            return None
        lat, lon = out[-1].get("latitude"), out[-1].get("longitude")
        if lat is None or lon is None:
            self.rejected["CPR pair not decodable (zone change)"] += 1
            return None
        return float(lat), float(lon)

    def forget(self, now: float) -> None:
        """Drop aircraft not heard for ``forget_s``."""
        for icao in [k for k, a in self.aircraft.items() if now - a.last_seen > self.forget_s]:
            del self.aircraft[icao]
