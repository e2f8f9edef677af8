"""`consent.give` on the real `/visitor` socket: stored with the visitor, the time and the
site's notice when the site asks for consent; refused when it does not. Until a visitor
agrees, the server refuses their messages (not only the widget)."""

from __future__ import annotations

import sqlalchemy as sa

from porch.privacy.tables import consents
from porch.services import Services
from tests.support.chat_clients import open_session, seed, visitor_client
from tests.support.live_server import LiveServer


async def _consents(services: Services) -> list[tuple[str, str | None]]:
    async with services.db.connect() as conn:
        rows = await conn.execute(sa.select(consents.c.notice, consents.c.link))
        return [(notice, link) for notice, link in rows]


async def test_consent_is_stored_with_the_notice(live_server: LiveServer) -> None:
    seeded = seed(live_server, consent_required=True, consent_text="We keep chats a year.",
                  consent_link="https://shop.example/privacy")  # fmt: skip
    session = await open_session(live_server, seeded.site.key)
    widget = await visitor_client(live_server, session["visitor_token"])
    try:
        assert await widget.call("consent.give", {}) == {"ok": True}
        assert await widget.call("consent.give", {}) == {"ok": True}  # once is enough
        assert (await widget.call("consent.give", {"x": 1}))["ok"] is False
    finally:
        await widget.close()
    assert live_server.call(_consents) == [
        ("We keep chats a year.", "https://shop.example/privacy")
    ]


async def test_no_consent_asked_no_consent_stored(live_server: LiveServer) -> None:
    seeded = seed(live_server)
    session = await open_session(live_server, seeded.site.key)
    widget = await visitor_client(live_server, session["visitor_token"])
    try:
        assert (await widget.call("consent.give", {}))["ok"] is False
    finally:
        await widget.close()
    assert live_server.call(_consents) == []


async def test_no_message_is_stored_before_the_visitor_agrees(live_server: LiveServer) -> None:
    seeded = seed(live_server, consent_required=True)
    session = await open_session(live_server, seeded.site.key)
    widget = await visitor_client(live_server, session["visitor_token"])
    other_tab = await visitor_client(live_server, session["visitor_token"])
    try:
        early = await widget.call("message.send", {"client_id": "m1", "body": "Hello?"})
        assert early["ok"] is False and early["error"]["code"] == "forbidden"
        assert "privacy notice" in early["error"]["message"]
        assert await other_tab.call("consent.give", {}) == {"ok": True}
        # The first tab learns it on its next message: no reload needed.
        sent = await widget.call("message.send", {"client_id": "m1", "body": "Hello?"})
        assert sent["ok"] is True and sent["message"]["body"] == "Hello?"
    finally:
        await widget.close()
        await other_tab.close()
