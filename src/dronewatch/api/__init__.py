"""REST + WebSocket API and the console: ``create_app(site, store, live, bus)``, ``LiveState``."""

from dronewatch.api.app import create_app
from dronewatch.api.live import LiveState

__all__ = ["LiveState", "create_app"]
