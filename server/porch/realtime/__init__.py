"""Real-time edges: the `/visitor` and `/operator` Socket.IO namespaces and the fan-out
of chat events to their rooms."""

from __future__ import annotations

from porch.ratelimit import RateLimiter
from porch.realtime import fanout
from porch.realtime.fanout import OPERATORS, VISITORS
from porch.realtime.operator import OperatorNamespace
from porch.realtime.visitor import VisitorNamespace
from porch.services import Services


def register(services: Services) -> None:
    limiter = RateLimiter()
    services.sio.register_namespace(VisitorNamespace(VISITORS, services, limiter))
    services.sio.register_namespace(OperatorNamespace(OPERATORS, services, limiter))
    fanout.subscribe(services)
