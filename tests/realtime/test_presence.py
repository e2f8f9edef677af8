"""Presence in one process (`MemoryPresence`). The same checks run against Redis, across
processes, in tests/scale/test_redis_state.py."""

from porch.operators.service import Operator
from porch.realtime.presence import MemoryPresence, Presence

OLIVIA = Operator(1, "olivia@example.com", "Olivia")


async def check_operator_online_until_the_last_socket_closes(presence: Presence) -> None:
    assert not await presence.operators_online() and not await presence.online_flipped()
    await presence.operator_connected(OLIVIA, "a")
    await presence.operator_connected(OLIVIA, "b")
    assert await presence.online_flipped() and not await presence.online_flipped()
    await presence.operator_disconnected("a")
    assert await presence.operators() == [{"id": 1, "name": "Olivia", "status": "online"}]
    await presence.set_status(1, "away")
    assert not await presence.operators_online() and await presence.online_flipped()
    await presence.operator_disconnected("b")
    assert await presence.operators() == [] and await presence.operator_status(1) == "offline"


async def check_visitor_online_by_socket_or_recent_session(presence: Presence) -> None:
    await presence.visitor_pinged(7)
    assert await presence.online_visitor_ids() == {7} and await presence.visitor_online(7)
    await presence.visitor_connected(7, "s1")
    await presence.visitor_connected(7, "s2")
    assert await presence.visitor_disconnected("s1") == 7
    assert await presence.online_visitor_ids() == {7}
    await presence.visitor_disconnected("s2")
    assert await presence.online_visitor_ids() == set()  # the socket outranks the earlier ping
    assert not await presence.visitor_online(7)
    assert await presence.visitor_disconnected("unknown") is None


async def test_operator_online_until_the_last_socket_closes() -> None:
    await check_operator_online_until_the_last_socket_closes(MemoryPresence())


async def test_visitor_online_by_socket_or_recent_session() -> None:
    await check_visitor_online_by_socket_or_recent_session(MemoryPresence())
