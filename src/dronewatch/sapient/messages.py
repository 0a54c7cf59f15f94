"""The generated SAPIENT v2.0 message classes, re-exported under short names.

Importing this module needs the bindings generated first (``make venv`` does it, or
``python -m dronewatch.sapient.generate``); without them it raises ``BindingsMissing`` saying so.
The ``*_pb2`` modules are exported too, for enums and nested types.
"""

from __future__ import annotations

from datetime import UTC, datetime

try:
    from dronewatch.sapient._generated.sapient_msg import proto_options_pb2
    from dronewatch.sapient._generated.sapient_msg.bsi_flex_335_v2_0 import (
        alert_ack_pb2,
        alert_pb2,
        associated_detection_pb2,
        associated_file_pb2,
        detection_report_pb2,
        error_pb2,
        follow_pb2,
        location_pb2,
        range_bearing_pb2,
        registration_ack_pb2,
        registration_pb2,
        sapient_message_pb2,
        status_report_pb2,
        task_ack_pb2,
        task_pb2,
        velocity_pb2,
    )
except ImportError as _exc:  # pragma: no cover - exercised by tests/sapient/test_generate.py in a subprocess
    from dronewatch.sapient.generate import OUT_DIR

    raise ImportError(
        "SAPIENT bindings are not generated (no module under "
        f"{OUT_DIR}): run `make venv` or `python -m dronewatch.sapient.generate` "
        "(it reads the .proto files in ../shared/standards/sapient, or --proto-root DIR). "
        f"Cause: {_exc}"
    ) from _exc

from google.protobuf.timestamp_pb2 import Timestamp

STANDARD_VERSION = "BSI_Flex_335_v2.0"

SapientMessage = sapient_message_pb2.SapientMessage
Registration = registration_pb2.Registration
RegistrationAck = registration_ack_pb2.RegistrationAck
StatusReport = status_report_pb2.StatusReport
DetectionReport = detection_report_pb2.DetectionReport
Alert = alert_pb2.Alert
AlertAck = alert_ack_pb2.AlertAck
Task = task_pb2.Task
TaskAck = task_ack_pb2.TaskAck
Error = error_pb2.Error
Location = location_pb2.Location
LocationList = location_pb2.LocationList
RangeBearing = range_bearing_pb2.RangeBearing
RangeBearingCone = range_bearing_pb2.RangeBearingCone
LocationOrRangeBearing = range_bearing_pb2.LocationOrRangeBearing
ENUVelocity = velocity_pb2.ENUVelocity
AssociatedDetection = associated_detection_pb2.AssociatedDetection
AssociatedFile = associated_file_pb2.AssociatedFile
FollowObject = follow_pb2.FollowObject

#: The ``content`` oneof of SapientMessage: field name -> message class.
CONTENT_KINDS: tuple[str, ...] = tuple(f.name for f in SapientMessage.DESCRIPTOR.oneofs_by_name["content"].fields)


def timestamp(t: float) -> Timestamp:
    """A protobuf Timestamp for UTC epoch seconds ``t``."""
    ts = Timestamp()
    sec = int(t // 1)
    ts.seconds = sec
    ts.nanos = min(round((t - sec) * 1e9), 999_999_999)
    return ts


def epoch(ts: Timestamp) -> float:
    """UTC epoch seconds of a protobuf Timestamp."""
    return ts.seconds + ts.nanos * 1e-9


def iso(ts: Timestamp) -> str:
    """ISO 8601 UTC text of a Timestamp, for logs."""
    return datetime.fromtimestamp(epoch(ts), tz=UTC).isoformat()


def content_kind(msg: SapientMessage) -> str | None:
    """Which message a SapientMessage carries ("registration", "detection_report", ...), or None."""
    return msg.WhichOneof("content")


__all__ = [
    "CONTENT_KINDS",
    "STANDARD_VERSION",
    "Alert",
    "AlertAck",
    "AssociatedDetection",
    "AssociatedFile",
    "DetectionReport",
    "ENUVelocity",
    "Error",
    "FollowObject",
    "Location",
    "LocationList",
    "LocationOrRangeBearing",
    "RangeBearing",
    "RangeBearingCone",
    "Registration",
    "RegistrationAck",
    "SapientMessage",
    "StatusReport",
    "Task",
    "TaskAck",
    "Timestamp",
    "alert_ack_pb2",
    "alert_pb2",
    "content_kind",
    "detection_report_pb2",
    "epoch",
    "error_pb2",
    "iso",
    "location_pb2",
    "proto_options_pb2",
    "range_bearing_pb2",
    "registration_ack_pb2",
    "registration_pb2",
    "sapient_message_pb2",
    "status_report_pb2",
    "task_ack_pb2",
    "task_pb2",
    "timestamp",
    "velocity_pb2",
]
