"""Prometheus request metrics, labelled by route template (``/api/leases/{lease_id}``).

Labelling by the raw path would create one time series per lease id; the template
keeps the cardinality bounded. Unmatched paths are counted under ``<unmatched>``.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Literal, Protocol

from prometheus_client import CollectorRegistry, Counter, Histogram
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from starlette.types import ASGIApp, Message, Receive, Scope, Send

UNMATCHED_ROUTE = "<unmatched>"
LATENCY_BUCKETS_SECONDS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


class RequestMetrics:
    """Request counters and latency histograms in a registry of their own."""

    def __init__(self, registry: CollectorRegistry) -> None:
        self.registry = registry
        self.requests = Counter(
            "http_requests",
            "HTTP requests handled, by method, route template and status.",
            ["method", "route", "status"],
            registry=registry,
        )
        self.latency = Histogram(
            "http_request_duration_seconds",
            "Time to answer an HTTP request, by method and route template.",
            ["method", "route"],
            buckets=LATENCY_BUCKETS_SECONDS,
            registry=registry,
        )


def route_template(scope: Scope) -> str:
    """The path template of the route that handled ``scope``, once routing has run."""
    route = scope.get("route")
    path = getattr(route, "path", None)
    return path if isinstance(path, str) else UNMATCHED_ROUTE


class MetricsMiddleware:
    """ASGI middleware recording every HTTP request into :class:`RequestMetrics`."""

    def __init__(self, app: ASGIApp, metrics: RequestMetrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def send_and_record(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_and_record)
        finally:
            route = route_template(scope)
            method = scope["method"]
            self.metrics.requests.labels(method, route, str(status)).inc()
            self.metrics.latency.labels(method, route).observe(time.perf_counter() - started)


# Domain metrics ------------------------------------------------------------------------
#
# Each service's use cases report what happened to an :class:`Observer` (a port: the
# use cases know no Prometheus). :class:`Tally` is the observer the apps use: plain sums
# and last values in memory, exposed on the service's own ``/metrics`` registry by
# :class:`TallyCollector`, which always lists every declared family, so a family is
# visible (with no samples) before its first event.


@dataclass(frozen=True)
class DomainMetric:
    """One declared metric family: its kind, help text and label names."""

    name: str
    kind: Literal["counter", "gauge"]
    help: str
    labels: tuple[str, ...] = ()


class Observer(Protocol):
    """Where use cases report domain events (counters) and levels (gauges)."""

    def count(self, name: str, amount: float = 1.0, **labels: str) -> None:
        """Add ``amount`` to counter ``name`` (``labels`` select its series)."""
        ...

    def level(self, name: str, value: float, **labels: str) -> None:
        """Set gauge ``name`` to ``value``."""
        ...


LabelKey = tuple[tuple[str, str], ...]


@dataclass
class Tally:
    """An :class:`Observer` keeping sums and levels in memory (tests read them too)."""

    values: dict[str, dict[LabelKey, float]] = field(default_factory=dict)

    def count(self, name: str, amount: float = 1.0, **labels: str) -> None:
        series = self.values.setdefault(name, {})
        key = tuple(sorted(labels.items()))
        series[key] = series.get(key, 0.0) + amount

    def level(self, name: str, value: float, **labels: str) -> None:
        self.values.setdefault(name, {})[tuple(sorted(labels.items()))] = value

    def value(self, name: str, **labels: str) -> float:
        """The current value of one series (0 when it never happened)."""
        return self.values.get(name, {}).get(tuple(sorted(labels.items())), 0.0)


class TallyCollector(Collector):
    """Exposes a :class:`Tally` as the declared ``metrics`` families."""

    def __init__(self, tally: Callable[[], Tally | None], metrics: Sequence[DomainMetric]):
        self.tally = tally
        self.metrics = metrics

    def collect(self) -> Iterator[Metric]:
        tally = self.tally() or Tally()
        for metric in self.metrics:
            family: CounterMetricFamily | GaugeMetricFamily
            if metric.kind == "counter":
                family = CounterMetricFamily(metric.name, metric.help, labels=metric.labels)
            else:
                family = GaugeMetricFamily(metric.name, metric.help, labels=metric.labels)
            for key, value in tally.values.get(metric.name, {}).items():
                found = dict(key)
                family.add_metric([found.get(label, "") for label in metric.labels], value)
            yield family


# The domain metrics of each service (deploy/prometheus/alerts.yml and
# deploy/grafana/ofof.json use these names; tests/unit/test_alerts.py checks them).
QUEUE_MESSAGES = DomainMetric(
    "ofof_queue_messages",
    "gauge",
    "Messages in a queue by state (waiting, in_flight, dead_letters), as last looked at.",
    ("queue", "state"),
)
GATEWAY_METRICS = (
    DomainMetric("ofof_leases", "counter", "Lease events: granted, released, expired.", ("event",)),
    DomainMetric("ofof_reports", "counter", "Visitors' reports filed, by reason.", ("reason",)),
    QUEUE_MESSAGES,
)
INGEST_METRICS = (
    DomainMetric(
        "ofof_uploads",
        "counter",
        "Photo uploads by outcome (accepted, refused) and refusal reason.",
        ("outcome", "reason"),
    ),
)
MODERATION_METRICS = (
    DomainMetric(
        "ofof_verdicts",
        "counter",
        "Decisions by outcome (approved, rejected, taken_down, restored) and first reason.",
        ("outcome", "reason"),
    ),
    DomainMetric("ofof_crowd_units", "counter", "Crowd units created (one per photo)."),
    DomainMetric(
        "ofof_crowd_healed",
        "counter",
        "Crowd work the platform forgot, re-created: jobs, HIT types, HITs.",
        ("kind",),
    ),
    DomainMetric(
        "ofof_photo_links_down",
        "counter",
        "Crowd tasks not ordered yet because a photo link they show did not load.",
    ),
    DomainMetric(
        "ofof_photos_asked_again",
        "counter",
        "Photos asked again because the crowd's workers could not load them.",
    ),
    DomainMetric(
        "ofof_crowd_spend_cents",
        "counter",
        "Crowd spend in cents, computed from the crowd settings per judgment, by video.",
        ("video",),
    ),
    DomainMetric(
        "ofof_sweep_repairs",
        "counter",
        "Repairs by the feeder's sweep: reopened slots, resent offers, recreated queues.",
        ("kind",),
    ),
    DomainMetric(
        "ofof_oldest_pending_review_seconds",
        "gauge",
        "Age of the oldest review still waiting for a verdict, at the last reconcile pass.",
    ),
    DomainMetric(
        "ofof_reviews_for_operator",
        "gauge",
        "Pending reviews whose HIT may not be topped up any more: an operator decides.",
    ),
    QUEUE_MESSAGES,
)
RENDERER_METRICS = (
    DomainMetric("ofof_renders", "counter", "Renders by outcome (ok, failed).", ("outcome",)),
    DomainMetric("ofof_render_seconds", "counter", "Seconds spent rendering clips."),
    DomainMetric(
        "ofof_render_segments",
        "counter",
        "Clip segments by kind (encoded, reused) over every render.",
        ("kind",),
    ),
    DomainMetric(
        "ofof_publishes",
        "counter",
        "Publish outcomes per publisher (published, unchanged, failed).",
        ("target", "outcome"),
    ),
    DomainMetric(
        "ofof_clip_built_timestamp_seconds",
        "gauge",
        "When the latest clip of a video was built (epoch seconds).",
        ("video",),
    ),
)
