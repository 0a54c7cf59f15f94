"""The shared OcuSync capture (../shared/data/rf) and its decoded reference payload."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest


@pytest.fixture(scope="session")
def rf_meta(captures: Path) -> Path:
    path = captures / "rf" / "mavic_air_2.sigmf-meta"
    if not path.is_file() or not path.with_suffix(".sigmf-data").is_file():
        pytest.fail(f"OcuSync capture missing: {path} (+ .sigmf-data)")
    return path


@pytest.fixture(scope="session")
def rf_iq(rf_meta: Path) -> np.ndarray:
    x = np.fromfile(rf_meta.with_suffix(".sigmf-data"), dtype="<c8")
    x.setflags(write=False)
    return x
