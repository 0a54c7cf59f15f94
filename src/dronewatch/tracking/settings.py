"""TrackerConfig: every tracker tunable in one typed, frozen Struct (the site file's ``tracking:``)."""

from __future__ import annotations

import math
from typing import Annotated

from msgspec import Meta, Struct

from dronewatch.config import DEFAULT_RANGE_RATE_SIGMA_MPS, SensorSpec
from dronewatch.tracking.imm import MotionModel, default_models, drone_models

Pos = Annotated[float, Meta(gt=0)]
Count = Annotated[int, Meta(ge=1)]


class TrackerConfig(Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Tracker settings. Times in seconds, distances in metres, chi² gates for 3 dof."""

    # IMM members (drone set: CV, ±6 °/s turns, near-hover, high-noise CV; a single model is a plain
    # Kalman filter); switching: ``model_stay_prob`` on the diagonal
    models: tuple[MotionModel, ...] = drone_models()
    model_stay_prob: Annotated[float, Meta(gt=0, le=1)] = 0.98
    initial_model_probs: tuple[float, ...] = (0.7, 0.15, 0.15)  # uniform if the length differs
    # association: JPDA for ambiguous clusters up to this size (larger ones GNN), with the
    # sensors' detection probability and false-plot density (per m³ per scan)
    pd: Annotated[float, Meta(gt=0, lt=1)] = 0.9
    clutter_per_m3: Pos = 1e-9
    jpda_max_tracks: Count = 5
    jpda_max_pairs: Count = 14
    # a track of a small ambiguous (JPDA) cluster whose chosen plot's probability is below
    # ``ambiguous_beta`` is updated by PDA (all its gated plots and "no plot", weighted by their
    # probabilities) rather than by that plot alone: a wrong hard choice in a close crossing would
    # bend its velocity towards the other target and swap the two (without ``pda``: prediction only)
    pda: bool = True
    ambiguous_beta: Annotated[float, Meta(ge=0, lt=1)] = 0.7
    gate_max_plots: Count = 8  # nearest plots per track tested against its gate
    gate_chi2: Pos = 16.0  # Mahalanobis gate (3 dof, ~99.9 %)
    max_gate_m: Pos = 400.0  # cap of the coarse k-d tree pre-gate radius
    batch_window_s: Pos = 0.4  # reports of one non-radar sensor this close in time form one batch
    radar_batch_fraction: Annotated[float, Meta(gt=0, lt=1)] = 0.9  # a radar batch: this share of a scan
    init_vel_sigma_mps: Pos = 25.0  # velocity uncertainty of a track born without velocity
    init_vert_vel_sigma_mps: Pos | None = None  # vertical (None: init_vel_sigma_mps)
    reacquire_chi2: Pos = 64.0  # new track this close to a silent older one's prediction takes its id
    # a radar plot's range rate, when it gives one, updates the velocity along the beam, with the
    # radar's stated ``sigma_range_rate_mps`` as its error (``range_rate_sigma_mps`` where the site
    # states none). The kinematic classifier (assess/classify) is fitted on tracks made with and without
    # it, its spread features averaged over 5 states (docs/classification.md).
    use_range_rate: bool = True
    range_rate_sigma_mps: Pos = DEFAULT_RANGE_RATE_SIGMA_MPS
    radar_floor_sigma_m: Annotated[float, Meta(ge=0)] = 2.0  # added to radar plot sigma (close-range plots)
    duplicate_m: Pos = 40.0  # a "spoof" offset below this is a duplicate track, merged into the older id
    twin_m: Pos = 15.0  # two confirmed tracks this close over their shared history are one object
    confirm_m: Count = 3  # M-of-N confirmation on non-cooperative scans ...
    confirm_n: Count = 5
    coop_confirm: Count = 2  # ... or this many cooperative (identity) reports
    # track score (log-likelihood ratio, target vs false track, from ``pd`` and ``clutter_per_m3``):
    # with ``track_score`` it confirms (Wald's SPRT: score >= ln((1 - beta) / alpha)), deletes a
    # tentative track (score <= ln(beta / (1 - alpha))) or a confirmed one (score fallen
    # ln(1 / score_delete_prob) below its peak), and reported() shows a confirmed track while its
    # drop is below ln(1 / score_show_prob) or it was just updated
    track_score: bool = False
    # ``radar_score``: a site radar's plots score the tracks they make and update with that radar's
    # own figures (``radar_figures``: its stated ``pd``, and ``false_alarms_per_scan`` spread over
    # its cover, ``radar_clutter_height_m`` deep, at least ``radar_min_false_alarms`` a scan); such
    # a track confirms and is deleted by its score (unless an identity report keeps it: then by
    # time), other tracks by M of N. ``track_score`` scores every non-cooperative plot with
    # ``pd`` and ``clutter_per_m3`` instead (the bench's single plot sensor).
    # On by default since the classifier's speed bound for birds is soft (assess/classify/cues:
    # nothing up to 25 m/s, full weight at 40): before that, with it on, bench/assessment.py
    # seed 13 (hints off) alerted on a real pigeon flock flying at 25-30 m/s, a young track
    # hopping among its members reading "too fast for a bird (30 m/s)" in its first window.
    radar_score: bool = True
    radar_clutter_height_m: Pos = 120.0
    radar_min_false_alarms: Pos = 1.0
    score_false_track: Annotated[float, Meta(gt=0, lt=0.5)] = 1e-2  # alpha
    score_true_loss: Annotated[float, Meta(gt=0, lt=0.5)] = 1e-2  # beta
    score_show_prob: Annotated[float, Meta(gt=0, lt=1)] = 0.05
    score_delete_prob: Annotated[float, Meta(gt=0, lt=0.5)] = 1e-3  # a confirmed track is deleted after
    # a run of misses a live target makes with this chance (a hidden track costs nothing but memory)
    coast_s: Pos = 1.5  # confirmed track with no update this long is "coasting"
    delete_s: Pos = 8.0  # confirmed track with no update this long is deleted
    tentative_delete_s: Pos = 3.0  # tentative track with no update this long is deleted
    ambiguous_coast_s: Annotated[float, Meta(ge=0)] = 0.0  # reported() shows a coasting track this
    # much longer while another confirmed track is ambiguous with it (its label could stand in)
    area_m: tuple[float, float, float, float] | None = None  # e_min, e_max, n_min, n_max: leaving it deletes
    conflict_chi2: Pos = 1.0  # an unbound identity this close to another identity's track joins it
    pair_s: Pos = 2.0  # two links of one airframe heard this close in time are compared (broadcast_offset_m)
    spoof_after_s: Pos = 6.0  # identity track in radar cover, no radar update this long: find its radar track
    spoof_vel_mps: Pos = 3.0  # velocity match between claimed and sensed
    spoof_offset_std_m: Pos = 20.0  # stability of the claimed-sensed offset over the window
    spoof_min_samples: Count = 4
    bearing_max_range_m: Pos = 5000.0  # a bearing crossing farther than this from its sensors is dropped
    bearing_gate_chi2: Pos = 9.0  # a lone bearing's gate (azimuth, 1 dof, ~99.7 %)
    bearing_default_alt_m: float = 50.0  # height of a fix from bearings without elevation (site ENU u)
    rcs_alpha: Annotated[float, Meta(gt=0, le=1)] = 0.3  # RCS smoothing factor


def plot_sensor_config(pd: float, clutter_per_m3: float, scan_s: float = 1.0,
                       area_m: tuple[float, float, float, float] | None = None,
                       track_score: bool = True) -> TrackerConfig:
    """Settings for one plot sensor scanning every ``scan_s`` (the benchmark's case): IMM of CV and
    ±6 °/s turns; with ``track_score`` tracks are confirmed, shown and deleted by their score (from
    ``pd`` and ``clutter_per_m3``; time limits only catch a sensor gone silent), else as Stone Soup's
    trackers there: a track confirmed at its 2nd plot, shown while at most one scan old (two when
    ambiguous with a neighbour), deleted at its 3rd missed scan (a tentative one at its 2nd); leaving
    ``area_m`` deletes."""
    if track_score:
        return TrackerConfig(models=default_models(), pd=pd, clutter_per_m3=clutter_per_m3, area_m=area_m,
                             init_vel_sigma_mps=20.0, init_vert_vel_sigma_mps=5.0, track_score=True,
                             coast_s=1.5 * scan_s, ambiguous_coast_s=1.0 * scan_s, delete_s=20.0 * scan_s,
                             tentative_delete_s=20.0 * scan_s)
    return TrackerConfig(models=default_models(), pd=pd, clutter_per_m3=clutter_per_m3, area_m=area_m,
                         init_vel_sigma_mps=20.0, init_vert_vel_sigma_mps=5.0, confirm_m=2, confirm_n=3,
                         coast_s=1.5 * scan_s, ambiguous_coast_s=1.0 * scan_s, delete_s=2.5 * scan_s,
                         tentative_delete_s=1.5 * scan_s)


def radar_figures(spec: SensorSpec, cfg: TrackerConfig) -> tuple[float, float]:
    """(Pd, clutter plots per m³ per scan) of a site radar from its stated figures: ``pd`` (kept
    within 0.05-0.99: a stated 1 would make one miss delete a track), and ``false_alarms_per_scan``
    (at least ``cfg.radar_min_false_alarms``: no real radar is free of them) over its cover, the
    ring between ``min_range_m`` and ``range_m`` times ``cfg.radar_clutter_height_m``."""
    pd = min(max(spec.pd, 0.05), 0.99)
    area = math.pi * (spec.range_m**2 - min(spec.min_range_m, 0.99 * spec.range_m) ** 2)
    return pd, max(spec.false_alarms_per_scan, cfg.radar_min_false_alarms) / (area * cfg.radar_clutter_height_m)


def range_rate_sigma(spec: SensorSpec, cfg: TrackerConfig) -> float:
    """A site radar's range-rate noise (m/s): its stated ``sigma_range_rate_mps``, else
    ``cfg.range_rate_sigma_mps``."""
    return cfg.range_rate_sigma_mps if spec.sigma_range_rate_mps is None else spec.sigma_range_rate_mps
