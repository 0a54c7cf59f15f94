"""The scenario simulator: objects fly their routes, sensors observe them, frames come out.

``Simulation(scenario)`` sets up every object's path (``movers``, ``paths``) and computes the
trajectories as the run needs them, a minute at a time (``truth``), so set-up time and memory do
not grow with the scenario's length; ``advance(to_at)`` lets each sensor model produce its
frames up to ``to_at`` and hands back those received in ``(previous, to_at]``, sorted by
``received_at``. Every random stream is
spawned from ``scenario.seed`` per object and per sensor, so the bytes depend only on the
scenario file, never on how the caller steps the clock. Sensor kinds without a model yet
(camera) are listed in ``ignored_sensors`` and produce nothing; ``rf`` is the DroneID
receiver (``droneid``).
"""

from __future__ import annotations

import heapq
import math

import msgspec
import numpy as np

from dronewatch.config import Scenario
from dronewatch.geo import SiteFrame
from dronewatch.model import Frame
from dronewatch.sources.sim.acoustic import MicrophoneModel
from dronewatch.sources.sim.adsb import AdsbModel
from dronewatch.sources.sim.droneid import DroneIdModel
from dronewatch.sources.sim.movers import DYNAMICS, first_step, flight
from dronewatch.sources.sim.paths import FlightPath, FlockPath, Path
from dronewatch.sources.sim.radar import RadarModel
from dronewatch.sources.sim.recorded import RecordedPath
from dronewatch.sources.sim.remoteid import RemoteIdModel
from dronewatch.sources.sim.route import Route
from dronewatch.sources.sim.sensors import SensorModel, SimObject
from dronewatch.sources.sim.truth import TruthRow, TruthTable


class Simulation:
    """Runs one scenario: ``frame``, ``start_at``, ``end_at``, ``advance(to_at)``, ``truth(at)``."""

    def __init__(self, scenario: Scenario) -> None:
        self.scenario = scenario
        origin = scenario.site.origin
        self.frame = SiteFrame(origin.lat, origin.lon, origin.alt_m)
        self.start_at = scenario.start_at
        self.end_at = self.start_at + scenario.duration_s
        movers_seed, sensors_seed = np.random.SeedSequence(scenario.seed).spawn(2)
        step_s = scenario.step_s
        steps = math.floor(scenario.duration_s / step_s + 1e-9) + 1

        ids: list[str] = []
        kinds: list[str] = []
        paths: list[Path] = []
        self.objects: list[SimObject] = []
        for spec, seed in zip(scenario.objects, movers_seed.spawn(len(scenario.objects)), strict=True):
            rng = np.random.default_rng(seed)
            dyn = DYNAMICS[spec.kind]
            if spec.speed_mps is not None:
                dyn = msgspec.structs.replace(
                    dyn,
                    cruise_mps=spec.speed_mps,
                    min_mps=min(dyn.min_mps, spec.speed_mps),
                    max_mps=max(dyn.max_mps, spec.speed_mps * 1.5),
                )
            if spec.track_file is not None:
                path: Path = RecordedPath(spec, self.frame, step_s)
            else:
                route = Route(spec, self.frame)
                path = FlightPath(flight(spec.kind, route, dyn, rng, step_s), first_step(route, step_s))
            if spec.kind == "bird" and spec.count > 1:
                path = FlockPath(path, spec.count, rng, step_s)
                members = [f"{spec.id}-{i + 1}" for i in range(spec.count)]
            else:
                members = [spec.id]
            paths.append(path)
            for object_id in members:
                self.objects.append(SimObject.from_spec(spec, object_id, len(ids)))
                ids.append(object_id)
                kinds.append(spec.kind)
        self.truth_table = TruthTable(ids, kinds, paths, self.start_at, step_s, steps)

        self.sensors: list[SensorModel] = []
        self.ignored_sensors: list[str] = []
        for spec_s, seed in zip(
            scenario.site.sensors, sensors_seed.spawn(len(scenario.site.sensors)), strict=True
        ):
            args = (spec_s, self.frame, self.truth_table, self.objects)
            if spec_s.kind == "radar":
                self.sensors.append(
                    RadarModel(*args, np.random.default_rng(seed), self.start_at, self.end_at)
                )
            elif spec_s.kind == "remoteid":
                self.sensors.append(RemoteIdModel(*args, seed, self.start_at, self.end_at))
            elif spec_s.kind == "adsb":
                self.sensors.append(AdsbModel(*args, seed, self.start_at, self.end_at))
            elif spec_s.kind == "acoustic":
                self.sensors.append(
                    MicrophoneModel(*args, np.random.default_rng(seed), self.start_at, self.end_at)
                )
            elif spec_s.kind == "rf":
                self.sensors.append(DroneIdModel(*args, seed, self.start_at, self.end_at))
            else:
                self.ignored_sensors.append(spec_s.id)
        self._pending: list[tuple[float, int, int, Frame]] = []
        self._count = 0

    def advance(self, to_at: float) -> list[Frame]:
        """Frames received in (previous ``to_at``, ``to_at``], sorted by ``received_at``."""
        for index, sensor in enumerate(self.sensors):
            for f in sensor.frames_until(to_at):
                heapq.heappush(self._pending, (f.received_at, index, self._count, f))
                self._count += 1
        out: list[Frame] = []
        while self._pending and self._pending[0][0] <= to_at:
            out.append(heapq.heappop(self._pending)[3])
        return out

    def truth(self, at: float) -> list[TruthRow]:
        """The true state of every object alive at ``at`` (interpolated between steps)."""
        return self.truth_table.rows(at, self.frame)
