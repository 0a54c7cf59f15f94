"""SAPIENT fusion-node listener (dronewatch as the DMM): edge nodes connect over TCP and speak
BSI Flex 335 v2.0 framing (4-byte little-endian length + one SapientMessage).

Per message:

* Registration -> RegistrationAck (accepted when it has a UUID ``node_id``, a timestamp and a
  node definition; refused with reasons otherwise);
* StatusReport, DetectionReport, Alert (-> AlertAck), TaskAck from a registered node: checked
  against the standard's field options and passed on as Frames (link ``sapient``);
* anything else, a message from a node that never registered, a body that is not a
  SapientMessage, a frame that stalls (``frame_timeout_s``) or a length above the cap: an Error
  message back, with the offending bytes, and a count by reason. The connection stays open;
  only a peer that closes mid-frame loses its own connection.

Moves bytes and answers the protocol; Reports are made by ``decoder.SapientDecoder``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from dronewatch.model import Frame
from dronewatch.sapient import framing, messages, validate
from dronewatch.sapient.ids import is_uuid, new_uuid
from dronewatch.sources.errors import DecodeError
from dronewatch.sources.sapient.decoder import KINDS, LINK, location_to_geodetic

log = logging.getLogger(__name__)
FORWARDED = {"registration", "status_report", "detection_report", "alert", "task_ack"}


@dataclass
class NodeState:
    node_id: str
    peer: str
    name: str | None = None
    registered_at: float = 0.0
    last_at: float = 0.0
    system: str = "unknown"
    kind: str = "radar"
    position: dict[str, float] | None = None  # as sent (x, y, z in the node's coordinate system)
    lat: float | None = None  # WGS-84, from the last StatusReport's node_location
    lon: float | None = None
    alt_m: float | None = None
    counts: Counter[str] = field(default_factory=Counter)


class SapientListener:
    """TCP server for SAPIENT edge nodes; a feed (``start``/``drain``/``status``) for serve."""

    def __init__(self, name: str, host: str, port: int, *, frame_timeout_s: float = 2.0,
                 max_frame: int = framing.MAX_FRAME, node_id: str | None = None) -> None:
        self.name, self.host, self.port = name, host, port
        self.frame_timeout_s = frame_timeout_s
        self.max_frame = max_frame
        self.node_id = node_id or new_uuid()  # this fusion node
        self.nodes: dict[str, NodeState] = {}
        self.errors: Counter[str] = Counter()
        self.accepted: Counter[str] = Counter()
        self.connections = 0
        self.open_connections = 0
        self.last_error: str | None = None
        self._pending: list[Frame] = []
        self._server: asyncio.base_events.Server | None = None
        self._task: asyncio.Task[None] | None = None

    # --- feed interface -----------------------------------------------------------------------

    def start(self) -> asyncio.Task[None]:
        self._task = asyncio.create_task(self.run(), name=f"feed-{self.name}")
        return self._task

    async def run(self) -> None:
        try:
            self._server = await asyncio.start_server(self._handle, self.host, self.port)
        except OSError as err:
            self.last_error = f"listen {self.host}:{self.port}: {err.strerror or err}"
            raise
        async with self._server:
            await self._server.serve_forever()

    def drain(self) -> list[Frame]:
        frames, self._pending = self._pending, []
        return frames

    def status(self) -> dict[str, Any]:
        now = time.time()
        last = max((n.last_at for n in self.nodes.values()), default=None)
        return {"name": self.name, "link": LINK, "url": f"tcp-listen://{self.host}:{self.port}",
                "connected": self._server is not None and self.last_error is None, "node_id": self.node_id,
                "connections": self.connections, "open_connections": self.open_connections,
                "accepted": dict(self.accepted), "errors": dict(self.errors), "last_error": self.last_error,
                "last_data_at": last,
                "sensors": [{"id": f"sapient-{n.node_id}", "sapient_node": n.node_id, "name": n.name, "kind": n.kind,
                             "peer": n.peer, "state": n.system, "last_at": n.last_at,
                             "age_s": round(now - n.last_at, 1), "position": n.position, "lat": n.lat, "lon": n.lon,
                             "alt_m": n.alt_m, "messages": dict(n.counts)} for n in self.nodes.values()]}

    # --- protocol -----------------------------------------------------------------------------

    def _envelope(self, destination: str | None) -> messages.SapientMessage:
        msg = messages.SapientMessage(node_id=self.node_id)
        msg.timestamp.CopyFrom(messages.timestamp(time.time()))
        if destination and is_uuid(destination):
            msg.destination_id = destination
        return msg

    async def _send(self, writer: asyncio.StreamWriter, msg: messages.SapientMessage) -> None:
        with contextlib.suppress(ConnectionError, OSError):
            await framing.write_message(writer, msg)

    async def _error(self, writer: asyncio.StreamWriter, reason: str, detail: str, packet: bytes,
                     destination: str | None = None) -> None:
        self.errors[reason] += 1
        self.last_error = f"{reason}: {detail}" if detail else reason
        log.warning("SAPIENT %s: %s (%s)", writer.get_extra_info("peername"), reason, detail)
        reply = self._envelope(destination)
        reply.error.packet = packet[:65536]
        reply.error.error_message.append(f"{reason}: {detail}" if detail else reason)
        await self._send(writer, reply)

    async def _drain_garbage(self, reader: asyncio.StreamReader) -> None:
        """After a bad length prefix: drop bytes until the peer has been quiet for a frame timeout."""
        while True:
            try:
                chunk = await asyncio.wait_for(reader.read(65536), self.frame_timeout_s)
            except TimeoutError:
                return
            if not chunk:
                return

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        peer = "{}:{}".format(*writer.get_extra_info("peername")[:2])
        self.connections += 1
        self.open_connections += 1
        try:
            while True:
                try:
                    body = await framing.read_frame(reader, self.max_frame, self.frame_timeout_s)
                except framing.FrameTruncated as err:
                    if err.eof:
                        self.errors["truncated (peer closed mid-frame)"] += 1
                        return
                    await self._error(writer, "truncated frame", err.detail, err.data)
                    continue
                except framing.FrameTooLarge as err:
                    await self._error(writer, "frame too large", err.detail, err.data)
                    await self._drain_garbage(reader)
                    continue
                if body is None:
                    return
                await self._message(writer, peer, body)
        except (ConnectionError, OSError) as err:
            self.errors["connection error"] += 1
            log.warning("SAPIENT %s: %s", peer, err)
        finally:
            self.open_connections -= 1
            writer.close()

    async def _message(self, writer: asyncio.StreamWriter, peer: str, body: bytes) -> None:
        try:
            msg = framing.decode(body)
        except framing.MalformedMessage as err:
            await self._error(writer, "malformed message" if err.reason == "malformed_message" else "no content",
                              err.detail, body)
            return
        kind = messages.content_kind(msg) or ""
        now = time.time()
        node_id = msg.node_id
        if kind == "registration":
            await self._register(writer, peer, msg, body, now)
            return
        node = self.nodes.get(node_id)
        if node is None:
            await self._error(writer, "node not registered", f"{kind} from node {node_id!r}: send a Registration first",
                              body, node_id)
            return
        if kind not in FORWARDED:
            await self._error(writer, "unexpected message", f"{kind} is not sent to a fusion node", body, node_id)
            return
        problems = validate.problems(msg)
        if problems:
            await self._error(writer, f"invalid {kind}", "; ".join(problems[:5]), body, node_id)
            return
        node.last_at = now
        node.counts[kind] += 1
        self.accepted[kind] += 1
        if kind == "status_report":
            st = msg.status_report
            node.system = messages.status_report_pb2.StatusReport.System.Name(st.system).removeprefix("SYSTEM_")
            if st.HasField("node_location"):
                loc = st.node_location
                node.position = {"x": loc.x, "y": loc.y, "z": loc.z}
                try:
                    node.lat, node.lon, node.alt_m, _, _ = location_to_geodetic(loc)
                except DecodeError as err:  # e.g. UTM: kept as sent, not placed on the map
                    log.info("SAPIENT node %s location not placed: %s", node_id, err)
        elif kind == "alert":
            ack = self._envelope(node_id)
            ack.alert_ack.alert_id = msg.alert.alert_id
            ack.alert_ack.alert_ack_status = messages.alert_ack_pb2.AlertAck.ALERT_ACK_STATUS_ACCEPTED
            await self._send(writer, ack)
        self._pending.append(Frame(sensor_id=f"sapient-{node_id}", received_at=now, link=LINK, data=body))

    async def _register(self, writer: asyncio.StreamWriter, peer: str, msg: messages.SapientMessage, body: bytes,
                        now: float) -> None:
        reg = msg.registration
        reasons = []
        if not is_uuid(msg.node_id):
            reasons.append(f"node_id {msg.node_id!r} is not a UUID")
        if not msg.HasField("timestamp"):
            reasons.append("timestamp missing")
        if not reg.node_definition:
            reasons.append("node_definition missing")
        if not reg.icd_version:
            reasons.append("icd_version missing")
        ack = self._envelope(msg.node_id)
        ack.registration_ack.acceptance = not reasons
        ack.registration_ack.ack_response_reason.extend(reasons)
        if reasons:
            self.errors["registration refused"] += 1
            await self._send(writer, ack)
            return
        # Other mandatory fields of the standard (modes, capabilities...) are not needed to
        # ingest detections: noted in the log, not a reason to refuse a sensor.
        missing = validate.problems(msg)
        if missing:
            log.info("SAPIENT node %s registered with %d gaps: %s", msg.node_id, len(missing), "; ".join(missing[:3]))
        node = self.nodes.get(msg.node_id) or NodeState(msg.node_id, peer)
        node.peer, node.name = peer, reg.name or reg.short_name or node.name
        if reg.node_definition:
            node.kind = KINDS.get(reg.node_definition[0].node_type, "radar")
        node.registered_at = node.last_at = now
        node.counts["registration"] += 1
        self.nodes[msg.node_id] = node
        self.accepted["registration"] += 1
        await self._send(writer, ack)
        self._pending.append(Frame(sensor_id=f"sapient-{msg.node_id}", received_at=now, link=LINK, data=body))
