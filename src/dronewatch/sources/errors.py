"""The one error every decoder raises for bad input."""

from __future__ import annotations


class DecodeError(ValueError):
    """Bytes that could not be decoded. ``reason`` is short and stable (it is counted);
    ``detail`` carries the numbers for the log."""

    def __init__(self, reason: str, detail: str = "") -> None:
        self.reason = reason
        self.detail = detail
        super().__init__(f"{reason}: {detail}" if detail else reason)
