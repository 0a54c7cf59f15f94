"""The messages that pass between stages: Report, Track, Alert (and their parts).

Every message is a frozen msgspec Struct with a stable JSON/MessagePack encoding, so the
in-process bus and a network bus carry the same values. Conventions:

* instants are UTC seconds since the Unix epoch, named ``*_at``;
* ``Geodetic.alt_m`` is height above the WGS84 ellipsoid (what GNSS, Remote ID and ADS-B
  geometric altitude give); everything in site ENU (``e, n, u``) is metres from the site
  origin, ``u`` being height above the origin's ground;
* units are in the names (``_m``, ``_mps``, ``_deg``, ``_s``).
"""

from __future__ import annotations

from typing import Literal

import msgspec
from msgspec import Struct

ObjectClass = Literal["drone", "bird", "aircraft", "unknown"]
Severity = Literal["info", "warning", "critical"]
TrackStatus = Literal["tentative", "confirmed", "coasting"]
AlertState = Literal["open", "acknowledged", "escalated", "resolved", "false_alarm"]
SensorKind = Literal["radar", "remoteid", "adsb", "rf", "acoustic", "camera", "dji"]


# --- what a sensor measured (a tagged union: a new sensor kind is a new variant) -------------


class Geodetic(Struct, frozen=True, tag="geodetic", kw_only=True):
    """A self-reported or surveyed position (Remote ID, DJI DroneID, ADS-B)."""

    lat: float
    lon: float
    alt_m: float | None = None  # height above the WGS84 ellipsoid
    h_sigma_m: float = 10.0  # 1-sigma horizontal accuracy
    v_sigma_m: float = 15.0  # 1-sigma vertical accuracy
    # Velocity the source states, if any (east, north, up), m/s.
    vel_enu_mps: tuple[float, float, float] | None = None


class LocalEnu(Struct, frozen=True, tag="enu", kw_only=True):
    """A position already in site ENU metres (e.g. a fused plot from another system)."""

    e: float
    n: float
    u: float
    sigma_m: float = 10.0


class Radar(Struct, frozen=True, tag="radar", kw_only=True):
    """A radar plot: polar measurement from the sensor's position."""

    range_m: float
    azimuth_deg: float  # clockwise from true north
    elevation_deg: float
    sigma_range_m: float
    sigma_az_deg: float
    sigma_el_deg: float
    range_rate_mps: float | None = None


class Bearing(Struct, frozen=True, tag="bearing", kw_only=True):
    """A direction only (RF direction finder, camera, microphone array)."""

    azimuth_deg: float
    elevation_deg: float | None = None
    sigma_deg: float = 3.0


Measurement = Geodetic | LocalEnu | Radar | Bearing


# Manufacturer codes (ANSI/CTA-2063-A, assigned by ICAO) of the schemes that broadcast a
# manufacturer's own serial number. A Remote ID serial is that code, a length character and
# the manufacturer's serial; DJI's rule (MSDK v5, IUASRemoteIDManager) is "1581F" + the
# flight-controller serial that DroneID sends, unless that serial already starts so.
MAKER_CODES = {"dji": "1581"}
_LENGTHS = "123456789ABCDEF"


class Identity(Struct, frozen=True, kw_only=True):
    """A cooperative identity: Remote ID serial/session id, ICAO 24-bit address, DJI serial."""

    scheme: Literal["serial", "session", "icao", "dji", "registration"]
    value: str
    callsign: str | None = None

    @property
    def key(self) -> str:
        return f"{self.scheme}:{self.value}"

    @property
    def aircraft_key(self) -> str:
        """The airframe this identity names: the same for one physical serial number on any
        link (a Remote ID serial ``1581F`` + S and DJI DroneID serial S give ``sn:1581:S``);
        ``key`` for identities that name no serial (sessions, registrations, ICAO addresses)."""
        v = self.value.strip().upper()
        if self.scheme == "serial" and len(v) > 5 and v[4] in _LENGTHS:
            return f"sn:{v[:4]}:{v[5:]}"
        code = MAKER_CODES.get(self.scheme)
        if code is None:
            return self.key
        if len(v) > 5 and v.startswith(code) and v[4] in _LENGTHS:
            v = v[5:]
        return f"sn:{code}:{v}"


class ClassHint(Struct, frozen=True, kw_only=True):
    """A sensor's own opinion of what the object is (radar classifiers give one)."""

    cls: ObjectClass
    confidence: float


class Report(Struct, frozen=True, kw_only=True):
    """One observation from one sensor at one time."""

    report_id: str  # unique, stable (sensor id + sequence)
    sensor_id: str
    sensor_kind: SensorKind
    measured_at: float
    received_at: float
    measurement: Measurement
    identity: Identity | None = None
    class_hint: ClassHint | None = None
    rcs_dbsm: float | None = None
    operator: Geodetic | None = None  # pilot / ground station position, when broadcast
    home: Geodetic | None = None
    raw_sha256: str | None = None  # hash of the bytes it came from (evidence)


# --- what the tracker says ------------------------------------------------------------------


class Track(Struct, frozen=True, kw_only=True):
    """The fused estimate of one object at ``at``."""

    track_id: int
    at: float
    status: TrackStatus
    enu_m: tuple[float, float, float]
    vel_enu_mps: tuple[float, float, float]
    pos_sigma_m: float
    lat: float
    lon: float
    alt_m: float  # metres above the site origin's ground (== enu_m[2])
    first_seen_at: float
    last_update_at: float
    updates: int
    sensors: tuple[str, ...] = ()  # sensor ids that have fed it
    identity: Identity | None = None  # the identity that sticks to the track
    identity_conflict: bool = False  # two identities claim it
    operator: Geodetic | None = None
    home: Geodetic | None = None
    # Last self-reported position of the identity and its distance from the sensed
    # track (only when a non-cooperative sensor also sees it): input to remote_id_mismatch.
    claimed: Geodetic | None = None
    claimed_offset_m: float | None = None
    # Other identities of the same airframe (same physical serial on another link, e.g. DJI
    # DroneID and Remote ID), and how far apart the latest positions two of them broadcast
    # are (horizontal, at one instant): input to remote_id_mismatch as well.
    aliases: tuple[Identity, ...] = ()
    broadcast_offset_m: float | None = None
    # Accumulated evidence from sensor class hints: class -> summed confidence.
    class_votes: dict[str, float] = {}
    rcs_dbsm: float | None = None
    # Classification, filled by assess/ (the tracker leaves "unknown").
    cls: ObjectClass = "unknown"
    cls_confidence: float = 0.0
    cls_reason: str = ""  # one line: the evidence that weighed most
    # On the site's allow list (by serial, ICAO address, or the same airframe on another link),
    # filled by assess/: outputs and the console show it as friendly.
    allowed: bool = False


# --- what assessment says -------------------------------------------------------------------


class Position(Struct, frozen=True, kw_only=True):
    lat: float
    lon: float
    alt_m: float  # above site origin ground


class Alert(Struct, frozen=True, kw_only=True):
    """One alert: a rule fired for a track (or a group of tracks, a swarm) and a zone.

    One alert stands for one incident: it keeps its id while it lasts, and each change (members
    joining, a more severe zone, an operator's action, escalation, resolution) is a new version
    of it, stamped ``updated_at``, with ``change`` saying what changed, ``by`` who did it
    ("system" for the automatic ones) and the operator's ``note``. ``position`` is where the
    (lead) track was at the latest change.
    """

    alert_id: str
    rule: str
    zone: str | None
    severity: Severity
    track_id: int
    track_ids: tuple[int, ...]
    raised_at: float
    updated_at: float
    position: Position
    cls: ObjectClass
    why: str
    state: AlertState = "open"
    identity: str | None = None
    acked_by: str | None = None
    time_to_entry_s: float | None = None
    # The latest change: "raised", "members", "severity", "escalated", "cleared",
    # "superseded", "track_lost", or an operator action ("ack", "escalate", "resolve",
    # "false_alarm"); who made it and their note.
    change: str = ""
    by: str | None = None
    note: str | None = None


class Update(Struct, frozen=True, kw_only=True):
    """What the pipeline publishes after each step (subject ``dw.v1.update.<site>``):
    tracks now alive (classified), alerts raised or changed in this step, track ids gone."""

    at: float
    tracks: list[Track]
    alerts: list[Alert]
    removed: list[int] = []


# --- raw bytes from a reader ----------------------------------------------------------------


class Frame(Struct, frozen=True, kw_only=True):
    """Bytes as a reader got them: what evidence keeps and what decoders take."""

    sensor_id: str
    received_at: float
    link: str  # how to decode ``data``: "dw-report" (msgspec JSON Report), "odid", ...
    data: bytes


REPORT_ENCODER = msgspec.json.Encoder()
REPORT_DECODER = msgspec.json.Decoder(Report)
TRACK_ENCODER = msgspec.json.Encoder()
