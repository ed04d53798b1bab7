"""The wing rule is checked by import-linter, not by review (docs/architecture.md).

The contracts live in pyproject.toml. These tests run the real `lint-imports` on the tree
as it is, and on a copy of it where one wing imports a sibling, which must fail.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("services", "shared", "sims", "importer")
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"


def contracts() -> list[dict[str, object]]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    return list(config["tool"]["importlinter"]["contracts"])


def lint_imports(tree: Path) -> subprocess.CompletedProcess[str]:
    """`lint-imports` run on ``tree`` (its pyproject.toml and its packages only)."""
    env = os.environ | {"PYTHONPATH": str(tree)}
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"],
        cwd=tree,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def copy_of_tree(destination: Path) -> Path:
    for name in PACKAGES:
        shutil.copytree(ROOT / name, destination / name, ignore=shutil.ignore_patterns("*.pyc"))
    shutil.copy(ROOT / "pyproject.toml", destination / "pyproject.toml")
    return destination


def test_the_tree_keeps_every_import_contract():
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_services_and_their_sibling_wings_are_declared_independent():
    independent = [c for c in contracts() if c["type"] == "independence"]
    named = {module for contract in independent for module in contract["modules"]}  # type: ignore[attr-defined]
    assert {f"services.{s}" for s in ("gateway", "ingest", "moderation", "renderer")} <= named
    assert "services.moderation.crowd.crowdflower" in named
    assert "services.moderation.crowd.mturk" in named


@pytest.mark.parametrize(
    ("importer", "imported"),
    [
        ("services/moderation/crowd/mturk", "services.moderation.crowd.crowdflower"),
        ("services/gateway/console", "services.gateway.contributors"),
        ("services/renderer/publishing", "services.renderer.encoding"),
        ("services/ingest", "services.renderer"),
    ],
)
def test_a_wing_that_imports_a_sibling_breaks_a_contract(tmp_path, importer, imported):
    tree = copy_of_tree(tmp_path)
    module = tree / importer / "intruder.py"
    module.write_text(f"import {imported}  # noqa: F401\n")
    result = lint_imports(tree)
    assert result.returncode != 0, result.stdout
    assert "BROKEN" in result.stdout
    assert importer.replace("/", ".") + ".intruder" in result.stdout
