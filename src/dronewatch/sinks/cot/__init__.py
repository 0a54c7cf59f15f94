"""Cursor-on-Target (TAK protocol v0, XML) out: events for tracks, pilots, homes and alerts
(``events``), sent over UDP multicast, TCP or TLS with a client certificate (``transport``),
rate-limited per track with hostile changes sent at once (``output``)."""

from dronewatch.sinks.cot.output import CotOutput

__all__ = ["CotOutput"]
