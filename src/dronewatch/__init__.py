"""dronewatch: passive counter-drone airspace awareness.

Flow, one direction: bytes -> reports (sources/) -> tracks (tracking/) -> assessments and
alerts (assess/) -> sinks (store/, api/, sinks/). See docs/architecture.md.
"""

__version__ = "0.1.0"
