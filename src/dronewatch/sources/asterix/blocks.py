"""ASTERIX data blocks: ``CAT`` (1 byte), ``LEN`` (2 bytes, big-endian, the whole block), then
records. A datagram or a file is a sequence of blocks; this splits them, pure."""

from __future__ import annotations

from collections.abc import Iterator

from dronewatch.sources.errors import DecodeError

#: Categories dronewatch reads (CAT048 plots, CAT062 tracks, CAT034 / CAT065 status).
KNOWN = {34, 48, 62, 65}


def split_blocks(data: bytes) -> Iterator[tuple[int, bytes]]:
    """``(category, block bytes)`` for each data block; DecodeError at the first bad length
    (what came before it is still yielded)."""
    pos, n = 0, len(data)
    while pos < n:
        if n - pos < 3:
            raise DecodeError("ASTERIX block header cut", f"{n - pos} bytes left at offset {pos}")
        cat = data[pos]
        length = int.from_bytes(data[pos + 1 : pos + 3], "big")
        if length < 3 or pos + length > n:
            raise DecodeError("ASTERIX block length wrong", f"CAT{cat:03d} LEN {length} at offset {pos} of {n}")
        yield cat, data[pos : pos + length]
        pos += length


def looks_like_asterix(head: bytes) -> bool:
    """True when ``head`` starts with a whole block of a category dronewatch reads."""
    if len(head) < 4 or head[0] not in KNOWN:
        return False
    length = int.from_bytes(head[1:3], "big")
    return length >= 4 and (length <= len(head) or len(head) >= 4096)


class BlockSplitter:
    """Whole data blocks out of a byte stream (ASTERIX over TCP); a bad length skips one byte
    and is counted."""

    def __init__(self, max_len: int = 65535) -> None:
        self._buf = bytearray()
        self.skipped: dict[str, int] = {}

    def feed(self, data: bytes) -> list[bytes]:
        buf = self._buf
        buf += data
        out: list[bytes] = []
        pos = 0
        while len(buf) - pos >= 3:
            length = int.from_bytes(buf[pos + 1 : pos + 3], "big")
            if length < 4:
                self.skipped["bad block length"] = self.skipped.get("bad block length", 0) + 1
                pos += 1
                continue
            if len(buf) - pos < length:
                break
            out.append(bytes(buf[pos : pos + length]))
            pos += length
        del buf[:pos]
        return out

    @property
    def pending(self) -> int:
        return len(self._buf)
