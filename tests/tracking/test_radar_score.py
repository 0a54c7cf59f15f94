"""The product's radar path: a site radar's plots confirm and delete tracks by the track score,
with the radar's own stated Pd and false alarms (``TrackerConfig.radar_score``)."""

from __future__ import annotations

import math

import msgspec
import numpy as np
import pytest

from dronewatch.tracking import Tracker, TrackerConfig
from dronewatch.tracking.settings import radar_figures

from .synth_reports import T0, Synth

SCORE = TrackerConfig(radar_score=True)


def _with_radar(synth: Synth, **figures: float) -> Synth:
    synth.radar = msgspec.structs.replace(synth.radar, **figures)
    synth.sensors = [synth.radar, synth.rid, synth.adsb]
    return synth


def test_radar_figures_come_from_the_site_file_with_defaults() -> None:
    synth = Synth()
    cfg = TrackerConfig()
    # stated: Pd 0.8, 30 false plots a scan over the 3 km ring (20 m blind), 120 m deep
    spec = msgspec.structs.replace(synth.radar, pd=0.8, false_alarms_per_scan=30.0)
    pd, clutter = radar_figures(spec, cfg)
    assert pd == 0.8
    assert clutter == pytest.approx(30.0 / (math.pi * (3000.0**2 - 20.0**2) * 120.0))
    # not stated (0 false alarms, Pd 1): at least one false plot a scan, Pd at most 0.99
    pd, clutter = radar_figures(msgspec.structs.replace(spec, pd=1.0, false_alarms_per_scan=0.0), cfg)
    assert pd == 0.99
    assert clutter == pytest.approx(1.0 / (math.pi * (3000.0**2 - 20.0**2) * 120.0))


def _wandering_plots(synth: Synth, trk: Tracker) -> None:
    """Four radar plots a second apart that stay inside a new track's wide gate but do not follow
    one another: what clutter of a cluttered radar (birds, waves, traffic) can look like."""
    steps = [(0.0, 0.0, 0.0), (20.0, -15.0, 5.0), (15.0, 20.0, -5.0), (40.0, 10.0, 5.0)]
    for k, (de, dn, du) in enumerate(steps):
        trk.process([synth.radar_plot((800.0 + de, 600.0 + dn, 60.0 + du), T0 + k, noise=False)], T0 + k)


def test_a_wandering_clutter_track_of_a_cluttered_radar_does_not_confirm(synth: Synth) -> None:
    """Stated Pd 0.7 and 300 false plots a scan: each plot far out in the gate is weak evidence, so
    the score never reaches the SPRT threshold; M of N (3 of 5) confirms the same plots (each is
    in the gate: taken when the radar states little clutter)."""
    _with_radar(synth, pd=0.7, false_alarms_per_scan=300.0)
    trk = synth.tracker(SCORE)
    _wandering_plots(synth, trk)
    assert not any(t.status == "confirmed" for t in trk.tracks(T0 + 3))
    quiet = _with_radar(Synth(), pd=0.7, false_alarms_per_scan=0.0)
    m_of_n = quiet.tracker(TrackerConfig(radar_score=False))
    _wandering_plots(quiet, m_of_n)
    assert [t.status for t in m_of_n.tracks(T0 + 3)] == ["confirmed"]


def test_a_real_target_of_the_same_radar_confirms(synth: Synth) -> None:
    _with_radar(synth, pd=0.7, false_alarms_per_scan=300.0)
    trk = synth.tracker(SCORE)
    for k in range(5):
        trk.process([synth.radar_plot((800.0 + 10.0 * k, 600.0, 60.0), T0 + k)], T0 + k)
    assert [t.status for t in trk.tracks(T0 + 4)] == ["confirmed"]


@pytest.mark.parametrize(("pd", "kept_misses"), [(0.7, 5), (0.95, 2)])
def test_a_radar_track_survives_the_misses_its_pd_makes_likely(synth: Synth, pd: float, kept_misses: int) -> None:
    """A confirmed track is deleted when its score falls ln(1000) below its peak: after a run of
    misses a live target makes with chance below 1e-3 (Pd 0.7: the 6th, Pd 0.95: the 3rd), not
    after a fixed time. Each missed scan still brings the radar's other plots (one far clutter plot)."""
    _with_radar(synth, pd=pd, false_alarms_per_scan=5.0)
    trk = synth.tracker(SCORE)
    k = 0
    for k in range(10):
        trk.process([synth.radar_plot((300.0 + 8.0 * k, 200.0, 60.0), T0 + k),
                     synth.radar_plot((-2000.0, -1500.0 + 20.0 * k, 80.0), T0 + k + 0.5)], T0 + k + 0.5)
    (track,) = [t for t in trk.tracks(T0 + k + 0.5) if t.enu_m[0] > 0]
    assert track.status == "confirmed"
    for miss in range(1, kept_misses + 2):
        at = T0 + k + miss
        far = (-2000.0 + 300.0 * miss, 1500.0, 80.0)  # a different place each scan: clutter, not a target
        trk.process([synth.radar_plot(far, at + 0.5)], at + 0.5)
        alive = trk.table.row(track.track_id) is not None
        assert alive == (miss <= kept_misses), miss


def test_identity_reports_keep_a_radar_track_the_radar_misses(synth: Synth) -> None:
    """A track that Remote ID reports vouch for is not deleted by the radar's score: the radar
    missing a drone it has seen does not break the identified track."""
    _with_radar(synth, pd=0.9, false_alarms_per_scan=5.0)
    trk = synth.tracker(SCORE)
    pos = np.array([300.0, 200.0, 60.0])
    vel = (8.0, 0.0, 0.0)
    ids = set()
    for k in range(20):
        at = T0 + k
        p = pos + np.array(vel) * k
        reps = [synth.remote_id("1596TEST00000001", p, vel, at + 0.2),
                synth.radar_plot((-2000.0, -1500.0 + 300.0 * k, 80.0), at + 0.5)]
        if k < 8:  # the radar sees it for 8 s, then misses it for 12 scans
            reps.append(synth.radar_plot(p, at))
        trk.process(reps, at + 0.5)
        ids |= {t.track_id for t in trk.tracks(at + 0.5) if t.identity is not None}
    assert len(ids) == 1
