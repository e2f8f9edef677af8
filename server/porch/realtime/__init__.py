"""Real-time edges: the `/visitor` and `/operator` Socket.IO namespaces and the fan-out
of domain events to their rooms."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from porch.services import Services


def install(services: Services) -> None:
    from functools import partial

    from porch.realtime import fanout
    from porch.realtime.fanout import OPERATORS, VISITORS
    from porch.realtime.operator import OperatorNamespace
    from porch.realtime.visitor import VisitorNamespace

    limiter = services.limiter
    services.sio.register_namespace(VisitorNamespace(VISITORS, services, limiter))
    services.sio.register_namespace(OperatorNamespace(OPERATORS, services, limiter))
    fanout.subscribe(services)
    services.on_startup.append(partial(services.presence.start, partial(fanout.unseen, services)))
    services.on_shutdown.append(services.presence.stop)
