"""SAPIENT bindings: generated from the standard's .proto files, with a clear error when absent."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from dronewatch.sapient import generate
from dronewatch.sapient.ids import is_ulid, is_uuid, new_ulid, new_uuid, ulid_time

REPO = Path(__file__).resolve().parents[2]
PROTO_ROOT = REPO.parent / "shared" / "standards" / "sapient"


@pytest.fixture(scope="module")
def proto_root() -> Path:
    if not (PROTO_ROOT / "sapient_msg").is_dir():
        pytest.fail(f"SAPIENT .proto files not found at {PROTO_ROOT} (clone next to ../shared)")
    return PROTO_ROOT


def test_generate_into_a_fresh_folder(tmp_path: Path, proto_root: Path) -> None:
    out = tmp_path / "_generated"
    assert generate.generate(proto_root, out_dir=out) is True
    v2 = out / "sapient_msg" / "bsi_flex_335_v2_0"
    assert (v2 / "sapient_message_pb2.py").is_file()
    assert (v2 / "detection_report_pb2.pyi").is_file()
    assert (v2 / "__init__.py").is_file()
    text = (v2 / "sapient_message_pb2.py").read_text()
    assert "from sapient_msg" not in text  # imports point into the package
    assert f"from {generate.OUT_PACKAGE}.sapient_msg.bsi_flex_335_v2_0 import" in text
    # Up to date: nothing regenerated; forced: regenerated.
    assert generate.generate(proto_root, out_dir=out) is False
    assert generate.generate(proto_root, out_dir=out, force=True) is True


def test_generate_names_a_missing_proto_folder(tmp_path: Path) -> None:
    with pytest.raises(generate.GenerateError, match="not found"):
        generate.generate(tmp_path / "nowhere", out_dir=tmp_path / "out")
    (tmp_path / "empty").mkdir()
    with pytest.raises(generate.GenerateError, match=r"no sapient_msg/proto_options\.proto"):
        generate.generate(tmp_path / "empty", out_dir=tmp_path / "out")
    assert generate.main(["--proto-root", str(tmp_path / "nowhere")]) == 1


def test_package_bindings_match_the_standard(proto_root: Path) -> None:
    """The bindings the package imports were generated from the current .proto files."""
    files = generate.proto_files(proto_root)
    stamp = (generate.OUT_DIR / "SOURCE").read_text().split("\n", 1)[0]
    assert stamp == generate.fingerprint(proto_root, files)
    from dronewatch.sapient import messages

    assert messages.CONTENT_KINDS[:4] == ("registration", "registration_ack", "status_report", "detection_report")
    opts = messages.sapient_message_pb2.DESCRIPTOR.GetOptions()
    assert opts.Extensions[messages.proto_options_pb2.file_options].standard_version == messages.STANDARD_VERSION


def test_import_without_bindings_says_what_to_do() -> None:
    code = (
        "import sys; sys.modules['dronewatch.sapient._generated'] = None\n"
        "import dronewatch.sapient.messages\n"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert run.returncode != 0
    assert "SAPIENT bindings are not generated" in run.stderr
    assert "python -m dronewatch.sapient.generate" in run.stderr


def test_ids() -> None:
    u = new_ulid(1_700_000_000.25)
    assert is_ulid(u) and len(u) == 26
    assert ulid_time(u) == pytest.approx(1_700_000_000.25, abs=1e-3)
    assert not is_ulid("not-a-ulid") and not is_ulid("8" * 26) and not is_ulid("I" * 26)
    n = new_uuid()
    assert is_uuid(n) and not is_uuid(n[:-1]) and not is_uuid("z" * 36)
    assert new_ulid() != new_ulid()
