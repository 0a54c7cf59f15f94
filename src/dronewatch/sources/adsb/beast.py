"""Beast binary framing (readsb / dump1090 port 30005), pure.

A frame is ``0x1A``, a type byte, a 6-byte big-endian 12 MHz timestamp, a signal byte and the
payload: type ``'1'`` Mode A/C (2 bytes), ``'2'`` Mode S short (7), ``'3'`` Mode S long (14),
``'4'`` receiver status/config (readsb, ignored; length taken from its payload). Every ``0x1A``
after the type byte is sent doubled. ``BeastSplitter`` takes bytes in any pieces and returns
whole frames; bytes that are not a frame are skipped to the next ``0x1A`` and counted.
"""

from __future__ import annotations

from collections import Counter
from typing import NamedTuple

ESC = 0x1A
#: Payload length by type byte.
PAYLOAD = {0x31: 2, 0x32: 7, 0x33: 14}
TYPE_STATUS = 0x34
STATUS_PAYLOAD = 14  # readsb receiver-status/"config" frame, body not interpreted
CLOCK_HZ = 12_000_000


class BeastFrame(NamedTuple):
    """One Beast frame, unescaped (a tuple: cheap to make, one per received message)."""

    kind: int  # 0x31 Mode A/C, 0x32 Mode S short, 0x33 Mode S long
    timestamp: int  # 12 MHz counter (receiver clock, not time of day)
    signal: int  # 0..255; RSSI dBFS = 20 log10(signal / 255)
    payload: bytes

    @property
    def seconds(self) -> float:
        """The counter in seconds (a receiver clock: only differences mean anything)."""
        return self.timestamp / CLOCK_HZ

    def to_bytes(self) -> bytes:
        """The unescaped frame (type, timestamp, signal, payload), as kept for evidence."""
        return bytes([self.kind]) + self.timestamp.to_bytes(6, "big") + bytes([self.signal]) + self.payload


def parse_unescaped(data: bytes) -> BeastFrame:
    """A frame from ``BeastFrame.to_bytes()`` form; ValueError if the length does not fit."""
    if len(data) < 8 or data[0] not in PAYLOAD or len(data) != 8 + PAYLOAD[data[0]]:
        raise ValueError(f"not an unescaped Beast frame ({len(data)} bytes)")
    return BeastFrame(data[0], int.from_bytes(data[1:7], "big"), data[7], bytes(data[8:]))


def escape(frame: BeastFrame) -> bytes:
    """The frame as sent on the wire."""
    body = frame.to_bytes()[1:]
    return bytes([ESC, frame.kind]) + body.replace(b"\x1a", b"\x1a\x1a")


class BeastSplitter:
    """Incremental Beast deframer. ``feed(data)`` returns the frames completed by ``data``."""

    def __init__(self) -> None:
        self._buf = bytearray()
        self.skipped = Counter[str]()  # reason -> count
        self.frames = 0

    def feed(self, data: bytes) -> list[BeastFrame]:
        buf = self._buf
        buf += data
        out: list[BeastFrame] = []
        pos = 0
        n = len(buf)
        while pos < n:
            if buf[pos] != ESC:
                nxt = buf.find(b"\x1a", pos)
                self.skipped["bytes outside a frame"] += 1
                if nxt < 0:
                    pos = n
                    break
                pos = nxt
                continue
            if pos + 1 >= n:
                break
            kind = buf[pos + 1]
            if kind == TYPE_STATUS:
                need = 7 + STATUS_PAYLOAD
            elif kind in PAYLOAD:
                need = 7 + PAYLOAD[kind]
            else:
                self.skipped["unknown frame type"] += 1
                pos += 1
                continue
            start = pos + 2
            end = start + need
            if end <= n and buf.find(b"\x1a", start, end) < 0:
                # Fast path: no 0x1A inside the body, so nothing to unescape.
                pos = end
                if kind != TYPE_STATUS:
                    out.append(BeastFrame(kind, int.from_bytes(buf[start : start + 6], "big"), buf[start + 6],
                                          bytes(buf[start + 7 : end])))
                continue
            # Unescape the body (timestamp, signal, payload) until it has ``need`` bytes.
            body = bytearray()
            i = start
            bad = False
            while len(body) < need and i < n:
                b = buf[i]
                if b == ESC:
                    if i + 1 >= n:
                        break
                    if buf[i + 1] != ESC:  # an unescaped 0x1A: a new frame starts, this one is cut
                        bad = True
                        break
                    i += 2
                else:
                    i += 1
                body.append(b)
            if bad:
                self.skipped["frame cut short"] += 1
                pos = i
                continue
            if len(body) < need:
                break  # wait for more bytes
            pos = i
            if kind == TYPE_STATUS:
                continue
            out.append(BeastFrame(kind, int.from_bytes(body[:6], "big"), body[6], bytes(body[7:])))
        del buf[:pos]
        self.frames += len(out)
        return out

    @property
    def pending(self) -> int:
        return len(self._buf)
