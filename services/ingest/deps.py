"""ingest's composition root: the clients it opens once, and their route aliases."""

from __future__ import annotations

from contextlib import AsyncExitStack
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends

from services.ingest.settings import IngestSettings
from shared.aws import AwsClients, open_aws_clients
from shared.service import app_state


@dataclass
class IngestDeps:
    """Everything ingest talks to. Tests build one with fakes."""

    aws: AwsClients


async def open_deps(settings: IngestSettings, stack: AsyncExitStack) -> IngestDeps:
    """Open the real clients; they close with ``stack``."""
    return IngestDeps(aws=await open_aws_clients(settings, stack))


Deps = Annotated[IngestDeps, Depends(app_state("deps"))]
Settings = Annotated[IngestSettings, Depends(app_state("settings"))]
