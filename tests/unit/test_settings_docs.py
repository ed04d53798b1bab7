"""The settings tables in docs/ are generated from the settings classes (make docs)."""

import importlib.util
import sys
from pathlib import Path
from typing import Literal

import pytest
from pydantic import AliasChoices, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

ROOT = Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location(
    "settings_docs", ROOT / "deploy" / "settings_docs.py"
)
assert _spec is not None and _spec.loader is not None
settings_docs = importlib.util.module_from_spec(_spec)
# Registered before it runs: its dataclass looks its own module up by name.
sys.modules["settings_docs"] = settings_docs
_spec.loader.exec_module(settings_docs)


class ToySettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="TOY_")

    # How long a toy waits,
    # in seconds.
    wait_seconds: float = 2.5
    mode: Literal["fast", "slow"] = "fast"
    token: SecretStr = SecretStr("")
    names: tuple[str, ...] = ("a", "b")
    limit_bytes: int = Field(8 * 1024 * 1024, description="Biggest body | in bytes.")
    region: str | None = Field(
        None, validation_alias=AliasChoices("AWS_REGION", "AWS_DEFAULT_REGION")
    )


def toy_rows() -> dict[str, str]:
    table = settings_docs.Table("toy", "docs/toy.md", ToySettings)
    lines = settings_docs.settings_table(table).splitlines()
    return {line.split(" | ")[0].removeprefix("| "): line for line in lines[3:]}


def test_committed_docs_match_the_settings_classes():
    stale = [
        str(path.relative_to(ROOT))
        for path, (committed, fresh) in settings_docs.generated_pages().items()
        if committed != fresh
    ]
    assert not stale, f"settings tables are stale in {stale}: run make docs"


def test_a_row_shows_the_prefixed_variable_type_default_and_the_comment_above():
    row = toy_rows()["`TOY_WAIT_SECONDS`"]
    assert row == "| `TOY_WAIT_SECONDS` | float | 2.5 | How long a toy waits, in seconds. |"


def test_rows_spell_literals_secrets_lists_sizes_and_aliases():
    rows = toy_rows()
    assert "| `fast` or `slow` | `fast` |" in rows["`TOY_MODE`"]
    assert "| secret | empty |" in rows["`TOY_TOKEN`"]
    assert '| JSON list of str | `["a", "b"]` |' in rows["`TOY_NAMES`"]
    assert "8388608 (8 MiB) | Biggest body \\| in bytes. |" in rows["`TOY_LIMIT_BYTES`"]
    assert "| str | unset |" in rows["`AWS_REGION` or `AWS_DEFAULT_REGION`"]


def test_a_table_replaces_only_the_region_between_its_markers():
    page = "intro\n<!-- settings:toy:start -->\nold\n<!-- settings:toy:end -->\noutro\n"
    fresh = settings_docs.with_table(page, "toy", "| new |\n")
    assert (
        fresh == "intro\n<!-- settings:toy:start -->\n| new |\n<!-- settings:toy:end -->\noutro\n"
    )
    with pytest.raises(ValueError, match="settings:other:start"):
        settings_docs.with_table(page, "other", "| new |\n")


def test_shared_variables_are_listed_once_not_in_every_service_table():
    tables = {table.name: settings_docs.settings_table(table) for table in settings_docs.TABLES}
    assert "`OFOF_MEDIA_BUCKET`" in tables["shared"]
    assert "`GATEWAY_PORT`" not in tables["shared"]
    assert "`OFOF_MEDIA_BUCKET`" not in tables["gateway"]
    assert "`GATEWAY_PORT`" in tables["gateway"]
    assert "`OFOF_LEASE_SECRET`" in tables["gateway"] and "`OFOF_LEASE_SECRET`" in tables["ingest"]
    assert "`CROWD_LOG_LEVEL`" in tables["crowd"]
