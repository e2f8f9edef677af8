"""Read receipts on the `/visitor` socket, on SQLite and PostgreSQL: an operator opening
the conversation tells the visitor's widget it was seen, and when."""

from __future__ import annotations

from datetime import datetime

from tests.support.chat_clients import open_session, operator_client, seed, visitor_client
from tests.support.live_server import LiveServer


async def test_an_operator_reading_tells_the_visitor(live_server: LiveServer) -> None:
    seeded = seed(live_server)
    session = await open_session(live_server, seeded.site.key)
    visitor = await visitor_client(live_server, session["visitor_token"])
    olivia = await operator_client(live_server, seeded.operator.id)
    try:
        ack = await visitor.call("message.send", {"client_id": "m1", "body": "Hello?"})
        conversation = ack["message"]["conversation_id"]
        assert visitor.pending("seen") == []
        await olivia.call("conversation.watch", {"conversation_id": conversation})
        seen = await visitor.next("seen")
        assert seen["conversation_id"] == conversation
        assert datetime.fromisoformat(seen["at"]) >= datetime.fromisoformat(
            ack["message"]["created_at"]
        )
    finally:
        await visitor.close()
        await olivia.close()
