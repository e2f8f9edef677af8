"""A chat whose visitor has left: an operator's replies reach them by mail (the replies of
the next two minutes in one mail, with the conversation's recent messages and a link
back), and their answer by mail continues the same conversation."""

from __future__ import annotations

from porch.actors import Actor
from porch.visitors.models import Page
from tests.email.conftest import Desk, mail
from tests.email.helpers import messages

PAGE = Page("https://shop.example/", "Home", "")


async def chat(desk: Desk, email: str | None) -> tuple[int, int]:
    visitor = await desk.services.visitors.open_session(desk.site, None, PAGE)
    if email:
        await desk.services.visitors.update(visitor.id, email=email)
    sent = await desk.services.conversations.send_visitor_message(
        visitor.id, "c-1", "Do you ship to Norway?"
    )
    # The widget's socket came and went: the visitor has left the page.
    await desk.services.presence.visitor_connected(visitor.id, f"sid-{visitor.id}")
    await desk.services.presence.visitor_disconnected(f"sid-{visitor.id}")
    return visitor.id, sent.conversation_id


async def answer(desk: Desk, conversation_id: int, body: str) -> None:
    olivia = Actor.operator(desk.olivia.id, desk.olivia.name)
    await desk.services.conversations.post_message(olivia, conversation_id, f"o-{body}", body)
    await desk.run_due()


async def test_replies_to_a_visitor_who_left_arrive_by_mail_once(desk: Desk) -> None:
    _, conversation_id = await chat(desk, "sam@example.no")
    await answer(desk, conversation_id, "Yes, we do!")
    await answer(desk, conversation_id, "Shipping takes 3 days.")
    assert desk.sink.sent == []  # gathered for two minutes first

    desk.clock.advance(minutes=3)
    await desk.run_due()
    [notice] = desk.sink.to("sam@example.no")
    assert notice["Subject"] == "New reply from Shop"
    text = notice.get_body(("plain",)).get_content()
    assert "Do you ship to Norway?" in text
    assert "Yes, we do!" in text and "Shipping takes 3 days." in text
    assert "https://shop.example" in text
    assert notice["Reply-To"].startswith(f"support+c{conversation_id}.")
    assert notice["Auto-Submitted"] == "auto-replied"

    desk.clock.advance(minutes=10)
    await desk.run_due()
    assert len(desk.sink.to("sam@example.no")) == 1  # nothing new, nothing sent

    back = mail("Re: New reply from Shop", "Great, ordering now.", sender="sam@example.no")
    await desk.mail(back, "sam@example.no", [str(notice["Reply-To"])])
    await desk.run_due()
    *_, last = await messages(desk, conversation_id)
    assert (last.author, last.body) == ("visitor", "Great, ordering now.")


async def test_no_mail_to_a_visitor_still_here_or_without_email(desk: Desk) -> None:
    here, conversation_id = await chat(desk, "here@example.com")
    await desk.services.presence.visitor_connected(here, "sid-back")  # came back
    await answer(desk, conversation_id, "Hello!")
    _, anonymous_conversation = await chat(desk, None)
    await answer(desk, anonymous_conversation, "Hello?")
    desk.clock.advance(minutes=3)
    await desk.run_due()
    assert desk.sink.sent == []
