"""Edge side of the network bus: what this site's store recorded goes out on NATS JetStream.

The local store is the buffer. ``StoreTail`` reads rows added since a cursor; ``EdgePublisher``
publishes them in order, advances the cursor only when JetStream has acknowledged them, and
keeps trying while the broker is away, so the site keeps working on its own and catches up."""

from __future__ import annotations

from dronewatch.edge.publisher import EdgePublisher
from dronewatch.edge.tail import StoreTail

__all__ = ["EdgePublisher", "StoreTail"]
