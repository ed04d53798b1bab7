"""`make load` without the load: the locustfile parses and the report decides right."""

from __future__ import annotations

import ast
import json
from pathlib import Path

from bench.load.summary import (
    EXPECTED_5XX_STEPS,
    P95_GOALS_MS,
    checks,
    read_stats,
    read_statuses,
    render,
    unexpected_5xx,
)

LOAD = Path(__file__).resolve().parents[2] / "bench" / "load"
HEADER = (
    "Type,Name,Request Count,Failure Count,Median Response Time,Average Response Time,"
    "Min Response Time,Max Response Time,Average Content Size,Requests/s,Failures/s,"
    "50%,66%,75%,80%,90%,95%,98%,99%,99.9%,99.99%,100%"
)


def stats_row(kind: str, name: str, requests: int, failures: int, p50: str, p95: str) -> str:
    return (
        f"{kind},{name},{requests},{failures},{p50},1,1,9,10,1,0,{p50},1,1,1,1,{p95},1,{p95},1,1,9"
    )


def write_run(folder: Path, lease_p95: str, upload_p95: str, statuses: dict) -> tuple:
    stats = folder / "locust_stats.csv"
    rows = [
        HEADER,
        stats_row("POST", "lease", 40, 0, "20", lease_p95),
        stats_row("POST", "lease: none free", 10, 0, "10", "15"),
        stats_row("POST", "upload", 40, 0, "90", upload_p95),
        stats_row("", "Aggregated", 90, 0, "20", "N/A"),
    ]
    stats.write_text("\n".join(rows) + "\n")
    status = folder / "status.json"
    status.write_text(json.dumps(statuses))
    return read_stats(stats), read_statuses(status)


def locustfile_steps() -> set[str]:
    """The step names the locustfile declares (``NAME = "text"``), without importing locust."""
    tree = ast.parse((LOAD / "locustfile.py").read_text())
    return {
        node.value.value
        for node in tree.body
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant)
        if isinstance(node.value.value, str)
    }


def test_the_locustfile_compiles_and_names_every_step_the_goals_use():
    compile((LOAD / "locustfile.py").read_text(), "locustfile.py", "exec")
    assert set(P95_GOALS_MS) | EXPECTED_5XX_STEPS <= locustfile_steps()


def test_a_run_within_the_goals_meets_every_check(tmp_path):
    statuses = {"lease": {"201": 40}, "lease: none free": {"503": 10}, "upload": {"202": 40}}
    stats, counted = write_run(tmp_path, "120", "800", statuses)
    found = checks(stats, counted)
    assert [c.met for c in found] == [True, True, True, True]
    report = render(stats, counted, found)
    assert "lease: none free" in report
    assert "MISSED" not in report


def test_the_no_frame_503_is_expected_but_any_other_5xx_is_counted():
    statuses = {"lease: none free": {503: 10}, "upload": {202: 30, 500: 2}, "poll": {503: 1}}
    assert unexpected_5xx(statuses) == 3


def test_a_slow_step_or_a_5xx_misses_its_goal(tmp_path):
    statuses = {"lease": {"201": 40}, "upload": {"202": 39, "502": 1}}
    stats, counted = write_run(tmp_path, "151", "N/A", statuses)
    found = {c.goal: c for c in checks(stats, counted)}
    assert not found["no 5xx but the lease's no-frame 503"].met
    assert found["no 5xx but the lease's no-frame 503"].measured == "1"
    assert not found["lease p95 ≤ 150 ms"].met
    assert found["upload p95 ≤ 1000 ms"].measured == "no answer"
    assert "MISSED lease p95 ≤ 150 ms: 151 ms" in render(stats, counted, list(found.values()))
