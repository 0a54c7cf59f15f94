"""Checks that keep the Markdown docs whole: size, relative links, and the module paths
docs/architecture.md names. Used by tests/test_docs.py on the repository and on broken samples."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

MAX_MD_BYTES = 100 * 1024
LINK = re.compile(r"!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
FENCE = re.compile(r"^(```|~~~).*?^\1[^\n]*$", re.S | re.M)
INLINE_CODE = re.compile(r"`[^`\n]*`")
TREE_ENTRY = re.compile(r"^( *)([A-Za-z_][\w.-]*(?:/[\w.-]+)*(?:\.py|/))(?:\s|$)")
CODE_PATH = re.compile(r"`([\w/.-]+\.py|[\w-]+(?:/[\w-]+)+/?)`")
SKIP_DIRS = {".git", ".venv", "node_modules", "__pycache__", ".venv-anchor", ".mypy_cache", ".ruff_cache",
             ".pytest_cache", ".hypothesis"}


def markdown_files(root: Path) -> list[Path]:
    """Every Markdown file of the repository: tracked and not ignored untracked ones (git), else a walk."""
    try:
        out = subprocess.run(
            ["git", "-C", str(root), "ls-files", "--cached", "--others", "--exclude-standard", "*.md"],
            capture_output=True, text=True, check=True,
        ).stdout
        files = [root / line for line in out.splitlines() if line]
        return [f for f in files if f.is_file()]
    except (OSError, subprocess.CalledProcessError):
        return [p for p in root.rglob("*.md") if not SKIP_DIRS.intersection(p.relative_to(root).parts)]


def oversized(root: Path, limit: int = MAX_MD_BYTES) -> list[str]:
    """Markdown files at or over ``limit`` bytes, as 'path: N bytes'."""
    return [f"{f.relative_to(root)}: {f.stat().st_size} bytes (limit {limit})"
            for f in markdown_files(root) if f.stat().st_size >= limit]


def _prose(text: str) -> str:
    return INLINE_CODE.sub("", FENCE.sub("", text))


def dead_links(root: Path) -> list[str]:
    """Relative links and images in README.md and docs/**/*.md whose target file does not exist."""
    pages = [root / "README.md", *sorted((root / "docs").rglob("*.md"))]
    bad: list[str] = []
    for page in pages:
        if not page.is_file():
            continue
        for m in LINK.finditer(_prose(page.read_text(encoding="utf-8"))):
            target = m.group(1)
            if re.match(r"^[a-z][a-z0-9+.-]*:", target, re.I) or target.startswith("#"):
                continue  # http(s):, mailto:, in-page anchors
            path = target.split("#", 1)[0].split("?", 1)[0]
            resolved = (root / path.lstrip("/")) if path.startswith("/") else (page.parent / path)
            if not resolved.exists():
                bad.append(f"{page.relative_to(root)}: link to {target} (no such file)")
    return bad


def _tree_paths(text: str) -> list[str]:
    """Paths of the folder tree blocks (indentation nests entries; top-level entries are from the repo root)."""
    paths: list[str] = []
    for block in re.findall(r"^```[^\n]*\n(.*?)^```", text, re.S | re.M):
        if "src/dronewatch/" not in block:
            continue
        stack: list[tuple[int, str]] = []
        for line in block.splitlines():
            m = TREE_ENTRY.match(line)
            if not m or len(m.group(1)) > 12:  # deeper indents are description lines
                continue
            indent, name = len(m.group(1)), m.group(2)
            while stack and stack[-1][0] >= indent:
                stack.pop()
            full = (stack[-1][1] if stack else "") + name
            paths.append(full)
            if name.endswith("/"):
                stack.append((indent, full))
    return paths


def missing_modules(root: Path, doc: str = "docs/architecture.md") -> list[str]:
    """Module paths named in the architecture document that do not exist.

    Folder-tree entries are resolved by their nesting; a path in backticks is looked up under
    src/dronewatch/, the repository root, or (a bare ``name.py``) anywhere under src/."""
    text = (root / doc).read_text(encoding="utf-8")
    src = root / "src" / "dronewatch"
    bad = [f"{doc}: tree entry {p} (no such file or folder)" for p in _tree_paths(text)
           if not (root / p).exists()]
    for name in sorted(set(CODE_PATH.findall(text))):
        here = [src / name, root / name]
        if "/" not in name.rstrip("/"):
            here += list((root / "src").rglob(name))
        if not any(p.exists() for p in here):
            bad.append(f"{doc}: `{name}` (not found under src/dronewatch/ or the repository)")
    return bad
