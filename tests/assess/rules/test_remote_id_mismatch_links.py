"""remote_id_mismatch on one airframe heard on two links (DJI DroneID and Remote ID): their
broadcast positions more than mismatch_m (150) apart for mismatch_s (5), critical."""

from __future__ import annotations

import msgspec

from dronewatch.assess import Assessor
from dronewatch.model import Identity, Track

from ..helpers import ALLOWED_SERIAL, TrackFactory, of_rule, run, serial

WHERE = (0.0, -700.0, 50.0)
STEPS = [100.0 + i for i in range(8)]
DJI = Identity(scheme="dji", value="3NZCK7F00A12")


def _two_links(make_track: TrackFactory, apart_m: float) -> Track:
    track = make_track(1, WHERE, identity=DJI)
    return msgspec.structs.replace(track, aliases=(serial("1581F3NZCK7F00A12"),), broadcast_offset_m=apart_m)


def test_fires_when_the_links_disagree(assessor: Assessor, make_track: TrackFactory) -> None:
    every, per_t = run(assessor, lambda t: [_two_links(make_track, 310.0)], STEPS)
    [alert] = of_rule(every, "remote_id_mismatch")
    assert (alert.raised_at, alert.severity, alert.identity) == (105.0, "critical", "3NZCK7F00A12")
    assert alert.why == ("dji:3NZCK7F00A12 and serial:1581F3NZCK7F00A12 (one airframe) broadcast positions"
                         " 310 m apart (for 5 s)")
    assert of_rule(per_t[104.0], "remote_id_mismatch") == []


def test_not_when_the_links_agree(assessor: Assessor, make_track: TrackFactory) -> None:
    every, _ = run(assessor, lambda t: [_two_links(make_track, 12.0)], STEPS)
    assert of_rule(every, "remote_id_mismatch") == []


def test_sensed_offset_is_named_first(assessor: Assessor, make_track: TrackFactory) -> None:
    def tracks(t: float) -> list[Track]:
        return [msgspec.structs.replace(_two_links(make_track, 310.0), claimed_offset_m=400.0)]

    every, _ = run(assessor, tracks, STEPS)
    [alert] = of_rule(every, "remote_id_mismatch")
    assert alert.why == "3NZCK7F00A12 claims a position 400 m from where it is seen (for 5 s)"


def test_allowed_serial_covers_the_same_airframes_droneid(assessor: Assessor, make_track: TrackFactory) -> None:
    # the allow list names ALLOWED_SERIAL (Remote ID, 1581F...): the same drone heard on DroneID is
    # allowed too, another DJI serial is not
    same = Identity(scheme="dji", value=ALLOWED_SERIAL.removeprefix("1581F"))
    other = Identity(scheme="dji", value=ALLOWED_SERIAL.removeprefix("1581F") + "X")

    def tracks(t: float) -> list[Track]:
        return [msgspec.structs.replace(make_track(k, WHERE, identity=i), broadcast_offset_m=900.0)
                for k, i in ((1, same), (2, other))]

    every, _ = run(assessor, tracks, STEPS)
    assert [a.track_id for a in every] == [2]
    # the tracks come back marked, so outputs and the console show the same drone as friendly
    marked, _ = assessor.assess(tracks(STEPS[-1] + 1.0), STEPS[-1] + 1.0)
    assert [(t.track_id, t.allowed) for t in marked] == [(1, True), (2, False)]
