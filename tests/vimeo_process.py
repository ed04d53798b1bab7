"""The local Vimeo (``python -m sims.vimeo``) as a real process on a free loopback port."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.processes import PYTHON, answers, free_port, running, wait_for

VIMEO_TOKEN = "local-vimeo-token"


@contextmanager
def vimeo_server(
    token: str = VIMEO_TOKEN, log_path: Path | None = None, **settings: object
) -> Iterator[str]:
    """Run the local Vimeo with ``VIMEO_<NAME>`` settings; yield its base URL."""
    port = free_port()
    env = {"VIMEO_PORT": str(port), "VIMEO_ACCESS_TOKEN": token}
    env |= {f"VIMEO_{name.upper()}": str(value) for name, value in settings.items()}
    with running([PYTHON, "-m", "sims.vimeo"], env=env, log_path=log_path):
        base_url = f"http://127.0.0.1:{port}"
        wait_for(lambda: answers(f"{base_url}/healthz"), 30, "the local Vimeo")
        yield base_url
