"""The settings tables in docs/, generated from the settings classes so they cannot drift.

``make docs`` (``python deploy/settings_docs.py``) rewrites every table between
``<!-- settings:NAME:start -->`` and ``<!-- settings:NAME:end -->``; with ``--check`` it
only names the pages that differ and exits 1 (``tests/unit/test_settings_docs.py``
fails the same way). A row shows the environment variable (prefix included), the type,
the default and the field's text: its ``Field(description=...)`` or else the ``#``
comment block right above the field in the class that declares it.
"""

from __future__ import annotations

import inspect
import json
import re
import sys
import types
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Literal, Union, get_args, get_origin

from pydantic import SecretStr
from pydantic.fields import FieldInfo
from pydantic_core import to_jsonable_python
from pydantic_settings import BaseSettings

ROOT = Path(__file__).resolve().parents[1]
# The checkout's own packages, whichever copy the interpreter has installed.
sys.path.insert(0, str(ROOT))

from services.gateway.settings import GatewaySettings  # noqa: E402
from services.ingest.settings import IngestSettings  # noqa: E402
from services.moderation.settings import ModerationSettings  # noqa: E402
from services.renderer.settings import RendererSettings  # noqa: E402
from shared.settings import ServiceSettings, field_env_names  # noqa: E402
from sims.crowd.settings import CrowdSettings  # noqa: E402
from sims.mturk.settings import MTurkSimSettings  # noqa: E402
from sims.vimeo.settings import VimeoSimSettings  # noqa: E402

MIB = 1024 * 1024
_TYPE_NAMES: dict[object, str] = {SecretStr: "secret", Path: "path"}


@dataclass(frozen=True)
class Table:
    """One generated table: its marker name, the page it lives in, the class it shows."""

    name: str
    page: str
    settings: type[BaseSettings]


TABLES = (
    # ServiceSettings' unprefixed fields (AWS, resource names, log level) are listed once.
    Table("shared", "docs/operations.md", ServiceSettings),
    Table("gateway", "docs/gateway.md", GatewaySettings),
    Table("ingest", "docs/ingest.md", IngestSettings),
    Table("moderation", "docs/moderation.md", ModerationSettings),
    Table("crowd", "docs/moderation.md", CrowdSettings),
    Table("renderer", "docs/renderer.md", RendererSettings),
    Table("vimeo", "docs/renderer.md", VimeoSimSettings),
    Table("mturk", "docs/sims.md", MTurkSimSettings),
)


def is_shared_field(settings: type[BaseSettings], name: str) -> bool:
    """True for a field every service inherits under one unprefixed name."""
    if not issubclass(settings, ServiceSettings):
        return False
    shared = ServiceSettings.model_fields.get(name)
    return shared is not None and shared.validation_alias is not None


def shown_fields(table: Table) -> list[str]:
    """The fields a table lists, in declaration order."""
    fields = list(table.settings.model_fields)
    if table.settings is ServiceSettings:
        return [name for name in fields if is_shared_field(ServiceSettings, name)]
    return [name for name in fields if not is_shared_field(table.settings, name)]


@cache
def _source_lines(settings: type) -> list[str]:
    return inspect.getsourcelines(settings)[0]


def comment_above(settings: type, name: str) -> str:
    """The ``#`` lines directly above ``name``'s declaration in ``settings``' source."""
    lines = _source_lines(settings)
    declaration = re.compile(rf"\s+{name}\s*:")
    at = next((i for i, line in enumerate(lines) if declaration.match(line)), None)
    comments: list[str] = []
    while at is not None and at > 0 and lines[at - 1].strip().startswith("#"):
        at -= 1
        comments.insert(0, lines[at].strip().lstrip("#").strip())
    return " ".join(comments)


def description(settings: type[BaseSettings], name: str) -> str:
    """A field's text, from the nearest class that declares it with one."""
    for declaring in settings.__mro__:
        if not issubclass(declaring, BaseSettings):
            continue
        if name not in vars(declaring).get("__annotations__", {}):
            continue
        text = declaring.model_fields[name].description or comment_above(declaring, name)
        if text:
            return str(text).replace("``", "`")
    return ""


def type_name(annotation: object) -> str:
    """How a field's type reads in the table."""
    origin, args = get_origin(annotation), get_args(annotation)
    if origin is Literal:
        return " or ".join(f"`{arg}`" for arg in args)
    if origin in (Union, types.UnionType):
        return " or ".join(type_name(arg) for arg in args if arg is not type(None))
    if origin in (tuple, list):
        return f"JSON list of {type_name(args[0])}"
    return _TYPE_NAMES.get(annotation, getattr(annotation, "__name__", str(annotation)))


def default_text(name: str, field: FieldInfo) -> str:
    """The default as an environment value would spell it; never a secret's value."""
    if field.default_factory is not None:
        return "computed at start"
    if field.is_required():
        return "required"
    value = field.default
    if value is None:
        return "unset"
    if isinstance(value, SecretStr):
        return "set" if value.get_secret_value() else "empty"
    shown = to_jsonable_python(value)
    if isinstance(shown, str):
        return f"`{shown}`" if shown else "empty"
    if isinstance(shown, list):
        return f"`{json.dumps(shown)}`"
    if name.endswith("_bytes") and isinstance(value, int) and value % MIB == 0:
        return f"{value} ({value // MIB} MiB)"
    return json.dumps(shown)


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def settings_table(table: Table) -> str:
    """The Markdown table of ``table``'s fields, with a note naming where it comes from."""
    settings = table.settings
    source = Path(inspect.getfile(settings)).resolve().relative_to(ROOT)
    rows = [
        f"<!-- generated from {source} ({settings.__name__}) by `make docs`; "
        "edit the field comments there -->",
        "| variable | type | default | meaning |",
        "| --- | --- | --- | --- |",
    ]
    for name in shown_fields(table):
        field = settings.model_fields[name]
        variable = " or ".join(f"`{env}`" for env in field_env_names(settings, name))
        cells = (variable, type_name(field.annotation), default_text(name, field))
        rows.append(
            "| " + " | ".join(_cell(c) for c in (*cells, description(settings, name))) + " |"
        )
    return "\n".join(rows) + "\n"


def with_table(text: str, name: str, table: str) -> str:
    """``text`` with the region between ``name``'s markers replaced by ``table``."""
    start, end = f"<!-- settings:{name}:start -->", f"<!-- settings:{name}:end -->"
    before, found_start, rest = text.partition(start)
    _, found_end, after = rest.partition(end)
    if not (found_start and found_end):
        raise ValueError(f"markers {start} … {end} not found")
    return f"{before}{start}\n{table}{end}{after}"


def generated_pages(root: Path = ROOT) -> dict[Path, tuple[str, str]]:
    """Every page with tables: path → (committed text, text with fresh tables)."""
    committed = {root / table.page: (root / table.page).read_text() for table in TABLES}
    fresh = dict(committed)
    for table in TABLES:
        path = root / table.page
        fresh[path] = with_table(fresh[path], table.name, settings_table(table))
    return {path: (committed[path], fresh[path]) for path in committed}


def undescribed_fields() -> list[str]:
    """``Class.field`` for every listed field that has no text yet."""
    return [
        f"{table.settings.__name__}.{name}"
        for table in TABLES
        for name in shown_fields(table)
        if not description(table.settings, name)
    ]


def main(argv: list[str]) -> int:
    """Rewrite the tables (or, with ``--check``, exit 1 when any page is stale)."""
    stale = {path: new for path, (old, new) in generated_pages().items() if old != new}
    if "--check" in argv:
        for path in stale:
            print(f"{path.relative_to(ROOT)}: settings tables are stale; run make docs")
        return 1 if stale else 0
    for path, text in stale.items():
        path.write_text(text)
        print(f"rewrote {path.relative_to(ROOT)}")
    for field in undescribed_fields():
        print(f"no description: {field} (add a comment above the field)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
