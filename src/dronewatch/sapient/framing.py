"""SAPIENT TCP framing: a 4-byte little-endian unsigned length, then one serialized SapientMessage.

Readers and writers for asyncio streams, plus an incremental ``FrameSplitter`` for bytes that
arrive in arbitrary pieces (files, fuzzing, threads). Errors are ``FrameError`` subclasses with
a short stable ``reason`` to count:

* ``truncated``          the peer closed, or stopped sending for ``frame_timeout`` s, inside a frame
* ``frame_too_large``    the length prefix is above ``max_len`` (the stream cannot be resynchronised)
* ``malformed_message``  the body is not a SapientMessage (protobuf parse error)
* ``no_content``         a SapientMessage with none of its content messages set

After ``truncated`` by timeout the partial bytes are dropped and the stream is read again from
the next byte, so a peer that resends whole frames recovers without reconnecting.
"""

from __future__ import annotations

import asyncio
import struct
from collections.abc import Iterator

from google.protobuf.message import DecodeError

from dronewatch.sapient.messages import SapientMessage

HEADER = struct.Struct("<I")
#: Default cap on one frame's body. Registrations with many modes are a few kB; 16 MiB is ample.
MAX_FRAME = 16 * 1024 * 1024


class FrameError(ValueError):
    """A frame that could not be read; ``reason`` is short and stable (it is counted)."""

    def __init__(self, reason: str, detail: str = "", data: bytes = b"") -> None:
        self.reason = reason
        self.detail = detail
        #: The bytes of the offending frame (or as much of it as arrived), for the Error reply.
        self.data = data
        super().__init__(f"{reason}: {detail}" if detail else reason)


class FrameTruncated(FrameError):
    """The stream ended or stalled inside a frame."""

    def __init__(self, detail: str, data: bytes = b"", eof: bool = False) -> None:
        super().__init__("truncated", detail, data)
        #: True when the peer closed the connection (nothing more will come).
        self.eof = eof


class FrameTooLarge(FrameError):
    """A length prefix above the cap."""

    def __init__(self, length: int, max_len: int, data: bytes = b"") -> None:
        super().__init__("frame_too_large", f"length {length} > {max_len}", data)
        self.length = length


class MalformedMessage(FrameError):
    """A frame whose body is not a usable SapientMessage."""


def encode(msg: SapientMessage) -> bytes:
    """One frame: length prefix + serialized message."""
    body = msg.SerializeToString()
    return HEADER.pack(len(body)) + body


def decode(body: bytes) -> SapientMessage:
    """Parse one frame body; MalformedMessage if it is not a SapientMessage with content."""
    msg = SapientMessage()
    try:
        msg.ParseFromString(body)
    except (DecodeError, RuntimeError, ValueError) as exc:
        raise MalformedMessage("malformed_message", str(exc) or type(exc).__name__, body) from None
    if msg.WhichOneof("content") is None:
        raise MalformedMessage("no_content", f"{len(body)} bytes, no content message set", body)
    return msg


async def _read_exact(reader: asyncio.StreamReader, n: int, got: bytearray, timeout: float | None, what: str) -> None:
    """Append exactly ``n`` bytes to ``got``; FrameTruncated on EOF or a stall of ``timeout`` s."""
    end = len(got) + n
    while len(got) < end:
        try:
            chunk = await asyncio.wait_for(reader.read(end - len(got)), timeout)
        except TimeoutError:
            raise FrameTruncated(f"stalled {timeout} s inside the {what} after {len(got)} bytes", bytes(got)) from None
        if not chunk:
            raise FrameTruncated(f"connection closed inside the {what} after {len(got)} bytes", bytes(got), eof=True)
        got += chunk


async def read_frame(
    reader: asyncio.StreamReader, max_len: int = MAX_FRAME, frame_timeout: float | None = 5.0
) -> bytes | None:
    """The next frame's body; None on a clean end of stream between frames.

    Waits as long as it takes for a frame to start; once its first byte is in, each further
    piece must come within ``frame_timeout`` seconds (None: wait forever).
    """
    first = await reader.read(1)
    if not first:
        return None
    got = bytearray(first)
    await _read_exact(reader, HEADER.size - 1, got, frame_timeout, "length prefix")
    (length,) = HEADER.unpack(got)
    if length > max_len:
        raise FrameTooLarge(length, max_len, bytes(got))
    body = bytearray()
    try:
        await _read_exact(reader, length, body, frame_timeout, f"{length}-byte body")
    except FrameTruncated as exc:
        exc.data = bytes(got) + exc.data
        raise
    return bytes(body)


async def read_message(
    reader: asyncio.StreamReader, max_len: int = MAX_FRAME, frame_timeout: float | None = 5.0
) -> SapientMessage | None:
    """The next SapientMessage; None on a clean end of stream. Raises FrameError subclasses."""
    body = await read_frame(reader, max_len, frame_timeout)
    return None if body is None else decode(body)


async def write_message(writer: asyncio.StreamWriter, msg: SapientMessage) -> None:
    """Send one message and wait for the transport to drain."""
    writer.write(encode(msg))
    await writer.drain()


class FrameSplitter:
    """Incremental framing for bytes arriving in any pieces: ``feed`` returns whole bodies."""

    def __init__(self, max_len: int = MAX_FRAME) -> None:
        self.max_len = max_len
        self._buf = bytearray()

    def feed(self, data: bytes) -> list[bytes]:
        """Add bytes; return the bodies of the frames now complete. FrameTooLarge poisons the buffer."""
        self._buf += data
        return list(self._drain())

    def _drain(self) -> Iterator[bytes]:
        buf = self._buf
        pos = 0
        while len(buf) - pos >= HEADER.size:
            (length,) = HEADER.unpack_from(buf, pos)
            if length > self.max_len:
                head = bytes(buf[pos : pos + HEADER.size])
                del buf[:pos]
                raise FrameTooLarge(length, self.max_len, head)
            if len(buf) - pos - HEADER.size < length:
                break
            start = pos + HEADER.size
            yield bytes(buf[start : start + length])
            pos = start + length
        del buf[:pos]

    @property
    def pending(self) -> int:
        """Bytes held that do not yet make a whole frame."""
        return len(self._buf)

    def reset(self) -> bytes:
        """Drop and return the held bytes (a truncated frame)."""
        data = bytes(self._buf)
        self._buf.clear()
        return data
