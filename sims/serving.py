"""Running a stand-in as a process: one way for every ``python -m sims.<name>``."""

from __future__ import annotations

import sys
from collections.abc import Callable

import uvicorn
from fastapi import FastAPI
from pydantic import SecretStr

from shared.logs import configure_logging


def serve(
    name: str,
    app: Callable[[], FastAPI],
    host: str,
    port: int,
    log_level: str,
    secret: SecretStr,
    why: str,
) -> None:
    """Log as ``name``; exit with ``why`` when ``secret`` (the key every request is
    checked against) is empty; else build ``app`` and run it under uvicorn."""
    configure_logging(name, log_level)
    if not secret.get_secret_value():
        sys.exit(why)
    uvicorn.run(app(), host=host, port=port, log_config=None, access_log=False)
