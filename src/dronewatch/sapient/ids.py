"""Identifiers SAPIENT uses: ULIDs (report, object, task, alert ids) and UUIDs (node ids).

ULIDs come from ``python-ulid`` (MIT).
"""

from __future__ import annotations

import uuid

from ulid import ULID


def new_ulid(t: float | None = None) -> str:
    """A new ULID as 26 Crockford base-32 characters; ``t`` (epoch seconds) sets its time part."""
    return str(ULID() if t is None else ULID.from_timestamp(t))


def is_ulid(text: str) -> bool:
    """True when ``text`` is a well-formed ULID (26 Crockford base-32 characters, in range)."""
    if len(text) != 26:
        return False
    try:
        ULID.from_str(text)
    except ValueError:
        return False
    return True


def ulid_time(text: str) -> float:
    """Epoch seconds carried in a ULID; ValueError if it is not one."""
    return ULID.from_str(text).timestamp


def new_uuid() -> str:
    """A random (version 4) UUID in canonical text form, for a node id."""
    return str(uuid.uuid4())


def is_uuid(text: str) -> bool:
    """True when ``text`` parses as a UUID in canonical 8-4-4-4-12 form."""
    if len(text) != 36:
        return False
    try:
        uuid.UUID(text)
    except ValueError:
        return False
    return True
