"""Site and scenario files: valid ones load; broken ones give one clear error naming file,
line, field and what was expected (library and `dronewatch check`)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from dronewatch.config import ConfigError, load_any, load_scenario, load_site, resolve_scenario

GOOD_SITE = """\
name: Test ground
origin: {lat: 51.556, lon: -0.2796, alt_m: 40}
zones:
  - name: Stands
    polygon: [[51.557, -0.281], [51.557, -0.278], [51.555, -0.278], [51.555, -0.281]]
    severity: critical
  - {name: Perimeter, circle: {lat: 51.556, lon: -0.2796, radius_m: 400}, severity: warning}
sensors:
  - {id: radar-1, kind: radar, lat: 51.556, lon: -0.2796, alt_m: 15, range_m: 3000}
"""


def _write(tmp_path: Path, text: str, name: str = "site.yaml") -> Path:
    p = tmp_path / name
    p.write_text(text)
    return p


def test_good_site_loads(tmp_path: Path) -> None:
    site = load_site(_write(tmp_path, GOOD_SITE))
    assert [z.name for z in site.zones] == ["Stands", "Perimeter"]
    assert site.sensors[0].range_m == 3000
    assert site.thresholds.predict_horizon_s == 60


@pytest.mark.parametrize(
    ("replace", "by", "line", "field", "expected"),
    [
        ("range_m: 3000", "range_m: far", 9, "$.sensors[0].range_m", "Expected `float`"),
        ("range_m: 3000", "range_m: -5", 9, "$.sensors[0].range_m", "Expected `float` > 0"),
        ("lat: 51.556, lon: -0.2796, alt_m: 40", "lat: 151.0, lon: -0.2796, alt_m: 40", 2, "$.origin.lat",
         "<= 90"),
        ("severity: warning", "severity: scary", 7, "$.zones[1].severity", "expected one of: critical, info, warning"),
        ("kind: radar", "kind: radar, colour: red", 9, "$.sensors[0]", "unknown field `colour`"),
        ("    severity: critical", "    circle: {lat: 51.5, lon: 0, radius_m: 5}", 4, "$.zones[0]",
         "exactly one of `polygon` or `circle`"),
        ("    severity: critical", "    holes: [[[51.5561, -0.2795], [51.5561, -0.2794]]]", 4, "$.zones[0]",
         "each of `holes` needs at least 3"),
    ],
)
def test_broken_site_names_file_line_field_expectation(
    tmp_path: Path, replace: str, by: str, line: int, field: str, expected: str
) -> None:
    assert replace in GOOD_SITE
    path = _write(tmp_path, GOOD_SITE.replace(replace, by))
    with pytest.raises(ConfigError) as info:
        load_site(path)
    err = info.value
    assert err.file == str(path)
    assert err.field == field
    assert expected in err.expected
    assert err.line == line
    assert str(err).startswith(f"{path}:{line}: {field}: ")


def test_yaml_syntax_error_has_line(tmp_path: Path) -> None:
    path = _write(tmp_path, GOOD_SITE + "  - {id: x, kind: [\n")
    with pytest.raises(ConfigError) as info:
        load_site(path)
    assert info.value.line is not None and info.value.line >= 10
    assert "valid YAML" in info.value.expected


def test_scenario_site_by_relative_path(tmp_path: Path) -> None:
    _write(tmp_path, GOOD_SITE)
    scen = _write(
        tmp_path,
        "name: s\nsite: site.yaml\nobjects:\n  - id: d1\n    kind: multirotor\n"
        "    waypoints: [{lat: 51.56, lon: -0.28, alt_m: 60}]\n",
        "scen.yaml",
    )
    loaded = load_any(scen)
    assert loaded.name == "s"
    assert load_scenario(scen).site.name == "Test ground"


def test_builtin_stadium_is_valid() -> None:
    scen = load_scenario(resolve_scenario("stadium"))
    assert scen.seed == 7 and scen.duration_s == 600
    assert {z.severity for z in scen.site.zones} >= {"critical", "warning"}


def test_check_command_reports_one_clear_error(tmp_path: Path) -> None:
    path = _write(tmp_path, GOOD_SITE.replace("range_m: 3000", "range_m: far"))
    proc = subprocess.run([sys.executable, "-m", "dronewatch.cli", "check", str(path)],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2
    lines = [ln for ln in proc.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1, proc.stderr
    assert f"{path}:9: $.sensors[0].range_m: Expected `float`" in lines[0]


def test_check_command_accepts_good_file(tmp_path: Path) -> None:
    proc = subprocess.run([sys.executable, "-m", "dronewatch.cli", "check", str(_write(tmp_path, GOOD_SITE))],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert "valid site" in proc.stdout
