"""Sinks: where tracks and alerts go after assessment (files, store, TAK, MQTT, webhooks)."""
