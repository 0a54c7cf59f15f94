"""Alert rules, one module each, and the fixed order they run in (``ORDER``).

Importing this package registers every rule in ``RULES`` (see ``registry``).
"""

from __future__ import annotations

from dronewatch.assess.rules import (
    hover,
    loiter,
    no_remote_id,
    predicted_zone_entry,
    remote_id_mismatch,
    swarm,
    unidentified_object,
    zone_entry,
)
from dronewatch.assess.rules.registry import RULES, RemoteIdCoverage, Rule, RuleContext, rule

ORDER: tuple[str, ...] = (
    zone_entry.ZoneEntry.name,
    predicted_zone_entry.PredictedZoneEntry.name,
    hover.Hover.name,
    loiter.Loiter.name,
    no_remote_id.NoRemoteId.name,
    swarm.Swarm.name,
    remote_id_mismatch.RemoteIdMismatch.name,
    unidentified_object.UnidentifiedObject.name,
)

__all__ = ["ORDER", "RULES", "RemoteIdCoverage", "Rule", "RuleContext", "rule"]
