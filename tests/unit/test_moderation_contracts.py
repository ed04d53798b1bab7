"""moderation's import contracts (pyproject.toml, `lint-imports`): kept by the code, and
broken by a sibling wing's import or a use case's import of an adapter."""

import tomllib
from pathlib import Path

import grimp
import pytest
from importlinter.configuration import configure
from importlinter.contracts.forbidden import ForbiddenContract
from importlinter.contracts.independence import IndependenceContract
from importlinter.domain.contract import Contract

PYPROJECT = Path(__file__).parents[2] / "pyproject.toml"
# import-linter's own settings (its timer, its printer), as `lint-imports` sets them.
configure()
KINDS: dict[str, type[Contract]] = {
    "independence": IndependenceContract,
    "forbidden": ForbiddenContract,
}


def contracts() -> dict[str, Contract]:
    config = tomllib.loads(PYPROJECT.read_text())["tool"]["importlinter"]
    session = {"root_packages": config["root_packages"]}
    return {
        spec["name"]: KINDS[spec["type"]](
            name=spec["name"],
            session_options=session,
            contract_options={k: v for k, v in spec.items() if k not in ("name", "type")},
        )
        for spec in config["contracts"]
        if spec["name"].startswith("moderation:")
    }


@pytest.fixture
def graph() -> grimp.ImportGraph:
    """The project's imports as they are (built afresh: a test may add one)."""
    config = tomllib.loads(PYPROJECT.read_text())["tool"]["importlinter"]
    return grimp.build_graph(*config["root_packages"], cache_dir=None)


def broken(graph: grimp.ImportGraph) -> list[str]:
    return [name for name, c in contracts().items() if not c.check(graph, verbose=False).kept]


def test_the_code_keeps_every_moderation_contract(graph):
    assert len(contracts()) == 4
    assert broken(graph) == []


def test_a_wing_importing_a_sibling_wing_breaks_the_independence_contract(graph):
    graph.add_import(
        importer="services.moderation.reports.desk", imported="services.moderation.slots.feeder"
    )
    assert broken(graph) == ["moderation: sibling wings are independent"]


def test_a_use_case_importing_an_adapter_breaks_its_contract(graph):
    graph.add_import(
        importer="services.moderation.reviews.moderator",
        imported="services.moderation.reviews.adapters.dynamo",
    )
    assert broken(graph) == ["moderation: use cases do not import adapters"]
