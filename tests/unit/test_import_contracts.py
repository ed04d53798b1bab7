"""The wing rule is checked by import-linter, not by review (docs/architecture.md).

The contracts live in pyproject.toml. `lint-imports` itself runs on the tree as it is;
then each contract is checked on the project's import graph with one forbidden import
added, which must break exactly the contract that forbids it.
"""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

import grimp
import pytest
from importlinter.configuration import configure
from importlinter.contracts.forbidden import ForbiddenContract
from importlinter.contracts.independence import IndependenceContract
from importlinter.contracts.layers import LayersContract
from importlinter.domain.contract import Contract

ROOT = Path(__file__).resolve().parents[2]
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"
# import-linter's own settings (its timer, its printer), as `lint-imports` sets them.
configure()
KINDS: dict[str, type[Contract]] = {
    "independence": IndependenceContract,
    "forbidden": ForbiddenContract,
    "layers": LayersContract,
}


def config() -> dict[str, object]:
    return dict(tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"])


def contracts() -> dict[str, Contract]:
    session = {"root_packages": config()["root_packages"]}
    return {
        spec["name"]: KINDS[spec["type"]](
            name=spec["name"],
            session_options=session,
            contract_options={k: v for k, v in spec.items() if k not in ("name", "type")},
        )
        for spec in config()["contracts"]  # type: ignore[attr-defined]
    }


@pytest.fixture(scope="module")
def graph() -> grimp.ImportGraph:
    """The project's imports as they are (a test that adds one removes it again)."""
    return grimp.build_graph(*config()["root_packages"], cache_dir=None)  # type: ignore[misc]


def broken(graph: grimp.ImportGraph) -> list[str]:
    return [name for name, c in contracts().items() if not c.check(graph, verbose=False).kept]


def test_lint_imports_keeps_every_contract_of_the_tree():
    result = subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"Contracts: {len(contracts())} kept, 0 broken." in result.stdout


def test_every_service_and_its_sibling_wings_are_declared_independent():
    named = {
        module
        for spec in config()["contracts"]  # type: ignore[attr-defined]
        if spec["type"] == "independence"
        for module in spec["modules"]
    }
    assert {f"services.{s}" for s in ("gateway", "ingest", "moderation", "renderer")} <= named
    assert {"services.moderation.crowd.crowdflower", "services.moderation.crowd.mturk"} <= named


@pytest.mark.parametrize(
    ("importer", "imported", "contract"),
    [
        (
            "services.moderation.crowd.mturk.work",
            "services.moderation.crowd.crowdflower.work",
            "moderation: sibling wings are independent",
        ),
        (
            "services.moderation.reports.desk",
            "services.moderation.slots.feeder",
            "moderation: sibling wings are independent",
        ),
        (
            "services.moderation.reviews.moderator",
            "services.moderation.reviews.adapters.dynamo",
            "moderation: use cases do not import adapters",
        ),
        (
            "services.gateway.console.usecases",
            "services.gateway.contributors.usecases",
            "gateway: wings above the core, siblings independent",
        ),
        (
            "services.renderer.encoding.segments",
            "services.renderer.publishing.hls",
            "renderer: encoding and publishing are independent wings",
        ),
        (
            "services.renderer.renders.slots",
            "services.renderer.encoding.fanout",
            "renderer: the core wing imports no other wing and not the shell",
        ),
        (
            "services.ingest.usecases",
            "services.renderer.renders.usecases",
            "services are independent",
        ),
        ("shared.records", "services.gateway.core.schemas", "shared is below services"),
    ],
)
def test_a_forbidden_import_breaks_the_contract_that_forbids_it(
    graph, importer, imported, contract
):
    assert broken(graph) == []
    graph.add_import(importer=importer, imported=imported)
    try:
        # Other contracts may break too: an import through a core or through shared/ joins
        # what other contracts keep apart.
        assert contract in broken(graph)
    finally:
        graph.remove_import(importer=importer, imported=imported)
