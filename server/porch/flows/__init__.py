"""Flows: proactive triggers and no-code automations (docs/flows.md). A flow is a versioned
JSON document per site (`documents`, `store`); the server decides which triggers apply to a
visitor (`triggers`), the loader only watches for the moment, and the engine runs the flow
as durable jobs (`engine`, `conditions`, `actions`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from porch.flows.engine import FlowEngine
    from porch.services import Services


def install(services: Services) -> None:
    from porch.flows import panel, panel_builder

    setup(services)
    services.routes += panel.routes(services) + panel_builder.routes(services)


def setup(services: Services) -> FlowEngine:
    """The engine with its jobs, event reactions and edges (`install` returns nothing;
    tests that build services call this for the engine)."""
    from porch.flows import edges, reactions, run_log
    from porch.flows.engine import FlowEngine

    engine = FlowEngine(services)
    reactions.attach(services, engine)
    edges.attach(services, engine)

    async def recover() -> None:
        await engine.recover()

    services.on_startup.append(recover)
    run_log.attach(services, engine)
    return engine
