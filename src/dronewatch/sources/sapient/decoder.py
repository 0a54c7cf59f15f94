"""SAPIENT Frames -> Reports (link ``sapient``: a Frame holds one serialized SapientMessage
that the listener accepted). Stateful: Registration and StatusReport frames tell each edge
node's type and position; a DetectionReport becomes one Report.

* ``location`` (lat/lon in degrees or radians, WGS84 ellipsoid or geoid heights) is used as is;
* ``range_bearing`` is turned into a position from the node's reported location (true north;
  degrees or radians, metres or km); bearing-only detections are counted, not guessed;
* ``object_id`` (a ULID) is the object's identity within the node: it is kept as the report id
  prefix, not as a cooperative identity;
* ``classification`` feeds the classifier through ``taxonomy.class_hint``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from itertools import count
from typing import TYPE_CHECKING, Any

import pymap3d

from dronewatch.model import Frame, Geodetic, Report, SensorKind
from dronewatch.sources.errors import DecodeError
from dronewatch.sources.sapient.taxonomy import class_hint

if TYPE_CHECKING:
    from dronewatch.config import Site

LINK = "sapient"
DEG_PER_M = 1.0 / 111_320.0

# NodeType enum value -> sensor kind (registration.proto NodeDefinition.NodeType)
KINDS: dict[int, SensorKind] = {2: "radar", 3: "camera", 4: "camera", 6: "acoustic", 8: "rf"}


@dataclass
class Node:
    node_id: str
    kind: SensorKind = "radar"
    name: str | None = None
    lat: float | None = None
    lon: float | None = None
    alt_m: float | None = None
    system: str = "unknown"
    mode: str | None = None
    last_status_at: float | None = None
    detections: int = 0
    extra: dict[str, Any] = field(default_factory=dict)


def _messages() -> Any:
    from dronewatch.sapient import messages

    return messages


def location_to_geodetic(loc: Any) -> tuple[float, float, float | None, float, float]:
    """(lat, lon, height or None, h_sigma m, v_sigma m) of a SAPIENT Location."""
    m = _messages()
    lp = m.location_pb2
    cs = loc.coordinate_system
    if cs == lp.LOCATION_COORDINATE_SYSTEM_LAT_LNG_DEG_M:
        lat, lon, err_scale = loc.y, loc.x, 1.0 / DEG_PER_M
    elif cs == lp.LOCATION_COORDINATE_SYSTEM_LAT_LNG_RAD_M:
        lat, lon, err_scale = math.degrees(loc.y), math.degrees(loc.x), math.degrees(1.0) / DEG_PER_M
    else:
        raise DecodeError("SAPIENT location coordinate system not supported", f"{cs} (use lat/lon)")
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise DecodeError("SAPIENT location out of range", f"{lat}, {lon}")
    alt = loc.z if loc.HasField("z") else None
    h_err = max(loc.x_error if loc.HasField("x_error") else 0.0, loc.y_error if loc.HasField("y_error") else 0.0)
    h_sigma = max(3.0, h_err * err_scale) if h_err else 10.0
    v_sigma = loc.z_error if loc.HasField("z_error") and loc.z_error > 0 else 15.0
    if loc.datum == lp.LOCATION_DATUM_WGS84_G and alt is not None:
        v_sigma = max(v_sigma, 50.0)  # above the geoid: no geoid model here, so wider
    return lat, lon, alt, h_sigma, v_sigma


class SapientDecoder:
    """Stateful Frame -> Reports for SAPIENT; one per pipeline."""

    def __init__(self, site: Site | None = None) -> None:
        self.nodes: dict[str, Node] = {}
        self._seq = count(1)

    def __call__(self, frame: Frame) -> list[Report]:
        m = _messages()
        msg = m.SapientMessage()
        try:
            msg.ParseFromString(frame.data)
        except Exception as err:  # protobuf raises its own DecodeError (and RuntimeError on deep nesting)
            raise DecodeError("SAPIENT message not parseable", str(err)) from None
        kind = msg.WhichOneof("content")
        node = self.nodes.get(msg.node_id)
        if kind == "registration":
            node = node or Node(msg.node_id)
            reg = msg.registration
            if reg.node_definition:
                node.kind = KINDS.get(reg.node_definition[0].node_type, "radar")
            node.name = reg.name or reg.short_name or node.name
            self.nodes[msg.node_id] = node
            return []
        if node is None:
            raise DecodeError("SAPIENT message from an unregistered node", msg.node_id)
        if kind == "status_report":
            st = msg.status_report
            if st.HasField("node_location"):
                node.lat, node.lon, node.alt_m, _, _ = location_to_geodetic(st.node_location)
            node.system = m.status_report_pb2.StatusReport.System.Name(st.system)
            node.mode = st.mode
            node.last_status_at = frame.received_at
            return []
        if kind != "detection_report":
            return []
        return [self._detection(frame, msg, node)]

    def _detection(self, frame: Frame, msg: Any, node: Node) -> Report:
        m = _messages()
        det = msg.detection_report
        at = m.epoch(msg.timestamp) if msg.HasField("timestamp") else frame.received_at
        if abs(at - frame.received_at) > 300.0:
            at = frame.received_at  # an edge node clock far off: trust the receive time
        vel = None
        if det.HasField("enu_velocity"):
            v = det.enu_velocity
            vel = (v.east_rate, v.north_rate, v.up_rate if v.HasField("up_rate") else 0.0)
        loc = det.WhichOneof("location_oneof")
        if loc == "location":
            lat, lon, alt, h_sigma, v_sigma = location_to_geodetic(det.location)
        elif loc == "range_bearing":
            lat, lon, alt, h_sigma, v_sigma = self._from_range_bearing(det.range_bearing, node)
        else:
            raise DecodeError("SAPIENT detection without a location")
        node.detections += 1
        return Report(
            report_id=f"sapient:{node.node_id}:{det.object_id}:{next(self._seq)}",
            sensor_id=f"sapient-{node.node_id}",
            sensor_kind=node.kind,
            measured_at=at,
            received_at=frame.received_at,
            measurement=Geodetic(lat=lat, lon=lon, alt_m=alt, h_sigma_m=h_sigma, v_sigma_m=v_sigma, vel_enu_mps=vel),
            class_hint=class_hint(det.classification),
        )

    def _from_range_bearing(self, rb: Any, node: Node) -> tuple[float, float, float | None, float, float]:
        rbp = _messages().range_bearing_pb2
        if node.lat is None or node.lon is None:
            raise DecodeError("SAPIENT range/bearing before the node reported its location", node.node_id)
        if not rb.HasField("range") or not rb.HasField("azimuth"):
            raise DecodeError("SAPIENT bearing-only detection not used", node.node_id)
        cs = rb.coordinate_system
        radians = cs in (rbp.RANGE_BEARING_COORDINATE_SYSTEM_RADIANS_M, rbp.RANGE_BEARING_COORDINATE_SYSTEM_RADIANS_KM)
        km = cs in (rbp.RANGE_BEARING_COORDINATE_SYSTEM_DEGREES_KM, rbp.RANGE_BEARING_COORDINATE_SYSTEM_RADIANS_KM)
        if cs == rbp.RANGE_BEARING_COORDINATE_SYSTEM_UNSPECIFIED:
            raise DecodeError("SAPIENT range/bearing units unspecified")
        if rb.datum not in (rbp.RANGE_BEARING_DATUM_TRUE, rbp.RANGE_BEARING_DATUM_GRID):
            raise DecodeError("SAPIENT range/bearing datum not supported", f"{rb.datum} (true north needed)")
        ang = math.degrees if radians else (lambda a: a)
        rng = rb.range * (1000.0 if km else 1.0)
        az = ang(rb.azimuth)
        el = ang(rb.elevation) if rb.HasField("elevation") else 0.0
        h0 = node.alt_m or 0.0
        lat, lon, alt = pymap3d.aer2geodetic(az, el, rng, node.lat, node.lon, h0)
        az_err = math.radians(ang(rb.azimuth_error)) if rb.HasField("azimuth_error") else math.radians(2.0)
        r_err = rb.range_error * (1000.0 if km else 1.0) if rb.HasField("range_error") else 10.0
        el_err = math.radians(ang(rb.elevation_error)) if rb.HasField("elevation_error") else math.radians(5.0)
        h_sigma = max(r_err, rng * az_err, 3.0)
        v_sigma = max(r_err, rng * el_err, 5.0)
        return float(lat), float(lon), float(alt) if rb.HasField("elevation") else None, h_sigma, v_sigma
