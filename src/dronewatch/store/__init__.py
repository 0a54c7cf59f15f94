"""Evidence and history: ``Store(url)`` keeps frames, track snapshots, alerts and their audit."""

from dronewatch.store.store import Store

__all__ = ["Store"]
