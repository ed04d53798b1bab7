"""renderer's composition root: the clients it opens once, and their route aliases."""

from __future__ import annotations

from contextlib import AsyncExitStack
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends

from services.renderer.settings import RendererSettings
from shared.aws import AwsClients, open_aws_clients
from shared.service import app_state


@dataclass
class RendererDeps:
    """Everything renderer talks to. Tests build one with fakes."""

    aws: AwsClients


async def open_deps(settings: RendererSettings, stack: AsyncExitStack) -> RendererDeps:
    """Open the real clients; they close with ``stack``."""
    return RendererDeps(aws=await open_aws_clients(settings, stack))


Deps = Annotated[RendererDeps, Depends(app_state("deps"))]
Settings = Annotated[RendererSettings, Depends(app_state("settings"))]
