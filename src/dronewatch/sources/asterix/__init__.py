"""ASTERIX radar data (own codec; UAP editions in ``uap.py``): CAT048 plots, CAT062 system
tracks, CAT034 / CAT065 sensor status. Registers the ``asterix`` frame decoder.

Modules: ``blocks`` (data blocks), ``uap`` (item layouts), ``records`` (FSPEC -> items),
``fields`` (items -> values), ``tod`` (time of day -> epoch), ``decoder`` (Frames -> Reports),
``pcap`` (UDP in captures), ``health`` (status from CAT034/065), ``feed`` (UDP reader), ``cli``.
"""

from __future__ import annotations

from dronewatch.sources.asterix.decoder import LINK, AsterixDecoder
from dronewatch.sources.frames import register_stateful

register_stateful((LINK,), AsterixDecoder, takes_site=True)

__all__ = ["LINK", "AsterixDecoder"]
