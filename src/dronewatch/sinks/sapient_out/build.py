"""SAPIENT messages from dronewatch values (bindings: ``dronewatch.sapient.messages``).

* Locations are WGS84 latitude/longitude in degrees, height above the ellipsoid in metres
  (``LAT_LNG_DEG_M`` / ``WGS84_E``); x/y errors are the track's 1-sigma in degrees, z in metres.
* Object ids are ULIDs stable per track (time part: when the track was first seen); report ids
  ULIDs with the report's time; SAPIENT alert ids are ULIDs mapped one-to-one from dronewatch's.
* Classes follow the SAPIENT taxonomy's top levels: "Air Vehicle" (sub-class "UAV" or "Manned
  Aircraft"), "Animal" (sub-class "Bird"), else "Unknown".
"""

from __future__ import annotations

import math

from dronewatch import __version__
from dronewatch.model import Alert, Track
from dronewatch.sapient import messages as sm
from dronewatch.sapient.ids import new_ulid

ICD_VERSION = "BSI Flex 335 v2.0"
MODE = "default"
M_PER_DEG = 111_320.0
_REG = sm.registration_pb2.Registration
_LLA = sm.location_pb2.LOCATION_COORDINATE_SYSTEM_LAT_LNG_DEG_M
_WGS84 = sm.location_pb2.LOCATION_DATUM_WGS84_E
CLASSES = {"drone": ("Air Vehicle", "UAV"), "aircraft": ("Air Vehicle", "Manned Aircraft"),
           "bird": ("Animal", "Bird"), "unknown": ("Unknown", None)}
_ALERT_TYPE = {"critical": sm.Alert.ALERT_TYPE_CRITICAL, "warning": sm.Alert.ALERT_TYPE_WARNING,
               "info": sm.Alert.ALERT_TYPE_INFORMATION}
_PRIORITY = {"critical": sm.Alert.DISCRETE_PRIORITY_HIGH, "warning": sm.Alert.DISCRETE_PRIORITY_MEDIUM,
             "info": sm.Alert.DISCRETE_PRIORITY_LOW}
_ALERT_STATUS = {"open": sm.Alert.ALERT_STATUS_ACTIVE, "escalated": sm.Alert.ALERT_STATUS_ACTIVE,
                 "acknowledged": sm.Alert.ALERT_STATUS_ACKNOWLEDGE, "resolved": sm.Alert.ALERT_STATUS_CLEAR,
                 "false_alarm": sm.Alert.ALERT_STATUS_REJECT}


def envelope(node_id: str, at: float, destination_id: str | None = None) -> sm.SapientMessage:
    msg = sm.SapientMessage(node_id=node_id)
    msg.timestamp.CopyFrom(sm.timestamp(at))
    if destination_id:
        msg.destination_id = destination_id
    return msg


def location(lat: float, lon: float, hae_m: float, sigma_m: float | None = None,
             z_sigma_m: float | None = None) -> sm.Location:
    loc = sm.Location(x=lon, y=lat, z=hae_m, coordinate_system=_LLA, datum=_WGS84)
    if sigma_m is not None:
        loc.y_error = sigma_m / M_PER_DEG
        loc.x_error = sigma_m / (M_PER_DEG * max(math.cos(math.radians(lat)), 1e-6))
        loc.z_error = z_sigma_m if z_sigma_m is not None else sigma_m
    return loc


def _seconds(value: float) -> _REG.Duration:
    return _REG.Duration(units=_REG.TIME_UNITS_SECONDS, value=value)


def _lla_type() -> _REG.LocationType:
    return _REG.LocationType(location_units=_LLA, location_datum=_WGS84)


def registration(node_id: str, at: float, site: str, sensor_kinds: list[str], status_s: float) -> sm.SapientMessage:
    """Registration with every field the standard makes mandatory, and what we report."""
    classes = []
    for top in ("Air Vehicle", "Animal", "Unknown"):
        subs = sorted({sub for t, sub in CLASSES.values() if t == top and sub})
        classes.append(_REG.ClassDefinition(type=top, units="probability (0-1)", sub_class=[
            _REG.SubClass(type=s, units="probability (0-1)", level=1) for s in subs]))
    detection = _REG.DetectionDefinition(
        location_type=_lla_type(),
        detection_class_definition=[_REG.DetectionClassDefinition(
            confidence_definition=_REG.CONFIDENCE_DEFINITION_SINGLE_CLASS, class_definition=classes)],
        behaviour_definition=[_REG.BehaviourDefinition(type="alerted", units="rule names")],
        velocity_type=_REG.VelocityType(
            enu_velocity_units=sm.velocity_pb2.ENUVelocityUnits(east_north_rate_units=sm.velocity_pb2.SPEED_UNITS_MS,
                                                                up_rate_units=sm.velocity_pb2.SPEED_UNITS_MS),
            location_datum=_WGS84),
        geometric_error=_REG.GeometricError(type="Standard Deviation", units="degrees (x, y), metres (z)",
                                            variation_type="per track (from its covariance)"),
        detection_report=[
            _REG.DetectionReport(category=_REG.DETECTION_REPORT_CATEGORY_TRACK, type="track_id", units="integer"),
            _REG.DetectionReport(category=_REG.DETECTION_REPORT_CATEGORY_TRACK, type="status",
                                 units="confirmed, coasting, lost"),
            _REG.DetectionReport(category=_REG.DETECTION_REPORT_CATEGORY_OBJECT, type="identity",
                                 units="Remote ID serial / ICAO address / DJI serial"),
        ],
    )
    task = _REG.TaskDefinition(
        concurrent_tasks=1,
        region_definition=_REG.RegionDefinition(
            region_type=[_REG.REGION_TYPE_AREA_OF_INTEREST, _REG.REGION_TYPE_IGNORE],
            region_area=[_lla_type()]),
        command=[_REG.Command(units="Registration, Status, Start, Stop", completion_time=_seconds(1.0),
                              type=_REG.COMMAND_TYPE_REQUEST)],
    )
    reg = sm.Registration(
        node_definition=[_REG.NodeDefinition(node_type=_REG.NODE_TYPE_FUSION_NODE,
                                             node_sub_type=["passive counter-UAS airspace awareness"])],
        icd_version=ICD_VERSION,
        name=f"dronewatch {site}",
        short_name="dronewatch",
        capabilities=[_REG.Capability(category="Fusion", type="sensor kinds", value=",".join(sensor_kinds) or "none"),
                      _REG.Capability(category="Fusion", type="passive", value="true")],
        status_definition=_REG.StatusDefinition(status_interval=_seconds(status_s), location_definition=_lla_type()),
        mode_definition=[_REG.ModeDefinition(
            mode_name=MODE, mode_type=_REG.MODE_TYPE_DEFAULT, mode_description="track and assess all objects",
            settle_time=_seconds(0.0), maximum_latency=_seconds(1.0), scan_type=_REG.SCAN_TYPE_FIXED,
            tracking_type=_REG.TRACKING_TYPE_TRACK, detection_definition=[detection], task=task)],
        config_data=[_REG.ConfigurationData(manufacturer="dronewatch project", model="dronewatch",
                                            software_version=__version__)],
    )
    msg = envelope(node_id, at)
    msg.registration.CopyFrom(reg)
    return msg


def status_report(node_id: str, at: float, lat: float, lon: float, hae_m: float, *, new: bool,
                  goodbye: bool = False, task_id: str | None = None, reporting: bool = True) -> sm.SapientMessage:
    sr = sm.StatusReport(
        report_id=new_ulid(at),
        system=sm.StatusReport.SYSTEM_GOODBYE if goodbye else sm.StatusReport.SYSTEM_OK,
        info=sm.StatusReport.INFO_NEW if new else sm.StatusReport.INFO_UNCHANGED,
        mode=MODE,
        node_location=location(lat, lon, hae_m),
    )
    if task_id:
        sr.active_task_id = task_id
    if not reporting:
        sr.status.append(sm.StatusReport.Status(status_level=sm.StatusReport.STATUS_LEVEL_INFORMATION_STATUS,
                                                status_type=sm.StatusReport.STATUS_TYPE_NOT_DETECTING,
                                                status_value="detection reports stopped by task"))
    msg = envelope(node_id, at)
    msg.status_report.CopyFrom(sr)
    return msg


def detection_report(node_id: str, at: float, object_id: str, track: Track, origin_alt_m: float, *,
                     lost: bool = False, task_id: str | None = None, alerted: str | None = None) -> sm.SapientMessage:
    dr = sm.DetectionReport(report_id=new_ulid(at), object_id=object_id,
                            state="lost" if lost else track.status)
    dr.location.CopyFrom(location(track.lat, track.lon, origin_alt_m + track.alt_m, track.pos_sigma_m))
    top, sub = CLASSES.get(track.cls, ("Unknown", None))
    cls = sm.DetectionReport.DetectionReportClassification(type=top, confidence=track.cls_confidence)
    if sub:
        cls.sub_class.append(sm.DetectionReport.SubClass(type=sub, confidence=track.cls_confidence, level=1))
    dr.classification.append(cls)
    ve, vn, vu = track.vel_enu_mps
    dr.enu_velocity.CopyFrom(sm.ENUVelocity(east_rate=ve, north_rate=vn, up_rate=vu))
    dr.track_info.append(sm.DetectionReport.TrackObjectInfo(type="track_id", value=str(track.track_id)))
    dr.track_info.append(sm.DetectionReport.TrackObjectInfo(type="status", value="lost" if lost else track.status))
    if track.identity is not None:
        dr.id = track.identity.value
        dr.object_info.append(sm.DetectionReport.TrackObjectInfo(type="identity", value=track.identity.key))
    if alerted:
        dr.behaviour.append(sm.DetectionReport.Behaviour(type="alerted", confidence=1.0))
    if task_id:
        dr.task_id = task_id
    msg = envelope(node_id, at)
    msg.detection_report.CopyFrom(dr)
    return msg


def alert_message(node_id: str, at: float, sapient_id: str, alert: Alert, origin_alt_m: float,
                  objects: dict[int, str], status: str | None = None) -> sm.SapientMessage:
    """An Alert for a dronewatch alert, with its location and the detections it names."""
    zone = f" {alert.zone}" if alert.zone else ""
    who = f" ({alert.identity})" if alert.identity else ""
    al = sm.Alert(alert_id=sapient_id, alert_type=_ALERT_TYPE.get(alert.severity, sm.Alert.ALERT_TYPE_WARNING),
                  status=_ALERT_STATUS.get(status or alert.state, sm.Alert.ALERT_STATUS_ACTIVE),
                  description=f"{alert.severity.upper()} {alert.rule}{zone}: track {alert.track_id}{who}: {alert.why}",
                  priority=_PRIORITY.get(alert.severity, sm.Alert.DISCRETE_PRIORITY_MEDIUM),
                  additional_information=f"dronewatch alert {alert.alert_id}, rule {alert.rule}, state {alert.state}")
    al.location.CopyFrom(location(alert.position.lat, alert.position.lon, origin_alt_m + alert.position.alt_m))
    for tid in dict.fromkeys((alert.track_id, *alert.track_ids)):
        if tid in objects:
            al.associated_detection.append(sm.AssociatedDetection(
                node_id=node_id, object_id=objects[tid], timestamp=sm.timestamp(at),
                association_type=sm.associated_detection_pb2.ASSOCIATION_RELATION_CHILD))
    msg = envelope(node_id, at)
    msg.alert.CopyFrom(al)
    return msg


def task_ack(node_id: str, at: float, task_id: str, accepted: bool, reasons: list[str],
             destination_id: str | None) -> sm.SapientMessage:
    status = sm.TaskAck.TASK_STATUS_ACCEPTED if accepted else sm.TaskAck.TASK_STATUS_REJECTED
    msg = envelope(node_id, at, destination_id)
    msg.task_ack.CopyFrom(sm.TaskAck(task_id=task_id, task_status=status, reason=reasons))
    return msg


def error(node_id: str, at: float, packet: bytes, messages: list[str], destination_id: str | None) -> sm.SapientMessage:
    msg = envelope(node_id, at, destination_id)
    msg.error.CopyFrom(sm.Error(packet=packet, error_message=messages))
    return msg
