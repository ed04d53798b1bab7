"""The local MTurk (``python -m sims.mturk``) as a real process on a free loopback port."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.processes import PYTHON, answers, free_port, running, wait_for

MTURK_KEY_ID = "AKIALOCALMTURK"
MTURK_SECRET = "local-mturk-secret"


@contextmanager
def mturk_server(log_path: Path | None = None, **settings: object) -> Iterator[str]:
    """Run the local MTurk with ``MTURK_SIM_<NAME>`` settings; yield its endpoint URL
    (requests must be signed with MTURK_KEY_ID / MTURK_SECRET)."""
    port = free_port()
    env = {
        "MTURK_SIM_PORT": str(port),
        "MTURK_SIM_ACCESS_KEY_ID": MTURK_KEY_ID,
        "MTURK_SIM_SECRET_ACCESS_KEY": MTURK_SECRET,
    }
    env |= {f"MTURK_SIM_{name.upper()}": str(value) for name, value in settings.items()}
    with running([PYTHON, "-m", "sims.mturk"], env=env, log_path=log_path):
        endpoint = f"http://127.0.0.1:{port}"
        wait_for(lambda: answers(f"{endpoint}/healthz"), 30, "the local MTurk")
        yield endpoint
