"""Site settings of the alert lifecycle (``thresholds.escalate_after_s``, ``zone_margin_m``):
loaded, and validated by ``dronewatch check`` with file, line, field and expectation."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from dronewatch.config import ConfigError, load_site
from test_config import GOOD_SITE


def _site(tmp_path: Path, thresholds: str) -> Path:
    path = tmp_path / "site.yaml"
    path.write_text(GOOD_SITE + "thresholds:\n" + thresholds)
    return path


def test_settings_load(tmp_path: Path) -> None:
    site = load_site(_site(tmp_path, "  escalate_after_s: 45\n  zone_margin_m: 10\n"))
    assert (site.thresholds.escalate_after_s, site.thresholds.zone_margin_m) == (45.0, 10.0)
    assert load_site(_site(tmp_path, "  escalate_after_s: null\n")).thresholds.escalate_after_s is None
    defaults = load_site(_site(tmp_path, "  clear_s: 10\n")).thresholds
    assert (defaults.escalate_after_s, defaults.zone_margin_m) == (90.0, 25.0)


@pytest.mark.parametrize(
    ("thresholds", "field", "expected"),
    [
        ("  escalate_after_s: 0\n", "$.thresholds.escalate_after_s", "Expected `float` > 0"),
        ("  escalate_after_s: soon\n", "$.thresholds.escalate_after_s", "Expected `float | null`, got `str`"),
        ("  zone_margin_m: -1\n", "$.thresholds.zone_margin_m", "Expected `float` >= 0"),
    ],
)
def test_bad_settings_are_named(tmp_path: Path, thresholds: str, field: str, expected: str) -> None:
    path = _site(tmp_path, thresholds)
    with pytest.raises(ConfigError) as info:
        load_site(path)
    assert (info.value.field, info.value.line) == (field, GOOD_SITE.count("\n") + 2)
    assert expected in info.value.expected


def test_check_command_rejects_a_bad_escalation_setting(tmp_path: Path) -> None:
    path = _site(tmp_path, "  escalate_after_s: -30\n")
    proc = subprocess.run([sys.executable, "-m", "dronewatch.cli", "check", str(path)],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2
    line = GOOD_SITE.count("\n") + 2
    assert f"{path}:{line}: $.thresholds.escalate_after_s: Expected `float` > 0" in proc.stderr
