"""deploy/prometheus/alerts.yml and deploy/grafana/ofof.json: well formed, and every
metric they name is served on the /metrics of one of the four services."""

import json
import re
import shutil
import subprocess
from pathlib import Path

import httpx
import pytest
import yaml

from services.gateway.app import create_app as gateway_app
from services.gateway.settings import GatewaySettings
from services.ingest.app import create_app as ingest_app
from services.ingest.settings import IngestSettings
from services.moderation.app import create_app as moderation_app
from services.moderation.settings import ModerationSettings
from services.renderer.app import create_app as renderer_app
from services.renderer.settings import RendererSettings

ROOT = Path(__file__).resolve().parents[2]
ALERTS = ROOT / "deploy" / "prometheus" / "alerts.yml"
DASHBOARD = ROOT / "deploy" / "grafana" / "ofof.json"
METRIC = re.compile(r"\b((?:ofof|http)_[a-z_]+)\b")
SECRET = "unit-test-secret"


def rules() -> list[dict]:
    return [
        rule for group in yaml.safe_load(ALERTS.read_text())["groups"] for rule in group["rules"]
    ]


def dashboard_exprs() -> list[str]:
    panels = json.loads(DASHBOARD.read_text())["panels"]
    return [target["expr"] for panel in panels for target in panel["targets"]]


async def served_metric_names() -> set[str]:
    """The metric names the four apps serve on /metrics (their lifespans not started:
    the families are declared whatever the deps hold)."""
    apps = [
        gateway_app(GatewaySettings(lease_secret=SECRET)),
        ingest_app(IngestSettings(lease_secret=SECRET)),
        moderation_app(ModerationSettings()),
        renderer_app(RendererSettings()),
    ]
    names: set[str] = set()
    for app in apps:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://service") as client:
            await client.get("/healthz")  # one request, so the HTTP series exist too
            text = (await client.get("/metrics")).text
        for line in text.splitlines():
            if line.startswith("# TYPE "):
                name, kind = line.split()[2:4]
                counter = kind == "counter" and not name.endswith("_total")
                names.add(f"{name}_total" if counter else name)
            elif line and not line.startswith("#"):
                names.add(re.split(r"[{ ]", line, maxsplit=1)[0])
    return names


def test_every_alert_has_an_expression_a_severity_and_a_summary():
    found = rules()
    assert {rule["alert"] for rule in found} >= {
        "DeadLettersWaiting",
        "VerdictBacklogOld",
        "RendersFailing",
        "ServerErrorsHigh",
        "ClipStale",
    }
    for rule in found:
        assert rule["expr"].strip()
        assert rule["labels"]["severity"] in {"page", "warn"}
        assert rule["annotations"]["summary"]


def test_the_dashboard_is_grafana_json_with_a_query_in_every_panel():
    board = json.loads(DASHBOARD.read_text())
    assert board["uid"] == "ofof" and board["panels"]
    ids = [panel["id"] for panel in board["panels"]]
    assert len(ids) == len(set(ids))
    assert all(panel["targets"] for panel in board["panels"])


async def test_every_metric_the_rules_and_the_dashboard_name_is_served():
    named = {
        m for expr in [r["expr"] for r in rules()] + dashboard_exprs() for m in METRIC.findall(expr)
    }
    assert named, "no metric found in the rules"
    assert named - await served_metric_names() == set()


@pytest.mark.skipif(shutil.which("promtool") is None, reason="promtool is not installed")
def test_promtool_accepts_the_rules():
    answer = subprocess.run(
        ["promtool", "check", "rules", str(ALERTS)], capture_output=True, text=True, timeout=60
    )
    assert answer.returncode == 0, answer.stdout + answer.stderr
