"""Tracks and alerts -> CoT XML events (MIL-STD-2525 type strings, TAK conventions).

* A drone is ``a-<aff>-A-M-H-Q`` (rotary-wing UAV, the common small UAS), a civil aircraft
  ``a-n-A-C-F``, anything else not a bird ``a-<aff>-A``. Affiliation ``aff`` is ``h`` (hostile)
  once a rule has alerted on the track, ``f`` for an allow-listed identity, else ``u``.
* ``point``: ``hae`` is height above the ellipsoid; ``ce`` the horizontal radial 1-sigma error
  (sqrt(2) x the track covariance's per-axis RMS sigma), ``le`` the per-axis sigma.
* The pilot and home positions are ground events of their own (``<uid>.pilot``,
  ``<uid>.home``) with a ``link`` (relation ``p-p``) to the drone.
* An alert is ``b-a-g`` (geofence breach, when it names a zone) or ``b-a-o-pan``, with the
  alert text in ``remarks``; when it ends, ``b-a-o-can`` with the same uid.
"""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET
from functools import lru_cache
from xml.sax.saxutils import escape, quoteattr

from dronewatch.model import Alert, Geodetic, Track
from dronewatch.sinks.jsonl import iso

HOW = "m-f"  # machine-generated, fused
_iso = lru_cache(maxsize=256)(iso)  # the tracks of one picture share a few times


@lru_cache(maxsize=64)
def uid_prefix(site: str) -> str:
    safe = "".join(c if c.isalnum() or c in "-_" else "_" for c in site.lower())
    return f"dronewatch.{safe}"


def track_uid(site: str, track_id: int) -> str:
    return f"{uid_prefix(site)}.track.{track_id}"


def alert_uid(site: str, alert_id: str) -> str:
    return f"{uid_prefix(site)}.alert.{alert_id}"


def track_type(track: Track, affiliation: str) -> str | None:
    """The CoT type for a track, None for one not sent (birds)."""
    if track.cls == "bird":
        return None
    if track.cls == "aircraft":
        return "a-n-A-C-F"
    if track.cls == "drone":
        return f"a-{affiliation}-A-M-H-Q"
    return f"a-{affiliation}-A"


def _event(uid: str, typ: str, at: float, stale_at: float, how: str = HOW) -> ET.Element:
    return ET.Element("event", {"version": "2.0", "uid": uid, "type": typ, "how": how,
                                "time": iso(at), "start": iso(at), "stale": iso(stale_at)})


def _point(parent: ET.Element, lat: float, lon: float, hae: float, ce: float, le: float) -> None:
    ET.SubElement(parent, "point", {"lat": f"{lat:.7f}", "lon": f"{lon:.7f}", "hae": f"{hae:.1f}",
                                    "ce": f"{ce:.1f}", "le": f"{le:.1f}"})


def _callsign(track: Track) -> str:
    name = f"DW-{track.track_id}"
    if track.identity is not None:
        name += f" {track.identity.callsign or track.identity.value}"
    return name


def track_event(track: Track, typ: str, site: str, origin_alt_m: float, stale_s: float,
                reason: str | None = None) -> bytes:
    """One track as a CoT event (formatted directly: this runs for every live track)."""
    ve, vn, _ = track.vel_enu_mps
    course = math.degrees(math.atan2(ve, vn)) % 360.0
    ident = f"{track.identity.scheme} {track.identity.value}" if track.identity else "no identity"
    text = f"{track.cls} ({track.cls_confidence:.0%}), {ident}, {track.status}, sensors {','.join(track.sensors)}"
    if reason:
        text += f"; {reason}"
    at = _iso(track.at)
    # (uid and type are made here from safe characters: only the callsign and remarks need escaping)
    return (
        f'<event version="2.0" uid="{uid_prefix(site)}.track.{track.track_id}" type="{typ}" '
        f'how="{HOW}" time="{at}" start="{at}" stale="{_iso(track.at + stale_s)}">'
        f'<point lat="{track.lat:.7f}" lon="{track.lon:.7f}" hae="{origin_alt_m + track.alt_m:.1f}" '
        f'ce="{math.sqrt(2.0) * track.pos_sigma_m:.1f}" le="{track.pos_sigma_m:.1f}" />'
        f'<detail><track course="{course:.1f}" speed="{math.hypot(ve, vn):.2f}" />'
        f"<contact callsign={quoteattr(_callsign(track))} /><remarks>{escape(text)}</remarks></detail></event>"
    ).encode()


def linked_events(track: Track, parent_type: str, site: str, origin_alt_m: float, stale_s: float,
                  affiliation: str) -> list[bytes]:
    """The pilot and home positions of a track (when broadcast) as ground events linked to it."""
    out = []
    parent = track_uid(site, track.track_id)
    for role, pos, typ in (("pilot", track.operator, f"a-{affiliation}-G"),
                           ("home", track.home, "b-m-p-s-p-loc")):
        if pos is None:
            continue
        out.append(_ground_event(f"{parent}.{role}", typ, pos, track, role, parent, parent_type,
                                 origin_alt_m, stale_s))
    return out


def _ground_event(uid: str, typ: str, pos: Geodetic, track: Track, role: str, parent: str,
                  parent_type: str, origin_alt_m: float, stale_s: float) -> bytes:
    ev = _event(uid, typ, track.at, track.at + stale_s, how="m-g")
    hae = pos.alt_m if pos.alt_m is not None else origin_alt_m
    _point(ev, pos.lat, pos.lon, hae, pos.h_sigma_m, pos.v_sigma_m)
    detail = ET.SubElement(ev, "detail")
    ET.SubElement(detail, "contact", {"callsign": f"{_callsign(track)} {role}"})
    ET.SubElement(detail, "link", {"uid": parent, "relation": "p-p", "type": parent_type})
    ET.SubElement(detail, "remarks").text = f"{role} of drone track {track.track_id}"
    return ET.tostring(ev)


def alert_event(alert: Alert, site: str, origin_alt_m: float, at: float, stale_s: float) -> bytes:
    """An alert (or its end) as a CoT alarm event at the alert's position."""
    ended = alert.state in ("resolved", "false_alarm")
    typ = "b-a-o-can" if ended else ("b-a-g" if alert.zone else "b-a-o-pan")
    ev = _event(alert_uid(site, alert.alert_id), typ, at, at if ended else at + stale_s, how="m-g")
    _point(ev, alert.position.lat, alert.position.lon, origin_alt_m + alert.position.alt_m, 9999999.0, 9999999.0)
    detail = ET.SubElement(ev, "detail")
    ET.SubElement(detail, "contact", {"callsign": f"DW alert {alert.alert_id}"})
    zone = f" {alert.zone}" if alert.zone else ""
    who = f" ({alert.identity})" if alert.identity else ""
    text = f"{alert.severity.upper()} {alert.rule}{zone}: track {alert.track_id}{who}: {alert.why} [{alert.state}]"
    ET.SubElement(detail, "remarks").text = text
    ET.SubElement(detail, "link", {"uid": track_uid(site, alert.track_id), "relation": "p-p",
                                   "type": "a-h-A-M-H-Q" if alert.cls == "drone" else "a-h-A"})
    return ET.tostring(ev)
