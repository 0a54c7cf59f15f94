"""Live inputs of ``serve``: the site file's ``inputs:`` and the command-line shortcuts
(``--beast``, ``--sbs``, ``--aircraft-json``, ``--asterix``, ``--sapient-listen``) -> feeds.

Each feed moves bytes into Frames of its link; the pipeline decodes them.
"""

from __future__ import annotations

from typing import Any

import msgspec

from dronewatch.config import ConfigError, InputSpec, Site
from dronewatch.sources.adsb.beast import BeastFrame, BeastSplitter
from dronewatch.sources.feeds import Feed, LineSplitter, PollFeed, TcpFeed

#: serve option -> (input kind, URL scheme the shortcut's HOST:PORT gets)
SHORTCUTS = {
    "beast": ("beast", "tcp"),
    "sbs": ("sbs", "tcp"),
    "aircraft-json": ("aircraft_json", ""),
    "asterix": ("asterix", "udp"),
    "sapient-listen": ("sapient", "tcp-listen"),
}


def from_shortcut(option: str, value: str) -> InputSpec:
    """``--beast HOST:PORT[@SENSOR]`` etc. -> InputSpec; ConfigError naming the option."""
    kind, scheme = SHORTCUTS[option]
    url, sep, sensor = value.rpartition("@")
    if not sep or "/" in sensor or ":" in sensor:
        url, sensor = value, ""
    if scheme and "://" not in url:
        url = f"{scheme}://{url}"
    try:
        return msgspec.convert({"kind": kind, "url": url, "sensor": sensor or None}, InputSpec)
    except msgspec.ValidationError as err:
        raise ConfigError(f"--{option} {value}", "url", str(err).split(" - at ")[0]) from None


def _host_port(url: str) -> tuple[str, int]:
    rest = url.partition("://")[2]
    host, _, port = rest.rpartition(":")
    return host.strip("[]"), int(port)


def _beast_bytes(frame: BeastFrame) -> bytes:
    return frame.to_bytes()


def open_feed(spec: InputSpec, site: Site | None = None) -> Any:
    """The feed object for one input (not started)."""
    sensor = spec.sensor_id
    name = f"{spec.kind}:{spec.url}"
    if spec.kind == "beast":
        host, port = _host_port(spec.url)
        return TcpFeed(name, host, port, sensor, "beast", BeastSplitter, transform=_beast_bytes)
    if spec.kind == "sbs":
        host, port = _host_port(spec.url)
        return TcpFeed(name, host, port, sensor, "sbs", LineSplitter)
    if spec.kind == "aircraft_json":
        return PollFeed(name, spec.url, sensor, "aircraft-json", every_s=spec.poll_s)
    if spec.kind == "asterix":
        from dronewatch.sources.asterix.blocks import BlockSplitter
        from dronewatch.sources.asterix.feed import AsterixUdpFeed

        host, port = _host_port(spec.url)
        if spec.url.startswith("tcp://"):
            return TcpFeed(name, host, port, sensor, "asterix", BlockSplitter)
        return AsterixUdpFeed(name, host, port, sensor)
    if spec.kind == "sapient":
        from dronewatch.sources.sapient.listener import SapientListener

        host, port = _host_port(spec.url)
        return SapientListener(name, host, port)
    raise ConfigError(name, "kind", f"input kind {spec.kind!r} is not available in this build")


def open_feeds(specs: list[InputSpec], site: Site | None = None) -> list[Feed]:
    return [open_feed(s, site) for s in specs]


def sensor_health(statuses: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Sensor status the feeds learnt (ASTERIX CAT034 / CAT065, SAPIENT status reports)."""
    return [s for st in statuses for s in st.get("sensors", [])]
