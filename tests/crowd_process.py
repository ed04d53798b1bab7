"""The local crowd (``python -m sims.crowd``) as a real process on a free loopback port."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.processes import PYTHON, answers, free_port, running, wait_for


@contextmanager
def crowd_server(
    api_key: str, log_path: Path | None = None, port: int | None = None, **settings: object
) -> Iterator[str]:
    """Run the local crowd with ``CROWD_<NAME>`` settings (on ``port``, else a free one);
    yield its base URL."""
    port = port or free_port()
    env = {"CROWD_PORT": str(port), "CROWD_API_KEY": api_key}
    env |= {f"CROWD_{name.upper()}": str(value) for name, value in settings.items()}
    with running([PYTHON, "-m", "sims.crowd"], env=env, log_path=log_path):
        base_url = f"http://127.0.0.1:{port}"
        wait_for(lambda: answers(f"{base_url}/healthz"), 30, "the local crowd")
        yield base_url
