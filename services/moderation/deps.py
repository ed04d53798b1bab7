"""moderation's composition root: the clients it opens once, and their route aliases."""

from __future__ import annotations

from contextlib import AsyncExitStack
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends

from services.moderation.settings import ModerationSettings
from shared.aws import AwsClients, open_aws_clients
from shared.service import app_state


@dataclass
class ModerationDeps:
    """Everything moderation talks to. Tests build one with fakes."""

    aws: AwsClients


async def open_deps(settings: ModerationSettings, stack: AsyncExitStack) -> ModerationDeps:
    """Open the real clients; they close with ``stack``."""
    return ModerationDeps(aws=await open_aws_clients(settings, stack))


Deps = Annotated[ModerationDeps, Depends(app_state("deps"))]
Settings = Annotated[ModerationSettings, Depends(app_state("settings"))]
