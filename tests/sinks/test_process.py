"""Outputs in a process of their own (how `serve`, `demo` and `run --fast` start them): updates
reach real far ends on 127.0.0.1 from the child, a SAPIENT parent's AlertAck comes back to the
pipeline's process, the figures come back for /api/health, and a spec the child cannot build
fails the start with its reason."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from dronewatch.config import CotOutput as CotSpec
from dronewatch.config import SapientOutput as SapientSpec
from dronewatch.config import WebhookOutput as WebhookSpec
from dronewatch.model import Update
from dronewatch.sapient import messages as sm
from dronewatch.sinks.process import OutputsProcess, start_outputs
from factories import make_alert, make_track
from sinks.conftest import site_with
from sinks.receivers import CotListener, SapientParent

T0 = 1_767_225_600.0


def test_outputs_process_sends_and_answers() -> None:
    listener = CotListener("udp").start()
    parent = SapientParent()
    try:
        site = site_with(CotSpec(url=f"udp://127.0.0.1:{listener.port}"),
                         SapientSpec(url=f"tcp://127.0.0.1:{parent.port}"))
        outputs = start_outputs(site, None)
        assert isinstance(outputs, OutputsProcess) and outputs._proc.pid not in (None, os.getpid())
        acked: list[tuple[str, str]] = []
        outputs.set_ack_handler(lambda alert_id, by: acked.append((alert_id, by)))
        alert = make_alert("A00001", T0, track_id=1, track_ids=(1,))
        outputs.offer(Update(at=T0, tracks=[make_track(1, T0), make_track(2, T0)], alerts=[alert]))
        assert outputs.drain(20)

        uids = lambda: {e.uid for e in listener.events}  # noqa: E731
        assert parent.wait(lambda: {"dronewatch.test_site.alert.A00001", "dronewatch.test_site.track.1",
                              "dronewatch.test_site.track.2"} <= uids(), 15), uids()
        assert next(e for e in listener.events if e.uid.endswith(".track.1")).type == "a-h-A-M-H-Q"
        assert parent.wait(lambda: bool(parent.of("alert")) and len(parent.of("detection_report")) == 2)

        al = parent.of("alert")[0].msg.alert
        ack = parent.envelope()
        ack.alert_ack.CopyFrom(sm.AlertAck(alert_id=al.alert_id,
                                           alert_ack_status=sm.AlertAck.ALERT_ACK_STATUS_ACCEPTED))
        parent.send(ack)
        assert parent.wait(lambda: bool(acked), 15), "the AlertAck did not come back to this process"
        assert acked[0][0] == "A00001" and acked[0][1].startswith("sapient:")

        stats = {s["kind"]: s for s in outputs.stats()}
        assert set(stats) == {"cot", "sapient"}
        assert stats["cot"]["offered"] == 1 and stats["cot"]["sent"] >= 3 and stats["cot"]["dropped"] == 0
        assert stats["sapient"]["sent"] >= 3
        outputs.close()
        assert not outputs._proc.is_alive()
        assert {s["kind"] for s in outputs.stats()} == {"cot", "sapient"}, "the last figures stay after the close"
        assert parent.wait(lambda: any(r.msg.status_report.system == sm.StatusReport.SYSTEM_GOODBYE
                                       for r in parent.of("status_report"))), "no goodbye from the child"
    finally:
        listener.stop()
        parent.stop()


def test_a_spec_the_child_cannot_build_fails_the_start(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("DW_TEST_NO_SUCH_SECRET", raising=False)
    site = site_with(WebhookSpec(url="http://127.0.0.1:9/hook", secret_env="DW_TEST_NO_SUCH_SECRET"))
    with pytest.raises(ValueError, match="DW_TEST_NO_SUCH_SECRET"):
        start_outputs(site, None, tmp_path)
