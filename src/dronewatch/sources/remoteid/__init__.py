"""Remote ID (ASTM F3411 / ASD-STAN Open Drone ID): codec, transports, readers, aggregation.

Importing the package registers its frame decoders ("odid-*" links) with ``sources.frames``.
"""

from __future__ import annotations

from dronewatch.sources.remoteid import links as links  # registers the frame decoders
