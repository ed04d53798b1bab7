"""Side virtualenvs for the benches' tools, so they never touch the project's environment."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path


def side_venv(folder: Path, packages: list[str]) -> Path:
    """The interpreter of ``folder``'s virtualenv with ``packages``, installed when missing
    or when the pins changed (with the project's ``uv``)."""
    python = folder / "bin" / "python"
    stamp = folder / ".installed"
    wanted = "\n".join(packages) + "\n"
    if not stamp.exists() or stamp.read_text() != wanted:
        if not python.exists():
            subprocess.run([sys.executable, "-m", "venv", str(folder)], check=True)
        uv = Path(sys.executable).parent / "uv"
        subprocess.run([str(uv), "pip", "install", "-q", "-p", str(python), *packages], check=True)
        stamp.write_text(wanted)
    return python
