"""readsb / dump1090-fa ``aircraft.json``, pure: the document -> one state per aircraft.

Fields used: ``hex`` (``~`` prefix: a non-ICAO address), ``flight``, ``squawk``, ``lat``,
``lon``, ``seen_pos`` (s since the position), ``alt_geom`` (ft above the WGS84 ellipsoid),
``alt_baro`` (ft, or ``"ground"``), ``gs`` (kt), ``track`` (deg), ``geom_rate`` /
``baro_rate`` (ft/min), ``nic`` / ``nac_p``. An aircraft without ``lat``/``lon`` has no
position, and none is made up for it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import msgspec

from dronewatch.sources.errors import DecodeError


class _Aircraft(msgspec.Struct, kw_only=True):
    hex: str
    flight: str | None = None
    squawk: str | None = None
    lat: float | None = None
    lon: float | None = None
    seen_pos: float | None = None
    seen: float | None = None
    alt_geom: float | None = None
    alt_baro: float | str | None = None
    gs: float | None = None
    track: float | None = None
    geom_rate: float | None = None
    baro_rate: float | None = None
    nac_p: int | None = None
    category: str | None = None


class _Document(msgspec.Struct, kw_only=True):
    now: float | None = None
    messages: int | None = None
    aircraft: list[_Aircraft]


_DECODER = msgspec.json.Decoder(_Document)


@dataclass(frozen=True, slots=True)
class AircraftState:
    icao: str
    callsign: str | None
    squawk: str | None
    lat: float | None
    lon: float | None
    seen_pos_s: float | None
    alt_geom_ft: float | None
    alt_baro_ft: float | None
    on_ground: bool
    gs_kt: float | None
    track_deg: float | None
    vrate_fpm: float | None
    nac_p: int | None
    category: str | None


def parse(data: bytes) -> tuple[float | None, list[AircraftState]]:
    """(``now`` of the document, aircraft). Raises DecodeError if it is not an aircraft.json."""
    try:
        doc = _DECODER.decode(data)
    except msgspec.ValidationError as err:
        raise DecodeError("aircraft.json not as expected", str(err)) from None
    except msgspec.DecodeError as err:
        raise DecodeError("aircraft.json not JSON", str(err)) from None
    out = []
    for a in doc.aircraft:
        on_ground = a.alt_baro == "ground"
        baro = a.alt_baro if isinstance(a.alt_baro, int | float) else None
        out.append(
            AircraftState(
                icao=a.hex.strip().upper(),
                callsign=(a.flight or "").strip() or None,
                squawk=a.squawk,
                lat=a.lat,
                lon=a.lon,
                seen_pos_s=a.seen_pos,
                alt_geom_ft=a.alt_geom,
                alt_baro_ft=float(baro) if baro is not None else None,
                on_ground=on_ground,
                gs_kt=a.gs,
                track_deg=a.track,
                vrate_fpm=a.geom_rate if a.geom_rate is not None else a.baro_rate,
                nac_p=a.nac_p,
                category=a.category,
            )
        )
    return doc.now, out


def as_dict(state: AircraftState) -> dict[str, Any]:
    """The state as plain JSON-able values (for ``dronewatch decode --json``)."""
    return {k: getattr(state, k) for k in state.__dataclass_fields__}
