"""Operating Porch as a service: `/healthz` and `/readyz` (`health`), Prometheus metrics at
`/metrics` (`metrics`), request ids and request latency (`middleware`), structured logs
(`logs`), graceful shutdown (`shutdown`, driven by `server` under `porch serve`) and the
admin listener (`admin`). See docs/operations.md.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from porch.services import Services


def install(services: Services) -> None:
    import dataclasses

    from starlette.applications import Starlette
    from starlette.types import ASGIApp

    from porch.ops import health, metrics
    from porch.ops.middleware import RequestMiddleware
    from porch.ops.shutdown import Shutdown

    ops = services.config.ops
    # Running jobs get the shutdown timeout to finish before they go back to the queue.
    services.jobs.settings = dataclasses.replace(
        services.jobs.settings, stop_timeout=ops.shutdown_timeout
    )
    shutdown = Shutdown(services)
    readiness = health.Readiness(services, shutdown)
    meters = metrics.Metrics(services, shutdown)
    meters.subscribe()
    services.routes += health.routes(readiness)
    services.routes += metrics.routes(meters, token=ops.metrics_token)

    def wrap(app: ASGIApp) -> ASGIApp:
        return RequestMiddleware(app, meters, shutdown)

    services.middleware.append(wrap)  # the first added: outermost

    if ops.admin_address is not None:
        from porch.ops.admin import AdminListener

        routes = [*health.routes(readiness), *metrics.routes(meters, token=None)]
        app = RequestMiddleware(Starlette(routes=routes), meters)
        listener = AdminListener(app, ops.admin_address, ops.log_level)
        services.on_startup.append(listener.start)
        # Ops is the first feature: its shutdown hook runs after the others' (reverse order),
        # so /metrics and /readyz answer until the end.
        services.on_shutdown.append(listener.stop)
