"""SAPIENT (BSI Flex 335 v2.0) in: dronewatch as fusion node. ``listener`` speaks the protocol
to edge nodes; ``decoder`` turns accepted messages into Reports; ``taxonomy`` maps the
standard's classes to dronewatch's. Registers the ``sapient`` frame decoder."""

from __future__ import annotations

from dronewatch.sources.frames import register_stateful
from dronewatch.sources.sapient.decoder import LINK, SapientDecoder

register_stateful((LINK,), SapientDecoder, takes_site=True)

__all__ = ["LINK", "SapientDecoder"]
