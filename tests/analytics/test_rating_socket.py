"""`rating.submit` on the real `/visitor` socket of a live server: a closed conversation is
rated once; malformed or early ratings get an error ack and store nothing."""

from __future__ import annotations

import sqlalchemy as sa

from porch.analytics.tables import reporting_events
from porch.services import Services
from tests.support.chat_clients import open_session, operator_client, seed, visitor_client
from tests.support.live_server import LiveServer


async def _ratings(services: Services) -> list[tuple[int, str | None]]:
    async with services.db.connect() as conn:
        rows = await conn.execute(
            sa.select(reporting_events.c.value, reporting_events.c.comment).where(
                reporting_events.c.kind == "rating"
            )
        )
        return [(value, comment) for value, comment in rows]


async def test_a_visitor_rates_a_closed_conversation(live_server: LiveServer) -> None:
    seeded = seed(live_server)
    session = await open_session(live_server, seeded.site.key)
    widget = await visitor_client(live_server, session["visitor_token"])
    panel = await operator_client(live_server, seeded.operator.id)
    try:
        ack = await widget.call("message.send", {"client_id": "c-1", "body": "Hi"})
        conversation_id = ack["message"]["conversation_id"]
        early = await widget.call("rating.submit", {"conversation_id": conversation_id, "score": 5})
        assert early["ok"] is False
        closed = await panel.call("conversation.close", {"conversation_id": conversation_id})
        assert closed["ok"] is True
        bad = await widget.call("rating.submit", {"conversation_id": conversation_id, "score": 9})
        assert bad["ok"] is False
        rated = await widget.call(
            "rating.submit", {"conversation_id": conversation_id, "score": 4, "comment": "Nice"}
        )
        assert rated == {"ok": True}
        again = await widget.call("rating.submit", {"conversation_id": conversation_id, "score": 1})
        assert again["ok"] is False
    finally:
        await widget.close()
        await panel.close()

    assert live_server.call(_ratings) == [(4, "Nice")]
