"""SAPIENT out to a real parent node (tests/sinks/receivers.SapientParent, written with the
generated bindings) on 127.0.0.1: Registration first with every mandatory field, ULIDs and
UUIDs where the standard says, one batch of DetectionReports per update carrying its time,
Alerts with location and associated detections; Tasks and AlertAcks answered; re-registration
after a drop; SYSTEM_GOODBYE at the end."""

from __future__ import annotations

from typing import Any

import msgspec
import pytest

from dronewatch.config import SapientOutput as SapientSpec
from dronewatch.model import Identity, Update
from dronewatch.sapient import messages as sm
from dronewatch.sapient.ids import is_ulid, is_uuid, new_ulid, ulid_time
from dronewatch.sapient.validate import problems
from dronewatch.sinks.manager import Outputs
from dronewatch.sinks.sapient_out.build import ICD_VERSION
from factories import make_alert, make_track
from sinks.conftest import site_with
from sinks.receivers import SapientParent

T0 = 1_767_225_600.0


def _tracks(at: float) -> list[Any]:
    drone = msgspec.structs.replace(make_track(1, at), identity=Identity(scheme="serial", value="1581F0000001"))
    plane = msgspec.structs.replace(make_track(2, at), cls="aircraft", lat=52.01, lon=4.01)
    tentative = msgspec.structs.replace(make_track(3, at), status="tentative")
    return [drone, plane, tentative]


def _task(parent: SapientParent, **kw: Any) -> tuple[str, Any]:
    msg = parent.envelope()
    task_id = new_ulid()
    msg.task.CopyFrom(sm.Task(task_id=task_id, **kw))
    return task_id, msg


def _region(kind: int, lat: float, lon: float, d: float = 0.001) -> Any:
    return sm.Task.Region(type=kind, region_id=new_ulid(), region_name="test region",
                          region_area=_area([(lat + dy, lon + dx) for dx, dy in ((-d, -d), (d, -d), (d, d), (-d, d))]))


def _area(points: list[tuple[float, float]]) -> Any:
    lla = sm.location_pb2.LOCATION_COORDINATE_SYSTEM_LAT_LNG_DEG_M
    locs = [sm.Location(x=lon, y=lat, coordinate_system=lla, datum=sm.location_pb2.LOCATION_DATUM_WGS84_E)
            for lat, lon in points]
    return sm.LocationOrRangeBearing(location_list=sm.LocationList(locations=locs))


@pytest.fixture
def parent() -> Any:
    p = SapientParent()
    yield p
    p.stop()


def test_sapient_parent_session(parent: SapientParent) -> None:
    outputs = Outputs.for_site(site_with(SapientSpec(url=f"tcp://127.0.0.1:{parent.port}", status_s=0.5))).start()
    out: Any = outputs.outputs[0]
    out.chunk = 1  # (every report its own chunk: the look at waiting alerts between chunks runs)
    alert = make_alert("A00001", T0 + 0.5, track_id=1, track_ids=(1,))
    outputs.offer(Update(at=T0, tracks=_tracks(T0), alerts=[]))
    assert outputs.drain(10)  # (a picture still waiting would be replaced by the next one)
    outputs.offer(Update(at=T0 + 0.5, tracks=_tracks(T0 + 0.5), alerts=[alert]))
    assert outputs.drain(10)
    assert parent.wait(lambda: len(parent.of("detection_report")) >= 4 and bool(parent.of("alert")))

    # registration first, complete, and everything valid against the standard's field options
    first = parent.messages[0]
    assert first.kind == "registration" and first.conn == 0
    reg = first.msg.registration
    assert reg.icd_version == ICD_VERSION == "BSI Flex 335 v2.0"
    assert reg.node_definition[0].node_type == sm.registration_pb2.Registration.NODE_TYPE_FUSION_NODE
    assert reg.mode_definition[0].detection_definition and reg.capabilities and reg.config_data
    for r in parent.messages:
        assert problems(r.msg) == [], (r.kind, problems(r.msg))
        assert is_uuid(r.msg.node_id) and r.msg.node_id == out.node_id
    assert parent.of("status_report")[0].msg.status_report.system == sm.StatusReport.SYSTEM_OK

    # detections: one per live non-tentative track per update, the update's time, stable ULIDs
    dets = parent.of("detection_report")
    assert [(sm.epoch(d.msg.timestamp), d.msg.detection_report.track_info[0].value) for d in dets[:4]] == [
        (T0, "1"), (T0, "2"), (T0 + 0.5, "1"), (T0 + 0.5, "2")]
    for d in dets:
        dr = d.msg.detection_report
        assert is_ulid(dr.report_id) and is_ulid(dr.object_id)
        assert ulid_time(dr.report_id) == pytest.approx(sm.epoch(d.msg.timestamp), abs=1e-3)
    assert dets[0].msg.detection_report.object_id == dets[2].msg.detection_report.object_id
    assert dets[0].msg.detection_report.object_id != dets[1].msg.detection_report.object_id
    d0 = dets[0].msg.detection_report
    assert d0.id == "1581F0000001" and d0.classification[0].type == "Air Vehicle"
    assert d0.classification[0].sub_class[0].type == "UAV" and d0.classification[0].confidence == pytest.approx(0.8)
    assert d0.location.y == pytest.approx(52.0) and d0.location.z == pytest.approx(60.0)
    assert d0.location.y_error == pytest.approx(5.0 / 111_320.0)
    # one batch per update: the two reports of an update arrived together, after its alert
    kinds = [r.kind for r in parent.messages if r.kind in ("detection_report", "alert")]
    assert kinds[:5] == ["detection_report", "detection_report", "alert", "detection_report", "detection_report"]

    al = parent.of("alert")[0].msg
    assert sm.epoch(al.timestamp) == pytest.approx(T0 + 0.5)
    assert is_ulid(al.alert.alert_id) and al.alert.alert_type == sm.Alert.ALERT_TYPE_CRITICAL
    assert al.alert.status == sm.Alert.ALERT_STATUS_ACTIVE and al.alert.HasField("location")
    assert al.alert.associated_detection[0].object_id == d0.object_id and "zone_entry" in al.alert.description

    # Task: request Status -> TaskAck accepted, then a StatusReport
    n_status = len(parent.of("status_report"))
    task_id, task = _task(parent, control=sm.Task.CONTROL_START, command=sm.Task.Command(request="Status"))
    parent.send(task)
    assert parent.wait(lambda: bool(parent.of("task_ack")) and len(parent.of("status_report")) > n_status)
    ack = parent.of("task_ack")[0].msg.task_ack
    assert ack.task_id == task_id and ack.task_status == sm.TaskAck.TASK_STATUS_ACCEPTED

    # a command a passive node cannot do is rejected, saying why
    look_id, look = _task(parent, control=sm.Task.CONTROL_START,
                          command=sm.Task.Command(look_at=_area([(52.0, 4.0)])))
    parent.send(look)
    assert parent.wait(lambda: len(parent.of("task_ack")) == 2)
    rej = parent.of("task_ack")[1].msg.task_ack
    assert rej.task_id == look_id and rej.task_status == sm.TaskAck.TASK_STATUS_REJECTED and "passive" in rej.reason[0]

    # AlertAck accepted -> the alert comes back acknowledged; an unknown alert -> Error
    aa = parent.envelope()
    aa.alert_ack.CopyFrom(sm.AlertAck(alert_id=al.alert.alert_id,
                                      alert_ack_status=sm.AlertAck.ALERT_ACK_STATUS_ACCEPTED))
    parent.send(aa)
    assert parent.wait(lambda: len(parent.of("alert")) == 2)
    again = parent.of("alert")[1].msg.alert
    assert again.alert_id == al.alert.alert_id and again.status == sm.Alert.ALERT_STATUS_ACKNOWLEDGE
    bad = parent.envelope()
    bad.alert_ack.CopyFrom(sm.AlertAck(alert_id=new_ulid(), alert_ack_status=sm.AlertAck.ALERT_ACK_STATUS_ACCEPTED))
    parent.send(bad)
    assert parent.wait(lambda: bool(parent.of("error")))
    assert "no alert" in parent.of("error")[0].msg.error.error_message[0]

    # a region to ignore around the drone: only the aircraft is reported; STOP ends it
    ignore_id, ignore = _task(parent, control=sm.Task.CONTROL_START,
                              region=[_region(sm.Task.REGION_TYPE_IGNORE, 52.0, 4.0)])
    parent.send(ignore)
    assert parent.wait(lambda: len(parent.of("task_ack")) == 3)
    assert parent.of("task_ack")[2].msg.task_ack.task_status == sm.TaskAck.TASK_STATUS_ACCEPTED
    before = len(parent.of("detection_report"))
    outputs.offer(Update(at=T0 + 1.0, tracks=_tracks(T0 + 1.0), alerts=[]))
    assert outputs.drain(5) and parent.wait(lambda: len(parent.of("detection_report")) > before)
    parent.wait(lambda: False, 0.2)
    new = parent.of("detection_report")[before:]
    assert [d.msg.detection_report.track_info[0].value for d in new] == ["2"]
    assert new[0].msg.detection_report.task_id == ignore_id
    _, stop = _task(parent, control=sm.Task.CONTROL_STOP)
    stop.task.task_id = ignore_id
    parent.send(stop)
    assert parent.wait(lambda: len(parent.of("task_ack")) == 4)
    assert parent.of("task_ack")[3].msg.task_ack.task_status == sm.TaskAck.TASK_STATUS_ACCEPTED

    # the parent drops us: we connect again and register before anything else
    parent.drop()
    parent.wait(lambda: False, 0.3)
    outputs.offer(Update(at=T0 + 2.0, tracks=_tracks(T0 + 2.0), alerts=[]))
    assert parent.wait(lambda: len(parent.of("detection_report", conn=1)) == 2, 10)
    assert next(r.kind for r in parent.messages if r.conn == 1) == "registration"

    outputs.close()
    assert parent.wait(lambda: parent.messages[-1].kind == "status_report")
    assert parent.messages[-1].msg.status_report.system == sm.StatusReport.SYSTEM_GOODBYE


def test_rejected_registration_sends_nothing_else() -> None:
    parent = SapientParent(accept_registration=False)
    try:
        outputs = Outputs.for_site(site_with(SapientSpec(url=f"tcp://127.0.0.1:{parent.port}"))).start()
        outputs.offer(Update(at=T0, tracks=_tracks(T0), alerts=[make_alert("A00001", T0)]))
        assert parent.wait(lambda: bool(parent.of("registration")))
        parent.wait(lambda: False, 0.5)
        assert {r.kind for r in parent.messages} == {"registration"}
        out: Any = outputs.outputs[0]
        assert parent.wait(lambda: out.pending() == 1), "the alert waits for a parent that accepts us"
        assert "registration rejected: not on the list" in (out.last_error or "")
        outputs.close(drain_timeout=0)
    finally:
        parent.stop()


def test_sapient_requests_periodic_status_and_lost_tracks(parent: SapientParent) -> None:
    """Periodic StatusReports; Task requests Registration (sent again on the same connection),
    Stop (no more DetectionReports, a NOT_DETECTING status) and Start; a removed track is
    reported once more as lost, with its object id."""
    outputs = Outputs.for_site(site_with(SapientSpec(url=f"tcp://127.0.0.1:{parent.port}", status_s=0.3))).start()
    dets = lambda: parent.of("detection_report")  # noqa: E731
    try:
        outputs.offer(Update(at=T0, tracks=_tracks(T0), alerts=[]))
        assert outputs.drain(10) and parent.wait(lambda: len(dets()) == 2)
        assert parent.wait(lambda: len(parent.of("status_report")) >= 3), "a StatusReport every status_s"

        def ask(request: str, n_acks: int) -> str:
            task_id, task = _task(parent, control=sm.Task.CONTROL_START, command=sm.Task.Command(request=request))
            parent.send(task)
            assert parent.wait(lambda: len(parent.of("task_ack")) == n_acks)
            ack = parent.of("task_ack")[-1].msg.task_ack
            assert ack.task_id == task_id and ack.task_status == sm.TaskAck.TASK_STATUS_ACCEPTED, ack
            return task_id

        ask("Registration", 1)
        assert parent.wait(lambda: len(parent.of("registration", conn=0)) == 2), "registered again, same connection"
        assert all(problems(r.msg) == [] for r in parent.of("registration"))

        ask("Stop", 2)
        assert parent.wait(lambda: any(
            s.status_type == sm.StatusReport.STATUS_TYPE_NOT_DETECTING
            for r in parent.of("status_report") for s in r.msg.status_report.status))
        before = len(dets())
        outputs.offer(Update(at=T0 + 1, tracks=_tracks(T0 + 1), alerts=[]))
        assert outputs.drain(5)
        parent.wait(lambda: False, 0.3)
        assert len(dets()) == before, "stopped: no DetectionReports"

        ask("Start", 3)
        outputs.offer(Update(at=T0 + 2, tracks=_tracks(T0 + 2), alerts=[]))
        assert outputs.drain(5) and parent.wait(lambda: len(dets()) == before + 2)
        drone_oid = dets()[-2].msg.detection_report.object_id

        outputs.offer(Update(at=T0 + 3, tracks=_tracks(T0 + 3)[1:], alerts=[], removed=[1]))
        assert outputs.drain(5) and parent.wait(lambda: len(dets()) == before + 4)
        last = [d.msg.detection_report for d in dets()[-2:]]
        lost = next(d for d in last if d.object_id == drone_oid)
        assert lost.state == "lost" and lost.track_info[1].value == "lost" and problems(dets()[-1].msg) == []
        outputs.offer(Update(at=T0 + 4, tracks=_tracks(T0 + 4)[1:], alerts=[]))
        assert outputs.drain(5) and parent.wait(lambda: len(dets()) == before + 5)
        assert dets()[-1].msg.detection_report.object_id != drone_oid, "a lost track is reported once"
    finally:
        outputs.close()
