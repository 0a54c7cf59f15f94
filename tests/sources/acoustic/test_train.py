"""The shipped model reproduces from the training script; the model file is small and sane."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from dronewatch.sources.acoustic import train
from dronewatch.sources.acoustic.model import MODEL_PATH, load_model


def test_shipped_model_is_small_and_documents_its_cross_validation() -> None:
    assert MODEL_PATH.stat().st_size < 5_000_000
    meta = json.loads(MODEL_PATH.read_text())["meta"]
    cv = meta["cv"]
    assert cv["clips"] == 71 and cv["folds"] == 5
    assert 0.0 < load_model().temperature < 10.0
    docs = (Path(__file__).resolve().parents[3] / "docs" / "acoustic.md").read_text()
    assert f"{100 * cv['clip_drone_vs_not_accuracy']:.1f} %" in docs  # the figure in docs is the shipped one


def test_groups_never_straddle_folds(clips: Path) -> None:
    loaded = train.load_clips(clips.parent)
    folds = train.folds_of(loaded, 5, seed=7)
    fold_of_group: dict[str, set[int]] = {}
    for c, f in zip(loaded, folds, strict=True):
        fold_of_group.setdefault(c.group, set()).add(f)
    assert all(len(f) == 1 for f in fold_of_group.values())
    assert len({c.group for c in loaded}) == 71 - 13 + 5  # the MANIFEST's 13 clips in 5 groups
    assert sorted(set(folds)) == [0, 1, 2, 3, 4]


@pytest.mark.slow
def test_retraining_reproduces_the_shipped_model(clips: Path) -> None:
    model = train.train(clips.parent, seed=load_model().meta["seed"])  # type: ignore[index]
    shipped = load_model()
    for (w, b), (ws, bs) in zip(model.layers, shipped.layers, strict=True):
        assert np.allclose(w, ws, atol=1e-4) and np.allclose(b, bs, atol=1e-4)
    assert model.temperature == pytest.approx(shipped.temperature, rel=1e-3)
