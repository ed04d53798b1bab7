"""What ``make load`` reports: per-step percentiles from locust's CSV, 5xx, the goals.

Pure: it reads the files locust leaves (``<prefix>_stats.csv`` and the status counts the
locustfile writes) and decides; no process is started here.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from pathlib import Path

# The lease's 503 when every frame is taken: expected (the page waits its Retry-After).
EXPECTED_5XX_STEPS = frozenset({"lease: none free"})
# Issue 13's goals on this machine: p95 in milliseconds per step.
P95_GOALS_MS = {"lease": 150.0, "upload": 1000.0}


@dataclass(frozen=True)
class StepStats:
    """One step's answers and response times in milliseconds (None: no answer)."""

    name: str
    requests: int
    failures: int
    p50_ms: float | None
    p95_ms: float | None
    p99_ms: float | None
    max_ms: float | None


@dataclass(frozen=True)
class Check:
    """One goal and whether the run met it."""

    goal: str
    measured: str
    met: bool


def _ms(value: str) -> float | None:
    return None if value in ("", "N/A") else float(value)


def read_stats(path: Path) -> list[StepStats]:
    """Every row of locust's ``_stats.csv`` (the ``Aggregated`` row last)."""
    with path.open(newline="") as rows:
        return [
            StepStats(
                name=row["Name"],
                requests=int(row["Request Count"]),
                failures=int(row["Failure Count"]),
                p50_ms=_ms(row["50%"]),
                p95_ms=_ms(row["95%"]),
                p99_ms=_ms(row["99%"]),
                max_ms=_ms(row["Max Response Time"]),
            )
            for row in csv.DictReader(rows)
        ]


def read_statuses(path: Path) -> dict[str, dict[int, int]]:
    """Answers per step and status code, as the locustfile counted them."""
    counts: dict[str, dict[str, int]] = json.loads(path.read_text())
    return {step: {int(code): n for code, n in c.items()} for step, c in counts.items()}


def unexpected_5xx(statuses: dict[str, dict[int, int]]) -> int:
    """5xx answers other than the lease's expected "no frame free"."""
    return sum(
        n
        for step, counts in statuses.items()
        if step not in EXPECTED_5XX_STEPS
        for code, n in counts.items()
        if code >= 500
    )


def checks(stats: list[StepStats], statuses: dict[str, dict[int, int]]) -> list[Check]:
    """The goals: no unexpected 5xx, no failed request, each step's p95 within its goal."""
    by_name = {s.name: s for s in stats}
    errors = unexpected_5xx(statuses)
    failures = sum(s.failures for s in stats if s.name != "Aggregated")
    found = [
        Check("no 5xx but the lease's no-frame 503", str(errors), errors == 0),
        Check("no failed request", str(failures), failures == 0),
    ]
    for step, goal_ms in P95_GOALS_MS.items():
        p95 = by_name[step].p95_ms if step in by_name else None
        measured = "no answer" if p95 is None else f"{p95:g} ms"
        met = p95 is not None and p95 <= goal_ms
        found.append(Check(f"{step} p95 ≤ {goal_ms:g} ms", measured, met))
    return found


def _cell(value: float | None) -> str:
    return "-" if value is None else f"{value:g}"


def render(stats: list[StepStats], statuses: dict[str, dict[int, int]], found: list[Check]) -> str:
    """The report: a table per step, the status counts, and each goal met or missed."""
    columns = ("requests", "failed", "p50 ms", "p95 ms", "p99 ms", "max ms")
    lines = [f"{'step':<18} " + " ".join(f"{c:>8}" for c in columns)]
    for s in stats:
        cells = (s.requests, s.failures, *map(_cell, (s.p50_ms, s.p95_ms, s.p99_ms, s.max_ms)))
        lines.append(f"{s.name:<18} " + " ".join(f"{c:>8}" for c in cells))
    lines.append("")
    for step, counts in sorted(statuses.items()):
        spread = ", ".join(f"{code}: {n}" for code, n in sorted(counts.items()))
        lines.append(f"{step:<18} {spread}")
    lines.append("")
    lines.extend(f"{'met   ' if c.met else 'MISSED'} {c.goal}: {c.measured}" for c in found)
    return "\n".join(lines)
