"""Site file `inputs:` and the serve shortcuts: validated, errors name file, line, field, expectation."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from dronewatch.config import ConfigError, load_site
from dronewatch.sources.inputs import from_shortcut

HEAD = "name: t\norigin: {lat: 51.5, lon: -0.1}\n"


def test_inputs_load(tmp_path: Path) -> None:
    f = tmp_path / "site.yaml"
    f.write_text(HEAD + """\
sensors:
  - {id: radar-1, kind: radar, lat: 51.5, lon: -0.1, sac: 25, sic: 201}
inputs:
  - {kind: beast, url: "tcp://127.0.0.1:30005", sensor: adsb-1}
  - {kind: sbs, url: "tcp://[::1]:30003"}
  - {kind: aircraft_json, url: "https://example.invalid/data/aircraft.json", poll_s: 2}
  - {kind: aircraft_json, url: /run/readsb/aircraft.json}
  - {kind: asterix, url: "udp://239.1.2.3:8600", sensor: radar-1}
  - {kind: sapient, url: "tcp-listen://0.0.0.0:5020"}
""")
    site = load_site(f)
    assert [i.kind for i in site.inputs] == ["beast", "sbs", "aircraft_json", "aircraft_json", "asterix", "sapient"]
    assert site.inputs[0].sensor_id == "adsb-1" and site.inputs[1].sensor_id == "sbs-[::1]:30003"
    assert (site.sensors[0].sac, site.sensors[0].sic) == (25, 201)


@pytest.mark.parametrize(
    ("body", "line", "field", "expected"),
    [
        ("inputs:\n  - {kind: beast, url: 'udp://1.2.3.4:5'}\n", 4, "$.inputs[0]", "tcp://HOST:PORT"),
        ("inputs:\n  - {kind: sbs, url: 'tcp://host'}\n", 4, "$.inputs[0]", "tcp://HOST:PORT"),
        ("inputs:\n  - kind: radar\n    url: 'udp://1.2.3.4:5'\n", 4, "$.inputs[0].kind",
         "aircraft_json, asterix, beast, sapient, sbs"),
        ("inputs:\n  - {kind: asterix, url: 'udp://1.2.3.4:5', sensor: nope}\n", 1, "$", "not one of the site"),
        ("sensors:\n  - {id: r, kind: radar, lat: 51.5, lon: -0.1, sac: 300, sic: 1}\n", 4,
         "$.sensors[0].sac", "<= 255"),
    ],
)
def test_input_errors(tmp_path: Path, body: str, line: int, field: str, expected: str) -> None:
    f = tmp_path / "site.yaml"
    f.write_text(HEAD + body)
    with pytest.raises(ConfigError) as info:
        load_site(f)
    err = info.value
    assert (err.file, err.line, err.field) == (str(f), line, field)
    assert expected in err.expected


def test_check_command_names_the_problem(tmp_path: Path) -> None:
    f = tmp_path / "site.yaml"
    f.write_text(HEAD + "inputs:\n  - {kind: sapient, url: 'tcp://0.0.0.0:5020'}\n")
    run = subprocess.run([sys.executable, "-m", "dronewatch.cli", "check", str(f)], capture_output=True, text=True,
                         timeout=60)
    assert run.returncode == 2
    assert f"{f}:4: $.inputs[0]" in run.stderr.replace("\n", "") and "tcp-listen://HOST:PORT" in run.stderr


def test_shortcuts() -> None:
    s = from_shortcut("beast", "127.0.0.1:30005@adsb-roof")
    assert (s.kind, s.url, s.sensor) == ("beast", "tcp://127.0.0.1:30005", "adsb-roof")
    assert from_shortcut("asterix", "udp://239.1.2.3:8600").url == "udp://239.1.2.3:8600"
    assert from_shortcut("aircraft-json", "http://h/data/aircraft.json").url == "http://h/data/aircraft.json"
    assert from_shortcut("sapient-listen", "127.0.0.1:5020").url == "tcp-listen://127.0.0.1:5020"
    with pytest.raises(ConfigError, match="--sbs nowhere"):
        from_shortcut("sbs", "nowhere")
