"""Per-aircraft aggregation: joins one aircraft's Remote ID messages into Reports. Told the time.

An aircraft is found by its UAS ID (serial, registration or session ID) first, then by the
transmitter MAC (per sensor). A MAC that turns up with a known UAS ID is moved to that
aircraft (randomised MACs); an aircraft known only by MAC is merged into the one whose UAS
ID it then sends. A message whose exact 25 bytes came from the same aircraft over another
transport within ``dedup_s``, at the same sensor, is a duplicate: counted, not reported again. Authentication
pages are joined across frames. State older than ``forget_s`` is dropped.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass, field

from dronewatch.model import Frame, Identity, Report
from dronewatch.sources.dji.droneid_wifi import DjiReceived, DjiTelemetry
from dronewatch.sources.errors import DecodeError
from dronewatch.sources.remoteid.messages import (
    MESSAGE_NAMES,
    MESSAGE_SIZE,
    Authentication,
    AuthPage,
    BasicId,
    Location,
    Message,
    OperatorId,
    SelfId,
    System,
    UnknownMessage,
    assemble_auth,
)
from dronewatch.sources.remoteid.received import Received
from dronewatch.sources.remoteid.reports import dji_report, identity_of, location_report

_TYPE_NAMES = {
    BasicId: "basic_id",
    Location: "location",
    AuthPage: "auth_page",
    Authentication: "auth",
    SelfId: "self_id",
    System: "system",
    OperatorId: "operator_id",
    UnknownMessage: "unknown",
}


@dataclass
class Aircraft:
    """What is known about one aircraft."""

    key: int
    first_seen_at: float
    last_seen_at: float
    macs: set[str] = field(default_factory=set)
    basic_ids: dict[int, BasicId] = field(default_factory=dict)  # by id_type
    system: System | None = None
    operator_id: OperatorId | None = None
    self_id: SelfId | None = None
    location: Location | None = None
    auth: Authentication | None = None
    auth_pages: dict[int, AuthPage] = field(default_factory=dict)
    transports: Counter[str] = field(default_factory=Counter)
    counts: Counter[str] = field(default_factory=Counter)  # accepted messages by type
    duplicates: int = 0
    max_height_m: float | None = None
    max_geo_alt_m: float | None = None
    dji: DjiTelemetry | None = None
    recent: dict[tuple[str, bytes], tuple[str, float]] = field(
        default_factory=dict
    )  # (sensor, msg) -> transport, at

    @property
    def identity(self) -> Identity | None:
        if self.dji is not None and not self.basic_ids:
            return Identity(scheme="dji", value=self.dji.serial)
        return identity_of(list(self.basic_ids.values()))


def _split(raw: bytes, count: int) -> list[bytes]:
    if raw[:1] and raw[0] >> 4 == 15:
        return [raw[3 + i * MESSAGE_SIZE : 3 + (i + 1) * MESSAGE_SIZE] for i in range(raw[2])]
    return [raw[:MESSAGE_SIZE]] * count


class Aggregator:
    """Stateful Remote ID joiner. Call it with a ``Frame`` (it is a ``sources.frames`` decoder),
    or feed it decoded ``Received`` values with ``ingest``."""

    def __init__(self, dedup_s: float = 1.0, forget_s: float = 300.0, max_aircraft: int = 10_000) -> None:
        self.dedup_s = dedup_s
        self.forget_s = forget_s
        self.max_aircraft = max_aircraft  # a flood of fake IDs cannot grow memory without bound
        self._forgot_at = float("-inf")
        self.aircraft: dict[int, Aircraft] = {}
        self._by_id: dict[str, int] = {}
        self._by_mac: dict[tuple[str, str], int] = {}
        self._next = 1

    def __call__(self, frame: Frame) -> list[Report]:
        from dronewatch.sources.remoteid.links import decode_link

        decoded = decode_link(frame.link, frame.data)
        sha = hashlib.sha256(frame.data).hexdigest()
        out: list[Report] = []
        for i, item in enumerate(decoded):
            rid = f"{frame.sensor_id}:{sha[:16]}:{i}"
            if isinstance(item, DjiReceived):
                out.extend(self.ingest_dji(frame.sensor_id, item, frame.received_at, rid, sha))
            else:
                out.extend(self.ingest(frame.sensor_id, item, frame.received_at, rid, sha))
        return out

    # --- finding the aircraft ---------------------------------------------------------------

    def _new(self, now: float) -> Aircraft:
        ac = Aircraft(key=self._next, first_seen_at=now, last_seen_at=now)
        self.aircraft[ac.key] = ac
        self._next += 1
        return ac

    def _merge(self, into: Aircraft, other: Aircraft) -> None:
        into.macs |= other.macs
        into.first_seen_at = min(into.first_seen_at, other.first_seen_at)
        into.transports.update(other.transports)
        into.counts.update(other.counts)
        into.duplicates += other.duplicates
        for attr in ("system", "operator_id", "self_id", "location", "auth", "dji"):
            if getattr(into, attr) is None:
                setattr(into, attr, getattr(other, attr))
        for m in (other.max_height_m,):
            if m is not None and (into.max_height_m is None or m > into.max_height_m):
                into.max_height_m = m
        for k, v in self._by_mac.items():
            if v == other.key:
                self._by_mac[k] = into.key
        for ident, v in self._by_id.items():
            if v == other.key:
                self._by_id[ident] = into.key
        del self.aircraft[other.key]

    def _find(self, sensor_id: str, mac: str | None, ids: list[str], now: float) -> Aircraft:
        by_id = next((self._by_id[i] for i in ids if i in self._by_id), None)
        mac_key = (sensor_id, mac) if mac else None
        by_mac = self._by_mac.get(mac_key) if mac_key else None
        if by_id is not None:
            ac = self.aircraft[by_id]
            if by_mac is not None and by_mac != by_id:
                other = self.aircraft[by_mac]
                if not other.basic_ids and other.dji is None:
                    self._merge(ac, other)
        elif by_mac is not None:
            ac = self.aircraft[by_mac]
        else:
            ac = self._new(now)
        for i in ids:
            self._by_id[i] = ac.key
        if mac_key:
            self._by_mac[mac_key] = ac.key
            ac.macs.add(mac_key[1])
        return ac

    # --- ingest -------------------------------------------------------------------------------

    def ingest(
        self, sensor_id: str, rx: Received, now: float, report_id: str = "", raw_sha256: str | None = None
    ) -> list[Report]:
        """Take one received payload at ``now``; returns a Report per new, positioned Location."""
        ids = [
            f"{b.id_type}:{b.uas_id}" for b in rx.messages if type(b) is BasicId and b.id_type and b.uas_id
        ]
        ac = self._find(sensor_id, rx.mac, ids, now)
        ac.last_seen_at = max(ac.last_seen_at, now)
        ac.transports[rx.transport] += 1
        raws = _split(rx.raw, len(rx.messages)) if rx.raw else []
        fresh: list[Message] = []
        for i, m in enumerate(rx.messages):
            raw = raws[i] if i < len(raws) and type(m) is not Authentication else b""
            if raw:
                key = (sensor_id, raw)
                seen = ac.recent.get(key)
                if seen is not None and seen[0] != rx.transport and abs(now - seen[1]) <= self.dedup_s:
                    ac.duplicates += 1
                    continue
                ac.recent[key] = (rx.transport, now)
            fresh.append(m)
        if len(ac.recent) > 64:  # keep it small: what is recent, at most the 32 newest
            fresh_items = [(k, v) for k, v in ac.recent.items() if abs(now - v[1]) <= self.dedup_s]
            ac.recent = dict(fresh_items[-32:])
        locations: list[Location] = []
        for m in fresh:
            ac.counts[_TYPE_NAMES[type(m)]] += 1
            if type(m) is Location:
                locations.append(m)
                ac.location = m
                if m.height_m is not None and (ac.max_height_m is None or m.height_m > ac.max_height_m):
                    ac.max_height_m = m.height_m
                if m.geo_alt_m is not None and (ac.max_geo_alt_m is None or m.geo_alt_m > ac.max_geo_alt_m):
                    ac.max_geo_alt_m = m.geo_alt_m
            elif type(m) is BasicId:
                ac.basic_ids[m.id_type] = m
            elif type(m) is System:
                ac.system = m
            elif type(m) is OperatorId:
                ac.operator_id = m
            elif type(m) is SelfId:
                ac.self_id = m
            elif type(m) is Authentication:
                ac.auth = m
            elif type(m) is AuthPage:
                self._auth_page(ac, m)
        out: list[Report] = []
        for j, loc in enumerate(locations):
            rep = location_report(
                report_id=f"{report_id}:{j}" if j else report_id,
                sensor_id=sensor_id,
                received_at=now,
                loc=loc,
                identity=ac.identity,
                system=ac.system,
                raw_sha256=raw_sha256,
            )
            if rep is not None:
                out.append(rep)
        self.forget(now)
        return out

    def _auth_page(self, ac: Aircraft, page: AuthPage) -> None:
        if page.page == 0:
            ac.auth_pages = {}
        ac.auth_pages[page.page] = page
        first = ac.auth_pages.get(0)
        if first is not None and first.last_page is not None and len(ac.auth_pages) > first.last_page:
            try:
                ac.auth = assemble_auth(list(ac.auth_pages.values()))
            except DecodeError:
                return
            ac.counts["auth"] += 1
            ac.auth_pages = {}

    def ingest_dji(
        self, sensor_id: str, rx: DjiReceived, now: float, report_id: str = "", raw_sha256: str | None = None
    ) -> list[Report]:
        """Take one DJI DroneID element at ``now``."""
        rec = rx.record
        ids = [f"dji:{rec.serial}"] if rec.serial else []
        ac = self._find(sensor_id, rx.mac, ids, now)
        ac.last_seen_at = max(ac.last_seen_at, now)
        ac.transports["dji-wifi"] += 1
        ac.counts[type(rec).__name__] += 1
        if not isinstance(rec, DjiTelemetry):
            return []
        ac.dji = rec
        if ac.max_height_m is None or rec.height_m > ac.max_height_m:
            ac.max_height_m = rec.height_m
        rep = dji_report(
            report_id=report_id, sensor_id=sensor_id, received_at=now, t=rec, raw_sha256=raw_sha256
        )
        return [rep] if rep is not None else []

    def forget(self, now: float) -> None:
        """Drop aircraft not heard for ``forget_s`` (looks at most once a second, or when full)."""
        full = len(self.aircraft) > self.max_aircraft
        if not full and now - self._forgot_at < 1.0:
            return
        self._forgot_at = now
        stale = [k for k, ac in self.aircraft.items() if now - ac.last_seen_at > self.forget_s]
        if full and not stale:
            by_age = sorted(self.aircraft.values(), key=lambda ac: ac.last_seen_at)
            stale = [ac.key for ac in by_age[: len(self.aircraft) - self.max_aircraft * 9 // 10]]
        if not stale:
            return
        gone = set(stale)
        for k in stale:
            del self.aircraft[k]
        self._by_id = {k: v for k, v in self._by_id.items() if v not in gone}
        self._by_mac = {k: v for k, v in self._by_mac.items() if v not in gone}


MESSAGE_TYPES = tuple(MESSAGE_NAMES.values())
