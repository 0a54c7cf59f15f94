"""``Outputs``: the site's ``outputs:`` built and run side by side.

The pipeline side calls ``offer(update)`` after each step (or subscribes it to the bus); each
output takes it on its own thread from its own bounded queue, so a slow or dead far end never
holds up the pipeline. ``stats()`` is what /api/health shows; ``close()`` drains (queued
updates, undelivered webhooks and their retries) and then says goodbye.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dronewatch.config import CotOutput as CotSpec
from dronewatch.config import MqttOutput as MqttSpec
from dronewatch.config import OutputSpec, Site
from dronewatch.config import SapientOutput as SapientSpec
from dronewatch.config import WebhookOutput as WebhookSpec
from dronewatch.model import Update
from dronewatch.sinks.output import Output

if TYPE_CHECKING:
    from dronewatch.store import Store

log = logging.getLogger(__name__)
AckHandler = Callable[[str, str], object]  # acknowledges a dronewatch alert: (alert id, by whom)


def build_output(spec: OutputSpec, site: Site, store: Store | None) -> Output:
    """One output from its spec (imports only what that kind needs)."""
    if isinstance(spec, CotSpec):
        from dronewatch.sinks.cot import CotOutput

        return CotOutput(spec, site)
    if isinstance(spec, MqttSpec):
        from dronewatch.sinks.mqtt import MqttOutput

        return MqttOutput(spec, site)
    if isinstance(spec, WebhookSpec):
        from dronewatch.sinks.webhook import WebhookOutput

        if store is None:
            raise ValueError("a webhook output needs a store for its outbox")
        return WebhookOutput(spec, site, store)
    if isinstance(spec, SapientSpec):
        from dronewatch.sinks.sapient_out import SapientOutput

        return SapientOutput(spec, site)
    raise TypeError(f"unknown output {spec!r}")


def start_on_threads(site: Site, store: Store | None, out_dir: Path | None = None) -> Outputs:
    """The site's outputs, started on threads of this process. Webhooks keep their outbox in
    ``store``; a run without one keeps it in ``out_dir/outbox.db``."""
    if store is None and out_dir is not None and any(isinstance(s, WebhookSpec) for s in site.outputs):
        from dronewatch.store import Store

        out_dir.mkdir(parents=True, exist_ok=True)
        outbox = Store(f"sqlite:///{out_dir / 'outbox.db'}")
        outputs = Outputs.for_site(site, outbox)
        outputs.owned_store = outbox
        return outputs.start()
    return Outputs.for_site(site, store).start()


class Outputs:
    """Every output of one site."""

    def __init__(self, outputs: list[Output]) -> None:
        self.outputs = outputs
        self.owned_store: Store | None = None  # closed with the outputs

    @classmethod
    def for_site(cls, site: Site, store: Store | None = None) -> Outputs:
        return cls([build_output(spec, site, store) for spec in site.outputs])

    def __bool__(self) -> bool:
        return bool(self.outputs)

    def start(self) -> Outputs:
        for out in self.outputs:
            out.start()
        return self

    def set_ack_handler(self, handler: AckHandler) -> None:
        """Who acknowledges an alert when a far end does (a SAPIENT parent's AlertAck)."""
        for out in self.outputs:
            if hasattr(out, "ack_handler"):
                out.ack_handler = handler

    def offer(self, update: Update) -> None:
        """Hand one pipeline update to every output; never blocks."""
        for out in self.outputs:
            out.offer(update)

    def drain(self, timeout: float | None = None) -> bool:
        """Wait until every output has sent everything (retries included); True if all did."""
        deadline = None if timeout is None else time.monotonic() + timeout
        ok = True
        for out in self.outputs:
            left = None if deadline is None else max(0.0, deadline - time.monotonic())
            if not out.drain(left):
                log.warning("output %s not drained: %d pending", out.name, out.pending())
                ok = False
        return ok

    def close(self, drain_timeout: float | None = 10.0) -> None:
        self.drain(drain_timeout)
        for out in self.outputs:
            try:
                out.close(drain_timeout=0.0)
            except Exception:
                log.exception("closing output %s", out.name)
        if self.owned_store is not None:
            self.owned_store.close()

    def stats(self) -> list[dict[str, Any]]:
        return [out.stats() for out in self.outputs]
