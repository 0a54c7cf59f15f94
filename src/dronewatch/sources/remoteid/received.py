"""What a transport decoder gives back: one received Remote ID payload and where it came from."""

from __future__ import annotations

from msgspec import Struct

from dronewatch.sources.remoteid.messages import Message

TRANSPORTS = ("wifi-beacon", "wifi-nan", "bt4", "bt5", "pack", "mavlink")


class Received(Struct, frozen=True, kw_only=True):
    """The ODID messages one frame carried."""

    transport: str  # one of TRANSPORTS
    mac: str | None  # transmitter address (may be randomised), None if the link has none
    counter: int | None  # the transport's message counter
    messages: tuple[Message, ...]
    raw: bytes = b""  # the pack or message bytes, for duplicate detection
