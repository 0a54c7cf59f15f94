"""SAPIENT (BSI Flex 335 v2.0) out: dronewatch as a fusion node reporting to a parent node.
``build`` makes the messages (Registration, StatusReport, DetectionReport, Alert, TaskAck,
Error) from the site, tracks and alerts; ``output`` connects, registers, streams, answers
Tasks and AlertAcks, re-registers after a drop and says goodbye."""

from dronewatch.sinks.sapient_out.output import SapientOutput

__all__ = ["SapientOutput"]
