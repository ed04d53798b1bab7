"""What every wing's routes take from the app: the operator guard and the client id in
a path, as FastAPI dependencies (the guard in one place, not in each route's body).

The routes read ``app.state`` (set by :func:`shared.service.create_service_app`) through
the small protocols their wing declares, never through the composition root.
"""

from __future__ import annotations

from typing import Annotated, Protocol

from fastapi import Depends, Header, Path, Request
from pydantic import SecretStr

from shared.operator import require_operator

# The gateway's client-id cookie (services/gateway/routes/cookies.py): nothing else.
ClientId = Annotated[str, Path(pattern=r"^[A-Za-z0-9_-]{16,64}$")]


class OperatorSettings(Protocol):
    """The setting the guard reads: the operator's bearer token (empty: routes off)."""

    operator_token: SecretStr


def operator_only(request: Request, authorization: Annotated[str | None, Header()] = None) -> None:
    """403 when operator routes are off, 401 without the operator's bearer token."""
    settings: OperatorSettings = request.app.state.settings
    require_operator(authorization, settings.operator_token)


# A route's parameter ``_: Operator`` makes it operator-only.
Operator = Annotated[None, Depends(operator_only)]
