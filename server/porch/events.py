"""In-process event bus: features publish facts, other features react.

A domain function commits its change, then publishes a typed event (a frozen dataclass with
a `name` like "message.created"). Listeners subscribe by event class. A failing listener is
logged and never breaks the publisher or the other listeners.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

log = logging.getLogger(__name__)

E = TypeVar("E")
Listener = Callable[[Any], Awaitable[None]]


class EventBus:
    def __init__(self) -> None:
        self._listeners: dict[type, list[Listener]] = defaultdict(list)

    def subscribe(self, event_type: type[E], listener: Callable[[E], Awaitable[None]]) -> None:
        self._listeners[event_type].append(listener)

    async def publish(self, event: object) -> None:
        for listener in list(self._listeners[type(event)]):
            try:
                await listener(event)
            except Exception:
                log.exception("listener %r failed on %r", listener, event)
