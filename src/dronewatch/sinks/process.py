"""``OutputsProcess``: the site's outputs run in a process of their own.

Building a message per live track for every output costs CPU of the same order as a
pipeline step with 1,000 tracks; on the pipeline's own threads that work competes with the
step for the interpreter lock. Here the pipeline side only hands each update to a ``Bridge``
(an ``Output``: alerts ahead of tracks, a waiting picture replaced by a newer one), whose
thread encodes it (msgpack; an alert goes with just the tracks it names) and writes it to a
pipe. The child process runs the outputs exactly as ``Outputs`` does in-process. The same
interface as ``Outputs``: ``offer``, ``drain``, ``close``, ``stats`` (the child's figures plus
what the bridge dropped), and ``set_ack_handler`` (a SAPIENT parent's AlertAck, called here).
A spec the child cannot build (e.g. a missing secret) fails ``start`` with its message.
"""

from __future__ import annotations

import builtins
import logging
import multiprocessing as mp
import os
import pickle
import queue
import signal
import sys
import threading
import time
from multiprocessing.connection import Connection
from pathlib import Path
from typing import TYPE_CHECKING, Any

import msgspec

from dronewatch.config import Site
from dronewatch.model import Update
from dronewatch.sinks.manager import AckHandler, Outputs, start_on_threads
from dronewatch.sinks.output import Output

if TYPE_CHECKING:
    from dronewatch.store import Store

log = logging.getLogger(__name__)
_UPDATE = b"u"
_ANSWER = {"stats": "stats", "cpu": "cpu", "drain": "drained", "close": "closed"}


class Bridge(Output):
    """Writes updates to the child's pipe (alerts first, only the newest picture)."""

    kind = "bridge"

    def __init__(self, conn: Connection, lock: threading.Lock) -> None:
        super().__init__("outputs process")
        self.conn = conn
        self.lock = lock
        self.enc = msgspec.msgpack.Encoder()

    def _write(self, update: Update) -> None:
        data = _UPDATE + self.enc.encode(update)
        with self.lock:
            self.conn.send_bytes(data)

    def handle_alerts(self, update: Update) -> None:
        named = {tid for a in update.alerts for tid in (a.track_id, *a.track_ids)}
        self._write(msgspec.structs.replace(update, tracks=[t for t in update.tracks if t.track_id in named],
                                            removed=[]))

    def handle_tracks(self, update: Update) -> None:
        self._write(update)


def _child(conn: Connection, site: Site, store_url: str | None, out_dir: str | None) -> None:
    """The outputs' process: updates in, figures and acknowledgements out."""
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(levelname)s outputs: %(message)s")
    # An output sending an alert gives up the interpreter at every socket or database call and
    # waits to get it back from the threads building track messages: up to the switch interval
    # each time (5 ms by default). A shorter one keeps an alert's dozens of calls quick.
    sys.setswitchinterval(0.0005)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the whole group: dronewatch closes us
    lock = threading.Lock()

    def send(msg: Any) -> None:
        with lock:
            conn.send(msg)

    try:
        from dronewatch.store import Store

        store = Store(store_url) if store_url else None
        outputs = start_on_threads(site, store, Path(out_dir) if out_dir else None)
    except Exception as err:
        send(("error", (type(err).__name__, str(err))))
        return
    outputs.set_ack_handler(lambda alert_id, by: send(("ack", alert_id, by)))
    send(("started", None))
    dec = msgspec.msgpack.Decoder(Update)
    while True:
        try:
            data = conn.recv_bytes()
        except (EOFError, OSError):  # dronewatch died: vanish too (the MQTT last will, a SAPIENT drop)
            os._exit(1)
        if data[:1] == _UPDATE:
            outputs.offer(dec.decode(data[1:]))
            continue
        what, arg = pickle.loads(data)
        if what == "stats":
            send(("stats", outputs.stats()))
        elif what == "cpu":
            send(("cpu", time.process_time()))
        elif what == "drain":
            send(("drained", outputs.drain(arg)))
        elif what == "close":
            outputs.close(drain_timeout=arg)
            send(("closed", None))
            break
    if store is not None:
        store.close()


class OutputsProcess:
    """Every output of one site, in a child process."""

    def __init__(self, site: Site, store_url: str | None, out_dir: Path | None = None) -> None:
        self.site = site
        parent, child = mp.Pipe()
        self._conn = parent
        ctx = mp.get_context("spawn")  # (never fork a process that runs threads)
        self._proc = ctx.Process(target=_child, args=(child, site, store_url, str(out_dir) if out_dir else None),
                                 name="dronewatch-outputs", daemon=True)
        self._child_conn = child
        self._lock = threading.Lock()  # one writer at a time on the pipe
        self._ask = threading.Lock()  # one question at a time
        self._answers: queue.Queue[tuple[str, Any]] = queue.Queue()
        self._ack_handler: AckHandler | None = None
        self.bridge = Bridge(parent, self._lock)
        self._last_stats: list[dict[str, Any]] = []
        self._closed = False

    def __bool__(self) -> bool:
        return True

    def start(self, timeout: float = 60.0) -> OutputsProcess:
        self._proc.start()
        self._child_conn.close()
        threading.Thread(target=self._read, name="outputs-process-reader", daemon=True).start()
        try:
            what, arg = self._answers.get(timeout=timeout)
        except queue.Empty:
            self._proc.kill()
            raise RuntimeError("the outputs process did not start") from None
        if what != "started":
            self._proc.join(5)
            name, message = arg if what == "error" else ("RuntimeError", "the outputs process ended")
            kind = getattr(builtins, name, None)  # the child's error, as the same built-in type
            raise (kind if isinstance(kind, type) and issubclass(kind, Exception) else RuntimeError)(message)
        self.bridge.start()
        return self

    def _read(self) -> None:
        while True:
            try:
                msg = self._conn.recv()
            except (EOFError, OSError):
                self._answers.put(("gone", None))
                return
            if msg[0] == "ack":
                if self._ack_handler is not None:
                    try:
                        self._ack_handler(msg[1], msg[2])
                    except Exception:
                        log.exception("acknowledging alert %s", msg[1])
            else:
                self._answers.put((msg[0], msg[1]))

    def _question(self, what: str, arg: Any, timeout: float | None) -> Any:
        with self._ask:
            if not self._proc.is_alive():
                return None
            try:
                with self._lock:
                    self._conn.send_bytes(pickle.dumps((what, arg)))
            except OSError:  # the child is gone
                return None
            deadline = None if timeout is None else time.monotonic() + timeout
            while True:  # (an answer to an earlier question that timed out is passed over)
                try:
                    left = None if deadline is None else max(0.0, deadline - time.monotonic())
                    tag, answer = self._answers.get(timeout=left)
                except queue.Empty:
                    return None
                if tag == "gone":
                    return None
                if tag == _ANSWER[what]:
                    return answer

    def set_ack_handler(self, handler: AckHandler) -> None:
        self._ack_handler = handler

    def cpu_s(self) -> float | None:
        """CPU seconds the outputs process has used (for the bench)."""
        got = self._question("cpu", None, 5.0)
        return float(got) if got is not None else None

    def offer(self, update: Update) -> None:
        """Hand one pipeline update to the outputs; never blocks."""
        self.bridge.offer(update)

    def drain(self, timeout: float | None = None) -> bool:
        deadline = None if timeout is None else time.monotonic() + timeout
        if not self.bridge.drain(timeout):
            return False
        left = None if deadline is None else max(0.0, deadline - time.monotonic())
        return bool(self._question("drain", left, None if left is None else left + 5.0))

    def close(self, drain_timeout: float | None = 10.0) -> None:
        if self._closed:
            return
        self.bridge.drain(drain_timeout)
        self.stats()  # the last figures, kept for after the close
        self._closed = True
        self._question("close", drain_timeout, None if drain_timeout is None else drain_timeout + 15.0)
        self._proc.join(timeout=10.0)
        if self._proc.is_alive():
            log.warning("the outputs process did not stop; killing it")
            self._proc.kill()
        self.bridge.close(drain_timeout=0.0)
        self._conn.close()

    def stats(self) -> list[dict[str, Any]]:
        """The child's figures per output, with what the bridge dropped or replaced added."""
        got = self._question("stats", None, 2.0) if not self._closed else None
        if got is not None:
            self._last_stats = got
        b = self.bridge
        return [s | {"offered": b.offered, "dropped": s["dropped"] + b.dropped,
                     "dropped_alerts": s["dropped_alerts"] + b.dropped_alerts,
                     "superseded": s["superseded"] + b.superseded, "queued": s["queued"] + b.stats()["queued"]}
                for s in self._last_stats]


def start_outputs(site: Site, store: Store | None, out_dir: Path | None = None, *,
                  separate: bool = True) -> Outputs | OutputsProcess:
    """The site's outputs, started: in a process of their own when there are any (``separate``)
    and the store can be opened there too (not an in-memory one), else on threads here."""
    if not site.outputs:
        return Outputs([])
    shared = store is None or store.url not in ("sqlite://", "sqlite:///:memory:")
    if separate and shared:
        return OutputsProcess(site, store.url if store is not None else None, out_dir).start()
    return start_on_threads(site, store, out_dir)
