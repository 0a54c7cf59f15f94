"""SBS-1 / BaseStation text (readsb / dump1090 port 30003), pure.

One line, 22 comma-separated fields: ``MSG,type,session,aircraft,HEX,flight,date gen,time gen,
date logged,time logged,callsign,altitude,ground speed,track,lat,lon,vertical rate,squawk,
alert,emergency,SPI,on ground``. Empty fields are unknown; flags are ``0`` / ``-1``. Other
record kinds (SEL, ID, AIR, STA, CLK) carry no surveillance data and are skipped.
"""

from __future__ import annotations

import calendar
import math
from dataclasses import dataclass

from dronewatch.sources.errors import DecodeError

RECORD_KINDS = {"MSG", "SEL", "ID", "AIR", "STA", "CLK"}


@dataclass(frozen=True, slots=True)
class SbsMessage:
    """One ``MSG`` line, fields as numbers where they are numbers (None when empty)."""

    transmission: int  # MSG,1 identification ... MSG,8 all-call
    icao: str
    generated_at: float | None  # UTC epoch s from the date/time generated fields
    callsign: str | None
    altitude_ft: float | None
    ground_speed_kt: float | None
    track_deg: float | None
    lat: float | None
    lon: float | None
    vertical_rate_fpm: float | None
    squawk: str | None
    on_ground: bool | None


def _num(text: str, name: str) -> float | None:
    if not text:
        return None
    try:
        v = float(text)
    except ValueError:
        raise DecodeError("SBS field not a number", f"{name}={text!r}") from None
    if not math.isfinite(v):
        raise DecodeError("SBS field not a number", f"{name}={text!r}")
    return v


def _flag(text: str) -> bool | None:
    return None if not text else text.strip() not in ("0", "")


def _epoch(date: str, time_: str) -> float | None:
    """``2018/04/03`` + ``19:02:28.136`` -> UTC epoch seconds (BaseStation times are UTC in
    readsb/dump1090; None if either is empty or malformed)."""
    if not date or not time_:
        return None
    try:
        y, mo, d = (int(x) for x in date.split("/"))
        hh, mm, ss = time_.split(":")
        sec = float(ss)
        return calendar.timegm((y, mo, d, int(hh), int(mm), 0, 0, 0, 0)) + sec
    except (ValueError, TypeError, OverflowError):
        return None


def parse_line(line: str | bytes) -> SbsMessage | None:
    """One SBS line -> SbsMessage; None for records without surveillance data (SEL, STA, ...).
    Raises DecodeError for anything that is not an SBS record."""
    if isinstance(line, bytes):
        try:
            line = line.decode("ascii")
        except UnicodeDecodeError:
            raise DecodeError("SBS line not ASCII") from None
    line = line.strip("\r\n ")
    if not line:
        raise DecodeError("empty SBS line")
    fields = line.split(",")
    kind = fields[0]
    if kind not in RECORD_KINDS:
        raise DecodeError("not an SBS record", line[:40])
    if kind != "MSG":
        return None
    if len(fields) < 22:
        raise DecodeError("SBS MSG with too few fields", f"{len(fields)} fields")
    try:
        transmission = int(fields[1])
    except ValueError:
        raise DecodeError("SBS transmission type not a number", fields[1][:10]) from None
    icao = fields[4].strip().upper()
    if not (len(icao) == 6 and all(c in "0123456789ABCDEF" for c in icao)) and not (
        len(icao) == 7 and icao[0] == "~" and all(c in "0123456789ABCDEF" for c in icao[1:])
    ):
        raise DecodeError("SBS hex address malformed", repr(fields[4][:10]))
    lat, lon = _num(fields[14], "lat"), _num(fields[15], "lon")
    if (lat is None) != (lon is None):
        raise DecodeError("SBS position half given", f"lat={fields[14]!r} lon={fields[15]!r}")
    if lat is not None and lon is not None and not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise DecodeError("SBS position out of range", f"{lat}, {lon}")
    return SbsMessage(
        transmission=transmission,
        icao=icao,
        generated_at=_epoch(fields[6], fields[7]),
        callsign=fields[10].strip() or None,
        altitude_ft=_num(fields[11], "altitude"),
        ground_speed_kt=_num(fields[12], "ground speed"),
        track_deg=_num(fields[13], "track"),
        lat=lat,
        lon=lon,
        vertical_rate_fpm=_num(fields[16], "vertical rate"),
        squawk=fields[17].strip() or None,
        on_ground=_flag(fields[21]),
    )
