"""Drives a Pipeline from a clock: a scenario as fast as the CPU allows, or live.

Fast: the simulator's clock steps the pipeline; nothing sleeps. Live: the same loop paced by
the wall clock (times ``speed``), read here at the edge and passed down as ``now``.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import msgspec

from dronewatch.config import Scenario
from dronewatch.model import Update
from dronewatch.pipeline import Pipeline
from dronewatch.sinks.jsonl import RunFiles
from dronewatch.sinks.process import start_outputs
from dronewatch.sources.sim import Simulation
from dronewatch.store import Store

log = logging.getLogger(__name__)


class RunSummary(msgspec.Struct, kw_only=True):
    scenario: str
    sim_seconds: float
    wall_seconds: float
    frames: int
    reports: int
    rejected: dict[str, int]
    alerts_by_rule: dict[str, int]
    tracks_seen: int

    @property
    def speedup(self) -> float:
        return self.sim_seconds / max(self.wall_seconds, 1e-9)


def run_fast(
    scenario: Scenario,
    out_dir: Path,
    *,
    step_s: float = 1.0,
    db_url: str | None = None,
    speed: float | None = None,
    on_progress: Callable[[float], None] | None = None,
) -> RunSummary:
    """Run a scenario start to end with no server; write the run files. With ``speed`` set,
    pace the run at that multiple of real time; without it, nothing sleeps."""
    started = time.perf_counter()
    sim = Simulation(scenario)
    store = Store(db_url) if db_url else None
    pipeline = Pipeline(scenario.site, sim.frame, store=store)
    outputs = start_outputs(scenario.site, store, out_dir)
    rules: Counter[str] = Counter()
    track_ids: set[int] = set()
    n_steps = round((sim.end_at - sim.start_at) / step_s)
    with RunFiles(out_dir) as files:
        for k in range(1, n_steps + 1):
            now = sim.start_at + k * step_s
            if speed is not None:
                time.sleep(max(0.0, started + k * step_s / speed - time.perf_counter()))
            update = pipeline.step(sim.advance(now), now)
            outputs.offer(update)
            rules.update(a.rule for a in files.write_alerts(update.alerts))
            files.write_tracks(update.tracks, now)
            files.write_truth(sim.truth(now), now)
            track_ids.update(t.track_id for t in update.tracks if t.status != "tentative")
            if on_progress is not None:
                on_progress(k / n_steps)
    outputs.close(drain_timeout=None)  # every output drained, webhook retries included
    if store is not None:
        store.close()
    return RunSummary(
        scenario=scenario.name,
        sim_seconds=n_steps * step_s,
        wall_seconds=time.perf_counter() - started,
        frames=pipeline.frames_in,
        reports=pipeline.reports_in,
        rejected=dict(pipeline.decoder.rejected),
        alerts_by_rule=dict(sorted(rules.items())),
        tracks_seen=len(track_ids),
    )


async def run_live(
    pipeline: Pipeline,
    sim: Simulation,
    on_update: Callable[[Update], None],
    *,
    speed: float = 1.0,
    step_s: float = 0.5,
    stop: asyncio.Event | None = None,
) -> None:
    """Step the pipeline on the wall clock (scaled by ``speed``) until the scenario ends."""
    wall0 = time.monotonic()
    now = sim.start_at
    while now < sim.end_at and not (stop is not None and stop.is_set()):
        now = min(now + step_s, sim.end_at)
        due = wall0 + (now - sim.start_at) / speed
        # always yield, even when behind: the API and the WebSocket share this event loop
        await asyncio.sleep(max(0.0, due - time.monotonic()))
        try:
            on_update(pipeline.step(sim.advance(now), now))
        except Exception:  # a bug in one step must not take down the console
            log.exception("pipeline step at %.1f failed", now)
