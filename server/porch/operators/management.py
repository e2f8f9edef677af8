"""What an admin does to an account that reaches beyond its row: deactivating ends every
session, and every socket opened with one, on every process (the same `SessionsRevoked`
fact signing out publishes, carried by the Socket.IO manager); demoting an admin ends their
sessions too, so no socket keeps the powers it was opened with."""

from __future__ import annotations

from porch.actors import Actor
from porch.operators.service import Operator
from porch.services import Services


async def deactivate(services: Services, operator_id: int, actor: Actor | None = None) -> Operator:
    now = services.clock.now()
    operator = await services.operators.set_active(operator_id, False, now, services.events, actor)
    await services.sessions.revoke_all_for_operator(operator_id)
    return operator


async def reactivate(services: Services, operator_id: int, actor: Actor | None = None) -> Operator:
    now = services.clock.now()
    return await services.operators.set_active(operator_id, True, now, services.events, actor)


async def set_role(
    services: Services, operator_id: int, role: str, actor: Actor | None = None
) -> Operator:
    before = await services.operators.get(operator_id)
    operator = await services.operators.set_role(operator_id, role, services.events, actor)
    if before is not None and before.is_admin and not operator.is_admin:
        await services.sessions.revoke_all_for_operator(operator_id)
    return operator
