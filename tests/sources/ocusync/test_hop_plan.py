"""The live SDR's hop plan: the published DroneID channels of both bands, each visited long
enough to hear a burst, every burst inside its band and inside the receiver's bandwidth."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
from typer.testing import CliRunner

from dronewatch.cli import app
from dronewatch.sources.ocusync.live import (
    DEFAULT_DWELL_S,
    DEFAULT_RATE,
    DRONEID_2G4_HZ,
    DRONEID_5G8_HZ,
    hop_plan,
    readers,
)

OCCUPIED_HZ = 601 * 15e3  # 600 data subcarriers + DC at 15 kHz: the burst's width
PERIOD_S = 0.64  # DroneID's burst period (NDSS 2023: about 600-640 ms)
ISM_HZ = {"2.4": (2400e6, 2483.5e6), "5.8": (5725e6, 5850e6)}


def test_plan_covers_both_bands_once_per_cycle() -> None:
    plan = hop_plan()
    assert plan == DRONEID_2G4_HZ + DRONEID_5G8_HZ
    assert len(set(plan)) == len(plan) == 10
    assert hop_plan("5.8") == (5756.5e6, 5776.5e6, 5796.5e6, 5816.5e6)
    assert set(hop_plan("2.4")) | set(hop_plan("5.8")) == set(plan)
    assert all(b - a == 20e6 for a, b in itertools.pairwise(DRONEID_5G8_HZ))
    with pytest.raises(ValueError, match=r"unknown DroneID band '5\.1'"):
        hop_plan("5.1")


@pytest.mark.parametrize("band", ["2.4", "5.8"])
def test_every_burst_lies_in_its_band_and_the_capture(band: str) -> None:
    lo, hi = ISM_HZ[band]
    for centre in hop_plan(band):
        assert lo <= centre - OCCUPIED_HZ / 2 and centre + OCCUPIED_HZ / 2 <= hi
        assert OCCUPIED_HZ < DEFAULT_RATE  # the whole burst is inside the tuned capture


def test_dwell_hears_every_burst_train() -> None:
    # one visit is longer than a burst period, so a drone sending on the channel is heard
    assert DEFAULT_DWELL_S > PERIOD_S
    assert len(hop_plan()) * DEFAULT_DWELL_S < 10.0  # a full cycle stays short


def test_sdr_spec_selects_a_band() -> None:
    (r,) = readers(["driver=lime?band=2.4@rf-3"])
    assert r.name == "sdr:driver=lime"
    assert r._open.keywords["hop_hz"] == DRONEID_2G4_HZ  # type: ignore[attr-defined]
    with pytest.raises(ValueError, match="unknown DroneID band"):
        readers(["driver=lime?band=3.5"])


def test_serve_rejects_an_unknown_band_in_one_line(tmp_path: Path) -> None:
    site = tmp_path / "site.yaml"
    site.write_text("name: t\norigin: {lat: 51.0, lon: 7.0, alt_m: 100}\n")
    result = CliRunner().invoke(app, ["serve", "--site", str(site), "--sdr", "driver=lime?band=3.5"])
    assert result.exit_code == 2
    assert result.output.strip().splitlines() == [
        "error: unknown DroneID band '3.5': give 2.4, 5.8 or all"]
