"""The docs stay whole: Markdown under 100 KB, relative links resolve, architecture.md names real modules.
Each check is also shown failing on a broken sample, so it cannot pass by accident."""

from __future__ import annotations

import shutil
from pathlib import Path

from docs_check import _tree_paths, dead_links, missing_modules, oversized

REPO = Path(__file__).resolve().parents[1]


def test_every_markdown_file_is_under_100_kb() -> None:
    assert oversized(REPO) == []


def test_every_relative_link_in_readme_and_docs_resolves() -> None:
    assert dead_links(REPO) == []


def test_every_module_architecture_md_names_exists() -> None:
    assert missing_modules(REPO) == []


def test_architecture_tree_is_read() -> None:
    # The tree parser must really see the folder list, or the check above would pass on nothing.
    paths = _tree_paths((REPO / "docs" / "architecture.md").read_text(encoding="utf-8"))
    assert "src/dronewatch/tracking/" in paths
    assert "src/dronewatch/sources/remoteid/" in paths
    assert len(paths) >= 20


def _sample_repo(tmp: Path) -> Path:
    (tmp / "docs").mkdir()
    (tmp / "src" / "dronewatch" / "tracking").mkdir(parents=True)
    (tmp / "src" / "dronewatch" / "tracking" / "tracker.py").write_text('"""x"""\n')
    (tmp / "README.md").write_text("# x\n\n[arch](docs/architecture.md) ![shot](docs/shot.png)\n")
    (tmp / "docs" / "shot.png").write_bytes(b"\x89PNG")
    (tmp / "docs" / "architecture.md").write_text(
        "# a\n\n```\nsrc/dronewatch/\n  tracking/\n    tracker.py   the tracker\n```\n\n"
        "See `tracking/tracker.py` and [README](../README.md).\n")
    return tmp


def test_checks_pass_on_a_clean_sample(tmp_path: Path) -> None:
    root = _sample_repo(tmp_path)
    assert oversized(root) == [] and dead_links(root) == [] and missing_modules(root) == []


def test_a_200_kb_markdown_file_fails(tmp_path: Path) -> None:
    root = _sample_repo(tmp_path)
    (root / "docs" / "huge.md").write_text("tracking/ paragraph repeated\n" * 7200)  # ~200 KB
    assert (root / "docs" / "huge.md").stat().st_size > 200_000
    found = oversized(root)
    assert len(found) == 1 and found[0].startswith("docs/huge.md")


def test_a_dead_link_and_a_missing_image_fail(tmp_path: Path) -> None:
    root = _sample_repo(tmp_path)
    (root / "docs" / "guide.md").write_text("[gone](missing.md) [ok](architecture.md#the-flow)\n"
                                            "![pic](img/none.png) [web](https://example.org/x)\n"
                                            "```\n[in code](not-a-link.md)\n```\n")
    found = dead_links(root)
    assert len(found) == 2
    assert any("missing.md" in f for f in found) and any("img/none.png" in f for f in found)
    (root / "docs" / "shot.png").unlink()
    assert any("docs/shot.png" in f for f in dead_links(root))


def test_a_module_that_is_gone_fails(tmp_path: Path) -> None:
    root = _sample_repo(tmp_path)
    shutil.rmtree(root / "src" / "dronewatch" / "tracking")
    found = missing_modules(root)
    assert any("src/dronewatch/tracking/" in f for f in found)
    assert any("`tracking/tracker.py`" in f for f in found)
