"""The network bus's contract: NATS JetStream stream, subjects, message envelope and ids.

Edges publish, hubs consume; both import only this module to agree on the wire. Subjects are
class-first, ``dw.v1.<class>.<site>[.<sensor>]``; every message carries a ``Nats-Msg-Id``
made from the record's natural key, so a resend (after a lost ack, a restart, a store rebuilt)
is dropped by JetStream's duplicate window and again by the hub's unique keys.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
from typing import Any, Literal

import msgspec

from dronewatch.bus import subject

log = logging.getLogger(__name__)

STREAM = "DW"
STREAM_SUBJECTS = ["dw.v1.>"]
DUPLICATE_WINDOW_S = 600.0

Kind = Literal["frame", "track", "alert", "audit", "site"]
KINDS: tuple[Kind, ...] = ("alert", "audit", "site", "frame", "track")  # urgent first, then bulk
URGENT: tuple[Kind, ...] = ("alert", "audit", "site")
Lane = Literal["alert", "audit", "site", "bulk"]
LANES: tuple[Lane, ...] = ("alert", "audit", "site", "bulk")  # the urgent classes, then the rest


def consumer_name(lane: Lane) -> str:
    """The hubs' durable consumer for one lane: each urgent class (alerts, their audit rows, site
    documents) is its own lane, so an alert never queues behind a backlog of frames or track
    snapshots (nor shares their commits); ``bulk`` takes the rest."""
    return f"hub-{lane}"


def consumer_filter(lane: Lane) -> str:
    """An urgent class's own subjects; the bulk lane's filter is every subject (NATS 2.9 has no
    "all but" filter): it stores frames and track snapshots, counts a class this version does not
    know as rejected, and skips the urgent classes (their own lanes store them)."""
    return "dw.v1.>" if lane == "bulk" else f"dw.v1.{lane}.>"


def subject_class(subj: str) -> str:
    """The class token of ``dw.v1.<class>.<site>...`` ("" if the subject has none)."""
    parts = subj.split(".")
    return parts[2] if len(parts) > 3 and parts[:2] == ["dw", "v1"] else ""


class Envelope(msgspec.Struct, frozen=True, kw_only=True):
    """One published record: which site, what kind, the edge's row id, and the row itself."""

    site: str
    kind: Kind
    edge_id: int
    row: dict[str, Any]
    sent_at: float = 0.0
    # wall-clock instants (epoch s) the record passed on its way, for latency figures by stage:
    # the edge's step start and end, when its publisher read the row and sent it
    stamps: dict[str, float] = msgspec.field(default_factory=dict)


ENCODER = msgspec.json.Encoder()
DECODER = msgspec.json.Decoder(Envelope)


def site_token(site: str) -> str:
    """The site name as a subject token (what ``bus.subject`` makes of it)."""
    return subject("x", site).rsplit(".", 1)[1]


def subject_for(kind: Kind, site: str, sensor: str | None = None) -> str:
    base = subject(kind, site)
    if sensor is None:
        return base
    return f"{base}.{site_token(sensor)}"


def record_key(table: str, row: dict[str, Any]) -> str:
    """A store row's natural key: what makes it the same record wherever and however often it is sent
    (a frame by sensor, instant and bytes; a snapshot by track and instant; any other row by its content)."""
    if table == "frames":
        return f"{row['sensor_id']}:{row['received_at']!r}:{row['sha256']}"
    if table == "track_snapshots":
        return f"{row['track_id']}:{row['at']!r}"
    content = {k: v for k, v in row.items() if k != "id"}
    return hashlib.sha256(json.dumps(content, sort_keys=True, default=str).encode()).hexdigest()[:32]


def msg_id(site: str, kind: Kind, key: str) -> str:
    """Deduplication id: site, kind and the record's natural key (never the row id alone)."""
    return f"{site_token(site)}:{kind}:{key}"


async def connect(url: str, *, name: str, **kwargs: Any) -> Any:
    """A NATS connection that keeps reconnecting for ever (the callers decide what to do while down)."""
    import nats

    async def _error(err: Exception) -> None:
        log.debug("nats: %s", err)

    servers = [u.strip() for u in url.split(",") if u.strip()]  # a cluster: every server's URL
    return await nats.connect(
        servers, name=name, max_reconnect_attempts=-1, reconnect_time_wait=0.5, connect_timeout=2,
        allow_reconnect=True, error_cb=_error, **kwargs,
    )


async def ensure_stream(js: Any, *, replicas: int = 1, max_age_s: float = 7 * 86400) -> None:
    """Create the stream on an empty broker, or leave an existing one as it is."""
    from nats.js.api import StorageType, StreamConfig
    from nats.js.errors import NotFoundError

    try:
        await js.stream_info(STREAM)
        return
    except NotFoundError:
        pass
    cfg = StreamConfig(name=STREAM, subjects=STREAM_SUBJECTS, storage=StorageType.FILE,
                       duplicate_window=DUPLICATE_WINDOW_S, num_replicas=replicas, max_age=max_age_s)
    try:
        await js.add_stream(cfg)
    except Exception as err:  # another hub made it first
        log.debug("add_stream: %s", err)
        await js.stream_info(STREAM)


async def wait_connected(nc: Any, timeout_s: float) -> bool:
    end = asyncio.get_running_loop().time() + timeout_s
    while not nc.is_connected:
        if asyncio.get_running_loop().time() > end:
            return False
        await asyncio.sleep(0.05)
    return True
