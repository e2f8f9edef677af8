"""`request_transcript`: the inbox's "Email transcript" (and the widget's "Email me this
conversation") mails the transcript to the visitor's known email, and says clearly why
not when none is known; a visitor may ask only for their own conversation."""

from __future__ import annotations

import pytest

from porch.actors import Actor
from porch.email.transcripts import NO_EMAIL, request_transcript
from porch.errors import Invalid, NotFound
from porch.visitors.models import Page
from tests.email.conftest import Desk, mail
from tests.email.helpers import all_tickets

PAGE = Page("https://shop.example/", "Home", "")


async def test_the_transcript_goes_to_the_known_email_or_is_refused(desk: Desk) -> None:
    olivia = Actor.operator(desk.olivia.id, desk.olivia.name)
    await desk.mail(mail("Lamp", "It arrived broken."))
    await desk.run_due()
    [ticket] = await all_tickets(desk)
    assert ticket.conversation_id is not None
    sent_to = await request_transcript(desk.services, ticket.conversation_id, olivia)
    assert sent_to == "dana@example.com"
    await desk.run_due()
    [transcript] = [m for m in desk.sink.to("dana@example.com") if "conversation" in m["Subject"]]
    assert "It arrived broken." in transcript.get_body(("plain",)).get_content()

    chatter = await desk.services.visitors.open_session(desk.site, None, PAGE)
    message = await desk.services.conversations.send_visitor_message(chatter.id, "c-1", "Hi")
    with pytest.raises(Invalid) as refused:
        await request_transcript(desk.services, message.conversation_id, olivia)
    assert str(refused.value) == NO_EMAIL
    with pytest.raises(NotFound):  # not the chatter's own conversation
        await request_transcript(desk.services, ticket.conversation_id, Actor.visitor(chatter.id))
