"""Durable background work: jobs written in the transaction of the change that causes them.

We evaluated procrastinate, pgqueuer, huey and saq: none can enqueue inside our own
SQLAlchemy transaction on both backends (procrastinate and pgqueuer are PostgreSQL-only;
huey's SQL storages and saq's PostgreSQL queue commit on their own connections, else Redis),
so this is a small table-based queue: `queue.enqueue` in the caller's transaction, workers
in every process (`worker`), admin in the panel (`panel`) and `porch jobs`. See docs/jobs.md.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from porch.services import Services


def install(services: Services) -> None:
    """Every server process (and `porch worker`) runs workers for the registered kinds."""
    # Imported here, like every feature's modules: importing `porch.jobs.queue` (which
    # every feature does, to enqueue) must not drag in the panel page and its imports.
    from porch.jobs import panel
    from porch.jobs.builtin import PROBE, probe

    services.jobs.register(PROBE, probe)
    services.routes += panel.routes(services)
    services.on_startup.append(services.jobs.start)
    services.on_shutdown.append(services.jobs.stop)
