"""`/metrics` in the Prometheus text format.

Requests (by route template, method and status, with latency histograms) are counted by a plain
ASGI middleware in each process; with several workers `serve` points PROMETHEUS_MULTIPROC_DIR at
a shared folder and a scrape adds every process's files up. Jobs, backlogs and digests are read
from the database at scrape time, so they are right however many processes and hosts did the
work.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator

from fastapi import APIRouter, Request
from fastapi.responses import Response
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector
from sqlalchemy.orm import Session
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from dailypapers.jobs.services import backlogs
from dailypapers.jobs.store import JobStore
from dailypapers.search.changes import PositionFile
from dailypapers.search.runtime import lexical_position

router = APIRouter(tags=["operations"])


class HttpMetrics:
    def __init__(self, registry: CollectorRegistry) -> None:
        self.requests = Counter(
            "dailypapers_http_requests", "HTTP requests answered",
            ["route", "method", "status"], registry=registry,
        )  # fmt: skip
        self.latency = Histogram(
            "dailypapers_http_request_duration_seconds", "Time to answer, by route",
            ["route", "method"], registry=registry,
            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
        )  # fmt: skip


class RequestMetrics:
    """Counts and times every HTTP request by its route template (not its path: bounded labels)."""

    def __init__(self, app: ASGIApp, metrics: HttpMetrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        start = time.perf_counter()
        status = 500

        async def capture(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, capture)
        finally:
            route = getattr(scope.get("route"), "path", None) or "unmatched"
            method = scope["method"]
            self.metrics.requests.labels(route, method, str(status)).inc()
            self.metrics.latency.labels(route, method).observe(time.perf_counter() - start)


class DatabaseCollector(Collector):
    """Job runs, backlogs and digests, from the database at each scrape."""

    def __init__(self, sessions: Callable[[], Session], lexical: PositionFile) -> None:
        self.sessions = sessions
        self.lexical = lexical

    def collect(self) -> Iterator[Metric]:
        with self.sessions() as session:
            store = JobStore(session)
            runs, waiting = store.run_counts(), backlogs(session, self.lexical)
            size = store.database_bytes()
        jobs = CounterMetricFamily(
            "dailypapers_job_runs", "Runs of scheduled jobs, by outcome", labels=["job", "outcome"]
        )
        for job, outcome, count in runs:
            jobs.add_metric([job, outcome], count)
        yield jobs
        sent = CounterMetricFamily("dailypapers_digests_sent", "Digest mails sent")
        sent.add_metric([], waiting.pop("digests_sent"))
        yield sent
        backlog = GaugeMetricFamily("dailypapers_backlog", "Work waiting", labels=["kind"])
        for kind, count in waiting.items():
            backlog.add_metric([kind], count)
        yield backlog
        yield GaugeMetricFamily("dailypapers_database_bytes", "Database size", value=size)


def exposition_registry(request: Request) -> CollectorRegistry:
    registry = CollectorRegistry()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):  # every worker's files, this one's included
        MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
    else:
        registry.register(_Forward(request.app.state.metrics_registry))
    lexical = lexical_position(request.app.state.settings)
    registry.register(DatabaseCollector(request.app.state.sessions, lexical))
    return registry


class _Forward(Collector):
    """This process's own request metrics, inside a registry built for one scrape."""

    def __init__(self, source: CollectorRegistry) -> None:
        self.source = source

    def collect(self) -> Iterator[Metric]:
        yield from self.source.collect()


@router.get("/metrics", response_class=Response)
def metrics(request: Request) -> Response:
    """Prometheus text format: requests, job runs and failures, backlogs, digests sent."""
    return Response(generate_latest(exposition_registry(request)), media_type=CONTENT_TYPE_LATEST)
