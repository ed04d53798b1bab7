"""The renderer's and ingest's wing rules are checked by import-linter, not by review."""

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"
PACKAGES = ("services", "shared", "sims", "importer")


def lint_imports(root: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", "--no-logo", str(root / "pyproject.toml")],
        cwd=root,
        env={"PYTHONPATH": str(root), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def copy_of_the_tree(into: Path) -> Path:
    for package in PACKAGES:
        shutil.copytree(ROOT / package, into / package, ignore=shutil.ignore_patterns("*.pyc"))
    shutil.copy(ROOT / "pyproject.toml", into / "pyproject.toml")
    return into


def test_the_import_contracts_hold():
    checked = lint_imports(ROOT)
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_encoding_importing_publishing_breaks_the_wing_rule(tmp_path):
    tree = copy_of_the_tree(tmp_path)
    segments = tree / "services/renderer/encoding/segments.py"
    segments.write_text(segments.read_text() + "\nimport services.renderer.publishing.hls\n")
    checked = lint_imports(tree)
    assert checked.returncode != 0
    assert "encoding and publishing are independent wings BROKEN" in checked.stdout


def test_the_core_importing_a_wing_breaks_the_wing_rule(tmp_path):
    tree = copy_of_the_tree(tmp_path)
    slots = tree / "services/renderer/renders/slots.py"
    slots.write_text(slots.read_text() + "\nimport services.renderer.encoding.fanout\n")
    checked = lint_imports(tree)
    assert checked.returncode != 0
    assert "the core wing imports no other wing and not the shell BROKEN" in checked.stdout
