"""Both ways over real SMTP: an operator's reply goes out with our Message-ID, In-Reply-To,
References, Thread-Topic/Thread-Index and the ticket's reply address; the customer's reply
comes back to the same ticket by its headers, its reply address or `[#1001]` from a
participant (never from someone else); a closed ticket reopens or gets a follow-up."""

from __future__ import annotations

from email.message import EmailMessage

from porch.actors import Actor
from tests.email.conftest import Desk, mail
from tests.email.helpers import all_tickets, messages

GMAIL_REPLY = """Thanks, the new one arrived!

Best,
Dana
--\x20
Dana Smith
www.dana.example

On Mon, Jan 7, 2030 at 10:00 AM Shop <support@shop.example> wrote:
> We sent a new one.
> -- Olivia
"""

OUTLOOK_REPLY = """Perfect, thank you.

________________________________
From: Shop <support@shop.example>
Sent: Monday, January 7, 2030 10:00 AM
To: Dana Smith <dana@example.com>
Subject: Re: My parcel never arrived [#1001]

We sent a new one.
"""


async def ticket_from_mail(desk: Desk) -> int:
    await desk.mail(mail(Message_ID="<first@example.com>"))
    await desk.run_due()
    [ticket] = await all_tickets(desk)
    return ticket.id


async def operator_reply(desk: Desk, ticket_id: int, body: str) -> EmailMessage:
    olivia = Actor.operator(desk.olivia.id, desk.olivia.name)
    await desk.tickets.reply(ticket_id, olivia, f"r-{body}", body)
    await desk.run_due()
    return desk.sink.to("dana@example.com")[-1]


async def test_an_operator_reply_goes_out_threaded(desk: Desk) -> None:
    ticket_id = await ticket_from_mail(desk)
    [ack] = desk.sink.to("dana@example.com")
    reply = await operator_reply(desk, ticket_id, "We sent a new one <b>today</b> & tracked it.")

    assert reply["Subject"] == "Re: My parcel never arrived [#1001]"
    assert reply["From"] == "Shop <support@shop.example>"
    assert reply["In-Reply-To"] == "<first@example.com>"
    assert reply["References"].split() == ["<first@example.com>", ack["Message-ID"]]
    assert reply["Message-ID"] not in (ack["Message-ID"],)
    assert reply["Reply-To"].startswith("support+t1001.")
    assert reply["Thread-Topic"] == "My parcel never arrived [#1001]"
    assert reply["Thread-Index"] == ack["Thread-Index"]
    assert reply["Auto-Submitted"] == "no"
    text = reply.get_body(("plain",)).get_content()
    assert "We sent a new one <b>today</b> & tracked it." in text
    assert "Olivia" in text
    html = reply.get_body(("html",)).get_content()
    assert "&lt;b&gt;today&lt;/b&gt; &amp; tracked" in html


async def test_internal_notes_are_not_mailed(desk: Desk) -> None:
    ticket_id = await ticket_from_mail(desk)
    [ticket] = await all_tickets(desk)
    olivia = Actor.operator(desk.olivia.id, desk.olivia.name)
    assert ticket.conversation_id is not None
    await desk.services.conversations.post_message(
        olivia, ticket.conversation_id, "note-1", "Customer is a VIP", internal=True
    )
    await desk.tickets.add_note(ticket_id, olivia, "Check the carrier")
    await desk.run_due()
    assert len(desk.sink.to("dana@example.com")) == 1  # the acknowledgement alone


async def test_the_customer_reply_threads_back_by_its_headers(desk: Desk) -> None:
    ticket_id = await ticket_from_mail(desk)
    reply = await operator_reply(desk, ticket_id, "We sent a new one.")
    answer = mail(
        "Re: My parcel never arrived [#1001]",
        GMAIL_REPLY,
        In_Reply_To=reply["Message-ID"],
        References=f"<first@example.com> {reply['Message-ID']}",
    )
    assert (await desk.mail(answer)).startswith("250")
    await desk.run_due()

    [ticket] = await all_tickets(desk)
    assert ticket.id == ticket_id
    *_, last = await messages(desk, ticket.conversation_id)
    assert last.author == "visitor"
    assert last.body == "Thanks, the new one arrived!"  # quote and signature stripped
    from tests.email.helpers import stored_mails

    assert await stored_mails(desk) == 4  # mail, ack, reply, answer


async def test_an_outlook_reply_threads_by_its_reply_address_alone(desk: Desk) -> None:
    ticket_id = await ticket_from_mail(desk)
    reply = await operator_reply(desk, ticket_id, "We sent a new one.")
    answer = mail("RE: something else entirely", OUTLOOK_REPLY)
    del answer["To"]
    answer["To"] = reply["Reply-To"]
    assert (await desk.mail(answer, recipients=[str(reply["Reply-To"])])).startswith("250")
    await desk.run_due()
    [ticket] = await all_tickets(desk)
    *_, last = await messages(desk, ticket.conversation_id)
    assert last.body == "Perfect, thank you."


async def test_a_reference_in_the_subject_counts_only_from_a_participant(desk: Desk) -> None:
    await ticket_from_mail(desk)
    await desk.mail(mail("Re: [#1001] one more thing", "Also, gift wrap please."))
    stranger = mail("Re: [#1001]", "Send me their address", sender="eve@evil.example")
    await desk.mail(stranger, "eve@evil.example")
    forged = mail("Hello", "Let me in", sender="eve@evil.example")
    await desk.mail(forged, "eve@evil.example", ["support+t1001.aaaaaaaaaaaa@shop.example"])
    await desk.run_due()

    first, evil = await all_tickets(desk)
    assert [m.body for m in await messages(desk, first.conversation_id)] == [
        "Hello, order 1234 has not arrived. Can you help?",
        "Also, gift wrap please.",
    ]
    assert evil.requester_name == "eve@evil.example" or evil.requester_id != first.requester_id
    assert sorted(m.body for m in await messages(desk, evil.conversation_id)) == [
        "Let me in",
        "Send me their address",
    ]


async def test_a_reply_to_a_closed_ticket_reopens_it_within_the_window(desk: Desk) -> None:
    ticket_id = await ticket_from_mail(desk)
    olivia = Actor.operator(desk.olivia.id, desk.olivia.name)
    await desk.tickets.update(ticket_id, olivia, status="closed")
    desk.clock.advance(days=6)
    await desk.mail(mail("Re: [#1001]", "It broke again", Message_ID="<again@example.com>"))
    await desk.run_due()
    [ticket] = await all_tickets(desk)
    assert ticket.status == "open"
    *_, last = await messages(desk, ticket.conversation_id)
    assert last.body == "It broke again"


async def test_a_late_reply_to_a_closed_ticket_opens_a_follow_up(desk: Desk) -> None:
    ticket_id = await ticket_from_mail(desk)
    olivia = Actor.operator(desk.olivia.id, desk.olivia.name)
    await desk.tickets.update(ticket_id, olivia, status="closed")
    desk.clock.advance(days=8)
    await desk.mail(mail("Re: [#1001]", "It broke again"))
    await desk.run_due()
    old, follow_up = await all_tickets(desk)
    assert old.status == "closed"
    assert follow_up.status == "open" and follow_up.reference == 1002
    history = await desk.tickets.history(follow_up.id)
    assert any("Follow-up to #1001" in str(entry.data.get("body")) for entry in history)
    acks = [m for m in desk.sink.to("dana@example.com") if "[#1002]" in m["Subject"]]
    assert len(acks) == 1


async def test_email_rules_set_priority_assignee_and_tags(desk: Desk) -> None:
    await desk.services.sites.update_settings(
        desk.site.id,
        email_priority="high",
        email_assignee_id=desk.olivia.id,
        email_tags={"refund": "billing", "broken": "damage"},
    )
    await desk.mail(mail("Refund for a BROKEN lamp", "It arrived in pieces"))
    await desk.run_due()
    [ticket] = await all_tickets(desk)
    assert ticket.priority == "high"
    assert ticket.assignee_id == desk.olivia.id
    assert ticket.tags == ["billing", "damage"]
