"""``SapientOutput``: dronewatch reporting to a SAPIENT parent (fusion) node over TCP.

On connect: Registration first, then nothing until the parent's RegistrationAck accepts it;
then a StatusReport, and every ``status_s`` another. Each pipeline update gives one batch of
DetectionReports (one per live track; ``lost`` once for a removed one) written at once; each
alert change an Alert (its location, and its tracks as associated detections). From the
parent: Task (request Registration / Status / Start / Stop; regions of interest or to ignore;
STOP ends the active task) answered with TaskAck; AlertAck answered with the Alert as
acknowledged (and, with an ack handler, acknowledged in dronewatch too), or an Error for an
alert we never sent. A dropped connection is retried with backoff and registers again;
alerts waiting meanwhile are sent then. Shutdown sends a SYSTEM_GOODBYE status.

Times in messages are the picture's (scenario time in ``run --fast``).
"""

from __future__ import annotations

import contextlib
import logging
import socket
import threading
import time
import uuid
from collections.abc import Callable

from shapely.geometry import Point, Polygon

from dronewatch.config import SapientOutput as SapientSpec
from dronewatch.config import Site
from dronewatch.model import Alert, Track, Update
from dronewatch.sapient import messages as sm
from dronewatch.sapient.framing import FrameError, FrameSplitter, decode, encode
from dronewatch.sapient.ids import new_ulid
from dronewatch.sapient.validate import problems
from dronewatch.sinks.messages import ENDED
from dronewatch.sinks.output import Output
from dronewatch.sinks.sapient_out import build

log = logging.getLogger(__name__)
AckHandler = Callable[[str, str], object]
PASSIVE = "dronewatch is a passive fusion node: it does not point, move, follow or change sensors"


class SapientOutput(Output):
    kind = "sapient"

    def __init__(self, spec: SapientSpec, site: Site) -> None:
        super().__init__(spec.name or f"sapient {spec.url}", spec.queue)
        self.spec = spec
        self.site = site
        self.node_id = spec.node_id or str(uuid.uuid5(uuid.NAMESPACE_URL, f"dronewatch:{site.name}"))
        rest = spec.url.partition("://")[2].rstrip("/")
        host, _, port = rest.rpartition(":")
        self.host, self.port = host.strip("[]"), int(port)
        self.ack_handler: AckHandler | None = None  # acknowledges a dronewatch alert (id, by)
        self.connect_timeout_s = 5.0
        self.registration_timeout_s = 5.0
        self.keep_unsent_s = 120.0
        self._sock: socket.socket | None = None
        self._send_lock = threading.Lock()
        self._registered = threading.Event()
        self._reg_answer = threading.Event()  # any RegistrationAck since we last registered
        self._reader: threading.Thread | None = None
        self._retry_at = 0.0
        self._backoff_s = 0.5
        self._last_status = 0.0
        self._status_new = True
        self._objects: dict[int, str] = {}  # track id -> object ULID
        self._last_track: dict[int, Track] = {}
        self._alert_ids: dict[str, str] = {}  # dronewatch alert id -> SAPIENT alert ULID
        self._alerts: dict[str, Alert] = {}  # SAPIENT alert ULID -> latest dronewatch alert
        self._alerted: set[int] = set()
        self._unsent: list[tuple[float, Alert]] = []
        self._picture_at: float | None = None
        self._picture_mono = 0.0
        self.parent_id: str | None = None
        self.reporting = True
        self.task_id: str | None = None
        self._include: list[Polygon] = []
        self._exclude: list[Polygon] = []
        self.registrations = 0
        self.received: dict[str, int] = {}

    # --- clock and connection ---------------------------------------------------------------

    def now(self) -> float:
        """The picture's time: the last update's, moved on by the wall clock since."""
        if self._picture_at is None:
            return time.time()
        return self._picture_at + (time.monotonic() - self._picture_mono)

    def _send(self, msgs: list[sm.SapientMessage]) -> bool:
        sock = self._sock
        if sock is None or not msgs:
            return sock is not None
        try:
            with self._send_lock:
                sock.sendall(b"".join(encode(m) for m in msgs))
        except OSError as err:
            self._drop(f"send failed: {err}")
            return False
        self.sent += len(msgs)
        return True

    def _drop(self, why: str) -> None:
        if self._sock is None:
            return
        if why != "shutdown":
            log.warning("SAPIENT %s: connection lost (%s)", self.spec.url, why)
            self.last_error = why
        self._registered.clear()
        sock, self._sock = self._sock, None
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)
        sock.close()

    def _connect(self) -> bool:
        """Connect and register; True once the parent has accepted the registration."""
        if self._registered.is_set():
            return True
        if self._sock is not None:
            self._drop("registration not accepted")
        if time.monotonic() < self._retry_at:
            return False
        try:
            sock = socket.create_connection((self.host, self.port), timeout=self.connect_timeout_s)
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            sock.settimeout(None)
        except OSError as err:
            return self._backoff(f"cannot connect: {err}")
        self._sock = sock
        self._reader = threading.Thread(target=self._read, args=(sock,), name=f"{self.name}-reader", daemon=True)
        self._reader.start()
        self._reg_answer.clear()
        self._send_registration()
        self._reg_answer.wait(self.registration_timeout_s)
        if not self._registered.is_set():
            self._drop(self.last_error if self._reg_answer.is_set() and self.last_error else "no RegistrationAck")
            return self._backoff(self.last_error or "registration refused")
        self._backoff_s = 0.5
        self._status_new = True
        self._send_status()
        return True

    def _backoff(self, why: str) -> bool:
        self.errors += 1
        self.last_error = why
        self._retry_at = time.monotonic() + self._backoff_s
        self._backoff_s = min(self._backoff_s * 2, 30.0)
        log.warning("SAPIENT %s: %s; retry in %.1f s", self.spec.url, why, self._backoff_s)
        return False

    # --- from the parent --------------------------------------------------------------------

    def _read(self, sock: socket.socket) -> None:
        splitter = FrameSplitter()
        while True:
            try:
                data = sock.recv(65536)
            except OSError:
                data = b""
            if not data:
                if self._sock is sock:
                    self._drop("parent closed the connection")
                return
            try:
                bodies = splitter.feed(data)
            except FrameError as err:
                self._drop(f"bad frame from parent: {err}")
                return
            for body in bodies:
                try:
                    self._on_message(decode(body), body)
                except FrameError as err:
                    self.errors += 1
                    self._send([build.error(self.node_id, self.now(), body, [str(err)], self.parent_id)])
                except Exception as err:  # one bad message must not stop the reader
                    self.errors += 1
                    self.last_error = f"handling a parent message: {err}"
                    log.exception("SAPIENT %s: handling a parent message", self.spec.url)

    def _on_message(self, msg: sm.SapientMessage, body: bytes) -> None:
        kind = sm.content_kind(msg) or "none"
        self.received[kind] = self.received.get(kind, 0) + 1
        if msg.node_id:
            self.parent_id = msg.node_id
        if kind == "registration_ack":
            ack = msg.registration_ack
            if ack.acceptance:
                self._registered.set()
            else:
                self.last_error = f"registration rejected: {'; '.join(ack.ack_response_reason) or 'no reason'}"
            self._reg_answer.set()
        elif kind == "task":
            self._on_task(msg.task, body)
        elif kind == "alert_ack":
            self._on_alert_ack(msg.alert_ack, body)
        elif kind == "error":
            self.errors += 1
            self.last_error = f"parent reported: {'; '.join(msg.error.error_message)}"
        else:
            self._send([build.error(self.node_id, self.now(), body, [f"{kind} not expected by a child node"],
                                    self.parent_id)])

    def _on_task(self, task: sm.Task, body: bytes) -> None:
        bad = problems(task, "task")
        if not task.task_id or any(p.startswith("task.task_id") for p in bad):
            self._send([build.error(self.node_id, self.now(), body, bad or ["task_id missing"], self.parent_id)])
            return
        reasons, after = self._apply_task(task) if not bad else (bad, None)
        self._send([build.task_ack(self.node_id, self.now(), task.task_id, not reasons, reasons, self.parent_id)])
        if not reasons and after is not None:
            after()

    def _apply_task(self, task: sm.Task) -> tuple[list[str], Callable[[], None] | None]:
        """Check and carry out a task; returns (reasons to reject, what to send after the ack)."""
        if task.control in (sm.Task.CONTROL_STOP, sm.Task.CONTROL_PAUSE):
            if task.task_id != self.task_id:
                return [f"task {task.task_id} is not the active task"], None
            self.task_id, self._include, self._exclude = None, [], []
            return [], None
        if task.control != sm.Task.CONTROL_START:
            return ["control must be START, STOP or PAUSE"], None
        include, exclude = [], []
        for region in task.region:
            if region.region_area.WhichOneof("fov_oneof") != "location_list":
                return ["regions must be a location_list (range-bearing regions are not supported)"], None
            pts = [(loc.x, loc.y) for loc in region.region_area.location_list.locations]
            if len(pts) < 3:
                return [f"region {region.region_name}: needs at least 3 locations"], None
            if region.type == sm.Task.REGION_TYPE_AREA_OF_INTEREST:
                include.append(Polygon(pts))
            elif region.type == sm.Task.REGION_TYPE_IGNORE:
                exclude.append(Polygon(pts))
            else:
                return [f"region {region.region_name}: only AREA_OF_INTEREST and IGNORE regions"], None
        after: Callable[[], None] | None = None
        if task.HasField("command"):
            which = task.command.WhichOneof("command")
            if which == "request":
                request = task.command.request.strip().lower()
                if request == "registration":
                    after = self._send_registration
                elif request == "status":
                    after = self._send_status
                elif request in ("start", "stop"):
                    self.reporting = request == "start"
                    self._status_new = True
                    after = self._send_status
                else:
                    return [f"request {task.command.request!r} not supported (Registration, Status, Start, Stop)"], None
            elif which == "mode_change" and task.command.mode_change == build.MODE:
                pass
            else:
                return [f"command {which} not supported: {PASSIVE}"], None
        if task.region:
            self._include, self._exclude = include, exclude
        self.task_id = task.task_id
        return [], after

    def _on_alert_ack(self, ack: sm.AlertAck, body: bytes) -> None:
        alert = self._alerts.get(ack.alert_id)
        if alert is None:
            self._send([build.error(self.node_id, self.now(), body, [f"no alert {ack.alert_id} was sent"],
                                    self.parent_id)])
            return
        if ack.alert_ack_status != sm.AlertAck.ALERT_ACK_STATUS_ACCEPTED:
            log.info("SAPIENT parent did not accept alert %s: %s", alert.alert_id, "; ".join(ack.reason))
            return
        if self.ack_handler is not None and alert.state == "open":
            self.ack_handler(alert.alert_id, f"sapient:{self.parent_id or 'parent'}")
        self._send([build.alert_message(self.node_id, self.now(), ack.alert_id, alert, self.site.origin.alt_m,
                                        self._objects, status="acknowledged")])

    def _send_registration(self) -> None:
        kinds: list[str] = sorted({s.kind for s in self.site.sensors})
        self._send([build.registration(self.node_id, self.now(), self.site.name, kinds, self.spec.status_s)])
        self.registrations += 1

    def _send_status(self, goodbye: bool = False) -> None:
        o = self.site.origin
        msg = build.status_report(self.node_id, self.now(), o.lat, o.lon, o.alt_m, new=self._status_new,
                                  goodbye=goodbye, task_id=self.task_id, reporting=self.reporting)
        self._status_new = False
        self._last_status = time.monotonic()
        self._send([msg])

    # --- to the parent ----------------------------------------------------------------------

    def _reported(self, track: Track) -> bool:
        if not self.reporting:
            return False
        if not (self._include or self._exclude):
            return True
        p = Point(track.lon, track.lat)
        if self._include and not any(poly.covers(p) for poly in self._include):
            return False
        return not any(poly.covers(p) for poly in self._exclude)

    def _object_id(self, track: Track) -> str:
        oid = self._objects.get(track.track_id)
        if oid is None:
            oid = self._objects[track.track_id] = new_ulid(track.first_seen_at)
        return oid

    def _alert_msg(self, alert: Alert, at: float) -> sm.SapientMessage:
        sid = self._alert_ids.get(alert.alert_id)
        if sid is None:
            sid = self._alert_ids[alert.alert_id] = new_ulid(alert.raised_at)
        self._alerts[sid] = alert
        return build.alert_message(self.node_id, at, sid, alert, self.site.origin.alt_m, self._objects)

    def handle_alerts(self, update: Update) -> None:
        """The alerts at once (connecting first if need be); kept to send later if we cannot."""
        self._picture_at, self._picture_mono = update.at, time.monotonic()
        named: set[int] = set()
        for alert in update.alerts:
            ids = {alert.track_id, *alert.track_ids}
            named |= ids
            if alert.state not in ENDED:
                self._alerted |= ids
            self._unsent.append((time.monotonic(), alert))
        for track in update.tracks:  # object ids for the tracks they name (associated detections)
            if track.track_id in named and track.status != "tentative":
                self._object_id(track)
        if self._connect():
            self._send(self._take_alerts(update.at))
        else:
            self._expire()

    def handle_tracks(self, update: Update) -> None:
        """One DetectionReport per live track (``lost`` for a removed one), in chunks."""
        self._picture_at, self._picture_mono = update.at, time.monotonic()
        at = update.at
        connected = self._connect()
        batch: list[sm.SapientMessage] = []
        for track in update.tracks:
            if track.status == "tentative":
                continue
            self._last_track[track.track_id] = track
            oid = self._object_id(track)
            if connected and self._reported(track):
                batch.append(build.detection_report(self.node_id, at, oid, track, self.site.origin.alt_m,
                                                    task_id=self.task_id,
                                                    alerted="yes" if track.track_id in self._alerted else None))
                if len(batch) >= self.chunk:
                    connected = self._send(self._take_alerts(at) + batch)
                    batch = []
                    self.urgent()
        for tid in update.removed:
            last = self._last_track.pop(tid, None)
            lost_id = self._objects.pop(tid) if tid in self._objects else None
            self._alerted.discard(tid)
            if connected and last is not None and lost_id is not None and self._reported(last):
                batch.append(build.detection_report(self.node_id, at, lost_id, last, self.site.origin.alt_m, lost=True,
                                                    task_id=self.task_id))
        if not connected or not self._registered.is_set():
            self._expire()
            return
        self._send(self._take_alerts(at) + batch)

    def _take_alerts(self, at: float) -> list[sm.SapientMessage]:
        msgs = [self._alert_msg(alert, at) for _, alert in self._unsent]
        self._unsent = []
        return msgs

    def _expire(self) -> None:
        cutoff = time.monotonic() - self.keep_unsent_s
        kept = [(t, a) for t, a in self._unsent if t >= cutoff]
        self.dropped_alerts += len(self._unsent) - len(kept)
        self._unsent = kept

    def tick(self) -> None:
        if not self._connect():
            self._expire()
            return
        if self._unsent:
            self._send(self._take_alerts(self.now()))
        if time.monotonic() - self._last_status >= self.spec.status_s:
            self._send_status()

    def pending(self) -> int:
        return len(self._unsent)

    def shutdown(self) -> None:
        if self._registered.is_set():
            self._send_status(goodbye=True)
        self._drop("shutdown")
