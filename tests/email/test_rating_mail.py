"""A ticket that came by email asks its requester "How did we do?" by mail once it is
resolved: five signed links to the rating page, which checks the token and the form,
stores the rating once (opening a link stores nothing) and refuses forged or expired
links."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import timedelta

import httpx
import pytest
import sqlalchemy as sa
from starlette.applications import Starlette

from porch import analytics
from porch.actors import Actor
from porch.analytics import rating_page
from porch.analytics.tables import reporting_events
from tests.email.conftest import Desk, mail
from tests.email.helpers import all_tickets

LINK = re.compile(r"https?://[^/\s]+(/rate/[0-9a-f.]+)\?score=(\d)")


@pytest.fixture
async def rating_desk(desk: Desk) -> AsyncIterator[tuple[Desk, httpx.AsyncClient]]:
    analytics.install(desk.services)
    app = Starlette(routes=rating_page.routes(desk.services))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="https://porch.example") as http:
        yield desk, http


async def _ratings(desk: Desk) -> list[tuple[object, ...]]:
    async with desk.services.db.connect() as conn:
        rows = await conn.execute(
            sa.select(
                reporting_events.c.ticket_id, reporting_events.c.value, reporting_events.c.comment
            ).where(reporting_events.c.kind == "rating")
        )
        return [tuple(row) for row in rows]


async def test_resolving_a_mailed_ticket_mails_signed_rating_links(
    rating_desk: tuple[Desk, httpx.AsyncClient],
) -> None:
    desk, http = rating_desk
    assert (await desk.mail(mail())).startswith("250")
    await desk.run_due()
    [ticket] = await all_tickets(desk)
    olivia = Actor.operator(desk.olivia.id, desk.olivia.name)
    await desk.tickets.update(ticket.id, olivia, status="resolved")
    await desk.run_due()
    await desk.run_due()  # once, even if asked again

    asked = [m for m in desk.sink.to("dana@example.com") if "How did we do?" in m["Subject"]]
    assert len(asked) == 1 and f"[#{ticket.reference}]" in asked[0]["Subject"]
    links = LINK.findall(asked[0].get_body(("plain",)).get_content())
    assert [score for _, score in links] == ["1", "2", "3", "4", "5"]
    path = links[3][0]

    page = await http.get(path, params={"score": "4"})
    assert page.status_code == 200
    assert 'value="4" required checked' in page.text
    assert await _ratings(desk) == []  # a link scanner opening it rates nothing
    for bad in ({"score": "9"}, {"score": "3", "comment": "x" * 1001}, {"comment": "hi"}):
        refused = await http.post(path, data=bad)
        assert refused.status_code == 422
        assert 'data-testid="rate-problem"' in refused.text
    sent = await http.post(path, data={"score": "4", "comment": " <b>Quick</b> "})
    assert sent.status_code == 200 and 'data-testid="rate-thanks"' in sent.text
    again = await http.post(path, data={"score": "1"})
    assert 'data-testid="rate-thanks"' in again.text
    assert await _ratings(desk) == [(ticket.id, 4, "<b>Quick</b>")]
    assert 'data-testid="rate-thanks"' in (await http.get(path)).text
    await desk.run_due()
    assert ticket.conversation_id is not None
    found = await desk.services.conversations.messages(
        ticket.conversation_id, include_internal=True
    )
    notes = [m.body for m in found if m.internal]
    assert "Ticket rated 4/5: <b>Quick</b>" in notes


async def test_forged_malformed_and_expired_links_are_refused(
    rating_desk: tuple[Desk, httpx.AsyncClient],
) -> None:
    desk, http = rating_desk
    await desk.mail(mail())
    await desk.run_due()
    [ticket] = await all_tickets(desk)
    await desk.tickets.update(ticket.id, Actor.system("test"), status="resolved")
    await desk.run_due()
    [asked] = [m for m in desk.sink.to("dana@example.com") if "How did we do?" in m["Subject"]]
    path = LINK.findall(asked.get_body(("plain",)).get_content())[0][0]
    token = path.rsplit("/", 1)[1]
    ticket_part, expires, signature = token.split(".")

    other = f"/rate/{int(ticket_part) + 1}.{expires}.{signature}"
    for wrong in (other, "/rate/x", "/rate/" + "9" * 40, f"/rate/{token[:-1]}0"):
        assert (await http.get(wrong)).status_code == 404
        assert (await http.post(wrong, data={"score": "5"})).status_code == 404
    desk.clock.advance(timedelta(days=31))
    assert (await http.get(path)).status_code == 404
    assert await _ratings(desk) == []
