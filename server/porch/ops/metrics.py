"""Prometheus metrics at `/metrics`, from a registry of this app's own (never the global
default one, so that tests and several apps in one process do not collide).

Counted as they happen (per process: sum them over processes):

| metric | type | labels |
| --- | --- | --- |
| `porch_messages_total` | counter | `author`: visitor, operator, bot, system |
| `porch_events_total` | counter | `type`: the domain event (`message.created`, …) |
| `porch_http_request_duration_seconds` | histogram | `method`, `route` (template), `status` |
| `porch_job_runs_total` | counter | `kind`, `outcome`: done, retry, dead, returned |
| `porch_job_duration_seconds` | histogram | `kind` |

Read when scraped:

- `porch_socketio_connections{namespace}`: this process's connected Socket.IO clients;
- `porch_jobs_due` (the queue's depth), `porch_jobs_scheduled`, `porch_jobs_running`,
  `porch_jobs_dead` and `porch_jobs_oldest_due_age_seconds` (0: none due): the shared
  queue, the same from every process (aggregate with `max`, not `sum`);
- `porch_job_workers_running`: 1 while this process's job workers run;
- `porch_db_pool_size`, `porch_db_pool_checked_out`, `porch_db_pool_idle`,
  `porch_db_pool_overflow`: SQLAlchemy's connection pool;
- `porch_draining`: 1 once a graceful shutdown has begun;

plus `process_*` (CPU, memory, open files) and `python_*` (GC, version) from
prometheus-client's own collectors.

`/metrics` is not public: on the main listener it needs `Authorization: Bearer
$PORCH_METRICS_TOKEN` (without a token configured it answers 404); the admin listener
(`--admin-listen`) serves it without one.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from prometheus_client import (
    CollectorRegistry,
    Counter,
    GCCollector,
    Histogram,
    PlatformCollector,
    ProcessCollector,
)
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.exposition import choose_encoder
from prometheus_client.registry import Collector
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import BaseRoute, Route

if TYPE_CHECKING:
    from porch.jobs.queue import QueueStats
    from porch.ops.shutdown import Shutdown
    from porch.services import Services

log = logging.getLogger(__name__)

PATH = "/metrics"
STATS_TIMEOUT = 2.0
"""How long a scrape waits for the job queue's figures before leaving them out."""
JOB_BUCKETS = (0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300)
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


class Metrics:
    def __init__(self, services: Services, shutdown: Shutdown) -> None:
        self.services = services
        self.registry = CollectorRegistry()
        registry = self.registry
        self.messages = Counter(
            "porch_messages",
            "Messages stored by this process, by author kind.",
            ["author"],
            registry=registry,
        )
        self.events = Counter(
            "porch_events",
            "Domain events published by this process, by type.",
            ["type"],
            registry=registry,
        )
        self.requests = Histogram(
            "porch_http_request_duration_seconds",
            "HTTP requests served (not Socket.IO, not /metrics), by method, route template"
            " and status.",
            ["method", "route", "status"],
            registry=registry,
        )
        self.job_runs = Counter(
            "porch_job_runs",
            "Job handler runs in this process, by kind and outcome (done; retry and dead:"
            " failed; returned: cut short by a shutdown).",
            ["kind", "outcome"],
            registry=registry,
        )
        self.job_seconds = Histogram(
            "porch_job_duration_seconds",
            "How long job handlers ran in this process, by kind.",
            ["kind"],
            buckets=JOB_BUCKETS,
            registry=registry,
        )
        self.state = StateCollector(services, shutdown)
        registry.register(self.state)
        ProcessCollector(registry=registry)
        PlatformCollector(registry=registry)
        GCCollector(registry=registry)

    def subscribe(self) -> None:
        """Count messages and events as they are published, and job runs as they end."""
        from porch.conversations.events import MessageCreated

        async def message_created(event: MessageCreated) -> None:
            self.messages.labels(author=event.message.author).inc()

        async def any_event(event: Any) -> None:
            self.events.labels(type=getattr(event, "name", type(event).__name__)).inc()

        self.services.events.subscribe(MessageCreated, message_created)
        self.services.events.subscribe_all(any_event)
        self.services.jobs.observers.append(self.job_ran)

    def job_ran(self, kind: str, outcome: str, seconds: float) -> None:
        self.job_runs.labels(kind=kind, outcome=outcome).inc()
        if outcome != "returned":
            self.job_seconds.labels(kind=kind).observe(seconds)

    def request_served(self, method: str, route: str, status: int, seconds: float) -> None:
        method = method if method in METHODS else "other"
        self.requests.labels(method=method, route=route, status=str(status)).observe(seconds)

    async def render(self, accept: str) -> tuple[bytes, str]:
        """The exposition text (or OpenMetrics, if asked for) and its content type."""
        await self.state.refresh()
        encoder, content_type = choose_encoder(accept)
        return encoder(self.registry), content_type


class StateCollector(Collector):
    """Gauges read at scrape time. The job queue's figures need a query (async), so the
    scrape refreshes them first (`refresh`) and `collect` reports what it found."""

    def __init__(self, services: Services, shutdown: Shutdown) -> None:
        self.services = services
        self.shutdown = shutdown
        self.jobs: QueueStats | None = None

    async def refresh(self) -> None:
        try:
            self.jobs = await asyncio.wait_for(self.services.jobs.stats(), STATS_TIMEOUT)
        except Exception as exc:
            log.warning("metrics: cannot read the job queue's figures: %r", exc)
            self.jobs = None  # left out of this scrape rather than reported stale

    def collect(self) -> Iterator[Metric]:
        yield self._connections()
        yield from self._jobs()
        yield from self._pool()
        draining = GaugeMetricFamily(
            "porch_draining", "1 once this process has begun a graceful shutdown."
        )
        draining.add_metric([], 1 if self.shutdown.draining else 0)
        yield draining

    def _connections(self) -> Metric:
        sio = self.services.sio
        rooms: dict[str, dict[Any, Any]] = getattr(sio.manager, "rooms", {})
        family = GaugeMetricFamily(
            "porch_socketio_connections",
            "Socket.IO clients connected to this process, by namespace.",
            labels=["namespace"],
        )
        namespaces = set(rooms) | set(getattr(sio, "namespace_handlers", {}))
        for namespace in sorted(namespaces):
            family.add_metric([namespace], len(rooms.get(namespace, {}).get(None, {})))
        return family

    def _jobs(self) -> Iterator[Metric]:
        workers = GaugeMetricFamily(
            "porch_job_workers_running", "1 while this process's job workers are running."
        )
        workers.add_metric([], 1 if self.services.jobs.running else 0)
        yield workers
        stats = self.jobs
        if stats is None:
            return
        gauges = (
            ("porch_jobs_due", "Jobs due and waiting for a worker: the queue's depth.", stats.due),
            ("porch_jobs_scheduled", "Jobs waiting for a later time (timers, retries).",
             stats.scheduled),
            ("porch_jobs_running", "Jobs claimed by a worker (any process).", stats.running),
            ("porch_jobs_dead", "Jobs that failed for good (see `porch jobs list --failed`).",
             stats.dead),
        )  # fmt: skip
        for name, help_text, value in gauges:
            yield GaugeMetricFamily(name, help_text, value=value)
        age = stats.oldest_due_age.total_seconds() if stats.oldest_due_age else 0.0
        yield GaugeMetricFamily(
            "porch_jobs_oldest_due_age_seconds",
            "How long the longest-waiting due job has been due (0 when none is).",
            value=max(0.0, age),
        )

    def _pool(self) -> Iterator[Metric]:
        pool: Any = self.services.db.engine.pool
        figures = (
            ("porch_db_pool_size", "Connections the database pool keeps.", "size"),
            ("porch_db_pool_checked_out", "Pool connections in use.", "checkedout"),
            ("porch_db_pool_idle", "Pool connections open and idle.", "checkedin"),
            ("porch_db_pool_overflow", "Connections beyond the pool size (negative: fewer"
             " open than the pool size).", "overflow"),
        )  # fmt: skip
        for name, help_text, method in figures:
            read = getattr(pool, method, None)
            if callable(read):
                yield GaugeMetricFamily(name, help_text, value=float(read()))


def routes(metrics: Metrics, token: str | None) -> list[BaseRoute]:
    """`/metrics`; `token`: the bearer token it needs (None: none, for the admin listener;
    empty: not served, 404)."""

    async def endpoint(request: Request) -> Response:
        if token is not None:
            if not token:
                return PlainTextResponse("Not Found", 404)
            if not _bearer_matches(request.headers.get("authorization", ""), token):
                return PlainTextResponse(
                    "Unauthorized", 401, headers={"WWW-Authenticate": 'Bearer realm="metrics"'}
                )
        body, content_type = await metrics.render(request.headers.get("accept", ""))
        return Response(body, headers={"Content-Type": content_type, "Cache-Control": "no-store"})

    return [Route(PATH, endpoint, methods=["GET"], name="ops-metrics")]


def _bearer_matches(header: str, token: str) -> bool:
    scheme, _, given = header.partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(
        given.strip().encode(), token.encode()
    )
