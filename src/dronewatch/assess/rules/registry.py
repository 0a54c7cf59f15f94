"""The rule registry: ``@rule("name")`` names a rule class and files it in ``RULES``.

A rule is a small class, instantiated once per ``Assessor`` (so it may keep per-track timers),
whose ``evaluate(tracks, ctx, now)`` returns the findings that hold now. It is given only the
tracks rules apply to (confirmed/coasting, old enough, not allow-listed, of the rule's
``classes``: drones unless it says otherwise), in track_id order, and must iterate zones in
site order so output is deterministic.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass

from dronewatch.assess.finding import Finding
from dronewatch.assess.zones import ZoneQueries, ZoneShape
from dronewatch.config import Thresholds
from dronewatch.model import Track


@dataclass(frozen=True)
class RemoteIdCoverage:
    """Where a Remote ID receiver hears: a horizontal disc in site ENU."""

    e_m: float
    n_m: float
    range_m: float


def _no_live_alerts(_rule: str) -> frozenset[int]:
    return frozenset()


@dataclass(frozen=True)
class RuleContext:
    """What rules read besides tracks: thresholds, zones (site order), receiver coverage, and
    ``live_tracks(rule)``: the tracks that live alerts of a rule name now (for hysteresis: a
    condition that raised an alert is held on looser terms than it takes to raise one). Rules
    test zones through ``zone_queries(tracks)``: one vectorised query per zone, shared by the
    step's rules."""

    thresholds: Thresholds
    zones: Sequence[ZoneShape]
    remote_id_coverage: Sequence[RemoteIdCoverage] = ()
    live_tracks: Callable[[str], frozenset[int]] = _no_live_alerts
    queries: ZoneQueries | None = None  # the step's tracks against the zones, computed once

    def zone_queries(self, tracks: Sequence[Track]) -> ZoneQueries:
        """``tracks`` against ``zones`` (per zone, arrays in track order): the step's kept
        queries when the assessor set them, else computed for these tracks."""
        return self.queries.select(tracks) if self.queries is not None else ZoneQueries(self.zones, tracks)


class Rule:
    """Base of every rule. ``name`` is set by ``@rule``."""

    name: str = ""
    classes: tuple[str, ...] = ("drone",)  # which tracks it is given, by class

    def evaluate(self, tracks: Sequence[Track], ctx: RuleContext, now: float) -> list[Finding]:
        raise NotImplementedError

    def forget(self, track_ids: Collection[int]) -> None:
        """Drop per-track state of tracks the tracker deleted (stateless rules: nothing)."""


RULES: dict[str, type[Rule]] = {}


def rule(name: str) -> Callable[[type[Rule]], type[Rule]]:
    """Class decorator: registers a rule under ``name`` (the name alerts carry)."""

    def register(cls: type[Rule]) -> type[Rule]:
        if name in RULES:
            raise ValueError(f"rule {name!r} registered twice")
        cls.name = name
        RULES[name] = cls
        return cls

    return register


def speed_mps(track: Track) -> float:
    ve, vn, vu = track.vel_enu_mps
    return float((ve * ve + vn * vn + vu * vu) ** 0.5)
