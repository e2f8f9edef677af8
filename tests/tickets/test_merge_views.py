"""Tickets, second slice, against real storage (SQLite and PostgreSQL) on a manual clock:
merging (tickets and conversations), saved views with filters and counts, bulk actions,
custom fields and statuses, templates, the resolve message, the requester's open tickets
and the escalation rules at a breach."""

from __future__ import annotations

import pytest

from porch.actors import Actor
from porch.errors import Invalid, NotFound
from porch.tickets.events import SlaEscalated
from tests.tickets.conftest import PAGE, Desk
from tests.tickets.test_service import Seen


async def bodies(desk: Desk, ticket_id: int) -> list[str]:
    return [m.body for m in await desk.tickets.transcript(ticket_id)]


async def kinds(desk: Desk, ticket_id: int) -> list[str]:
    return [h.kind for h in await desk.tickets.history(ticket_id)]


async def test_merging_moves_messages_and_notes_and_later_replies_land_on_the_target(
    desk: Desk,
) -> None:
    conversation = await desk.chat("Parcel lost")
    source = await desk.tickets.create_from_conversation(
        conversation, desk.as_olivia, "Parcel lost", "medium"
    )
    await desk.tickets.update(source.id, desk.as_olivia, tags=["shipping"])
    await desk.tickets.add_note(source.id, desk.as_olivia, "Asked the carrier")
    target = await desk.tickets.create(
        desk.site.id, desk.visitor.id, "Refund for order 1042", "", "high", desk.as_olivia,
        tags=["refund"],
    )  # fmt: skip

    merged = await desk.tickets.merge(source.id, target.id, desk.as_olivia)
    assert merged.id == target.id and merged.tags == ["refund", "shipping"]
    assert await bodies(desk, target.id) == ["Parcel lost"]
    notes = [h for h in await desk.tickets.history(target.id) if h.kind == "note"]
    assert [(n.data["body"], n.data["merged_from"], n.actor_name) for n in notes] == [
        ("Asked the carrier", source.label, "Olivia")
    ]
    gone = await desk.tickets.get(source.id)
    assert (gone.status, gone.merged_into_id) == ("closed", target.id)
    assert (await kinds(desk, source.id))[-2:] == ["merged", "updated"]
    assert "merged" in await kinds(desk, target.id)

    # Later work on the merged ticket lands on the target.
    await desk.tickets.add_note(source.id, desk.as_olivia, "Carrier answered")
    assert "Carrier answered" in [h.data.get("body") for h in await desk.tickets.history(target.id)]
    await desk.tickets.reply(source.id, desk.as_olivia, "r1", "We are on it")
    await desk.run_due()
    assert (await desk.tickets.get(target.id)).first_responded_at is not None
    await desk.tickets.update(target.id, desk.as_olivia, status="resolved")
    await desk.run_due()  # the invitation to reply goes out
    await desk.services.conversations.send_visitor_message(desk.visitor.id, "c-again", "Again?")
    await desk.run_due()
    assert (await desk.tickets.get(target.id)).status == "open"  # the chat moves the target
    assert (await desk.tickets.get(source.id)).status == "closed"
    assert (await bodies(desk, target.id))[-1] == "Again?"

    with pytest.raises(Invalid):
        await desk.tickets.merge(target.id, target.id, desk.as_olivia)
    with pytest.raises(Invalid):
        await desk.tickets.merge(source.id, target.id, desk.as_olivia)  # merged already


async def test_a_later_chat_joins_a_ticket_and_the_requesters_open_tickets_show(
    desk: Desk,
) -> None:
    ticket = await desk.tickets.create(
        desk.site.id, desk.visitor.id, "Broken zip", "", "medium", desk.as_olivia
    )
    assert [t.id for t in await desk.tickets.requester_tickets(desk.visitor.id)] == [ticket.id]
    conversation = await desk.chat("The zip broke again")
    joined = await desk.tickets.add_conversation(ticket.id, conversation, desk.as_olivia)
    assert "conversation_added" in await kinds(desk, joined.id)
    assert await bodies(desk, ticket.id) == [
        "The zip broke again",
        f"Added to ticket {ticket.label}: Broken zip",  # the note on the conversation's side
    ]
    again = await desk.tickets.add_conversation(ticket.id, conversation, desk.as_olivia)
    assert (await kinds(desk, again.id)).count("conversation_added") == 1
    await desk.tickets.update(ticket.id, desk.as_olivia, status="resolved")
    await desk.run_due()
    assert await desk.tickets.requester_tickets(desk.visitor.id) == []
    await desk.services.conversations.send_visitor_message(desk.visitor.id, "c-x", "Still broken")
    await desk.run_due()
    assert (await desk.tickets.get(ticket.id)).status == "open"


async def test_resolving_sends_the_requester_an_invitation_to_reply(desk: Desk) -> None:
    conversation = await desk.chat()
    ticket = await desk.tickets.create_from_conversation(
        conversation, desk.as_olivia, "Lost", "low"
    )
    await desk.tickets.update(ticket.id, desk.as_olivia, status="resolved")
    await desk.run_due()
    await desk.run_due()  # once only
    seen = await desk.services.conversations.messages(conversation, include_internal=False)
    assert [m.body for m in seen][-1].startswith(f"Your request {ticket.label} is resolved.")
    assert sum("is resolved" in m.body for m in seen) == 1

    await desk.services.sites.update_settings(
        desk.site.id, ticket_resolve_message="Fixed {reference}. Reply if not!"
    )
    await desk.tickets.update(ticket.id, desk.as_olivia, status="open")
    desk.clock.advance(minutes=1)
    await desk.tickets.update(ticket.id, desk.as_olivia, status="resolved")
    await desk.run_due()
    seen = await desk.services.conversations.messages(conversation, include_internal=False)
    assert seen[-1].body == f"Fixed {ticket.label}. Reply if not!"

    await desk.services.sites.update_settings(desk.site.id, ticket_resolve_message_enabled=False)
    await desk.tickets.update(ticket.id, desk.as_olivia, status="open")
    desk.clock.advance(minutes=1)
    await desk.tickets.update(ticket.id, desk.as_olivia, status="resolved")
    await desk.run_due()
    after = await desk.services.conversations.messages(conversation, include_internal=False)
    assert len(after) == len(seen)


async def test_saved_views_filter_sort_count_and_are_personal_or_shared(desk: Desk) -> None:
    order = await desk.tickets.catalog.add_field(desk.site.id, "Order number", "text")
    other = await desk.services.visitors.open_session(desk.site, None, PAGE)
    made = []
    for subject, priority, tags, requester in [
        ("Refund A", "high", ["refund"], desk.visitor.id),
        ("Refund B", "high", ["refund", "vip"], other.id),
        ("Refund C", "low", ["refund"], desk.visitor.id),
        ("Question", "high", ["faq"], desk.visitor.id),
    ]:
        made.append(
            await desk.tickets.create(
                desk.site.id,
                requester,
                subject,
                "",
                priority,
                desk.as_olivia,
                tags=tags,
                fields={order.id: "1042"} if subject != "Refund B" else {order.id: "77"},
            )
        )
    await desk.tickets.update(made[0].id, desk.as_olivia, assignee_id=desk.olivia.id)
    await desk.tickets.update(made[1].id, desk.as_olivia, assignee_id=desk.olivia.id)
    four = {
        "priority": ["high"],
        "assignee": "me",
        "tag": "refund",
        "field": {"field_id": order.id, "value": "1042"},
    }
    mine = await desk.tickets.views.save(desk.olivia.id, "My refunds", four, "newest")
    assert [t.subject for t in await desk.tickets.views.tickets(desk.olivia.id, mine)] == [
        "Refund A"
    ]
    wide = await desk.tickets.views.save(
        desk.olivia.id, "All refunds", {"tag": "refund", "status": ["open"]}, "oldest", True
    )
    listed = await desk.tickets.views.tickets(desk.omar.id, wide)
    assert [t.subject for t in listed] == ["Refund A", "Refund B", "Refund C"]
    assert [v.name for v in await desk.tickets.views.visible(desk.omar.id)] == ["All refunds"]
    olivias = await desk.tickets.views.visible(desk.olivia.id)
    assert await desk.tickets.views.counts(desk.olivia.id, olivias) == {wide.id: 3, mine.id: 1}

    await desk.tickets.update(made[0].id, desk.as_olivia, status="pending")
    assert await desk.tickets.views.counts(desk.olivia.id, olivias) == {wide.id: 2, mine.id: 1}
    paused = await desk.tickets.views.save(desk.olivia.id, "Paused", {"sla": "paused"})
    assert [t.id for t in await desk.tickets.views.tickets(desk.olivia.id, paused)] == [made[0].id]
    desk.clock.advance(minutes=50)  # 80% of the first-response hour of the high ones
    at_risk = await desk.tickets.views.save(desk.olivia.id, "At risk", {"sla": "warning"})
    shown = await desk.tickets.views.tickets(desk.olivia.id, at_risk)
    assert sorted(t.subject for t in shown) == ["Question", "Refund B"]
    days = {"created_from": "2030-01-07", "created_to": "2030-01-07"}
    today = await desk.tickets.views.save(desk.olivia.id, "Today", days, "due")
    assert len(await desk.tickets.views.tickets(desk.olivia.id, today)) == 4
    with pytest.raises(Invalid):
        await desk.tickets.views.save(desk.olivia.id, "Bad", {"priority": ["urgent"]})
    with pytest.raises(NotFound):
        await desk.tickets.views.delete(desk.omar.id, wide.id)  # not his
    await desk.tickets.views.delete(desk.olivia.id, wide.id)
    assert await desk.tickets.views.visible(desk.omar.id) == []


async def test_bulk_actions_change_each_ticket_and_report_failures(desk: Desk) -> None:
    made = [
        await desk.tickets.create(
            desk.site.id, desk.visitor.id, f"Ticket {n}", "", "low", desk.as_olivia
        )
        for n in range(3)
    ]
    ids = [t.id for t in made]
    changed, failed = await desk.tickets.bulk(ids, desk.as_olivia, assignee_id=desk.omar.id)
    assert [t.assignee_id for t in changed] == [desk.omar.id] * 3 and failed == {}
    changed, _ = await desk.tickets.bulk(ids, desk.as_olivia, priority="high", add_tag="vip")
    assert {(t.priority, tuple(t.tags)) for t in changed} == {("high", ("vip",))}
    changed, failed = await desk.tickets.bulk([*ids, 9999], desk.as_olivia, status="pending")
    assert {t.status for t in changed} == {"pending"} and list(failed) == [9999]
    changed, _ = await desk.tickets.bulk(ids, desk.as_olivia, merge_into=ids[0])
    assert [t.id for t in changed] == [ids[0], ids[0]]
    assert (await desk.tickets.get(ids[2])).merged_into_id == ids[0]
    changed, _ = await desk.tickets.bulk([ids[0]], desk.as_olivia, status="closed")
    assert changed[0].status == "closed"


async def test_custom_fields_and_statuses_map_to_built_in_behaviour(desk: Desk) -> None:
    catalog = desk.tickets.catalog
    order = await catalog.add_field(desk.site.id, "Order number", "text")
    amount = await catalog.add_field(desk.site.id, "Amount", "number")
    reason = await catalog.add_field(desk.site.id, "Reason", "select", ["Damaged", "Late"])
    when = await catalog.add_field(desk.site.id, "Delivered", "date")
    waiting = await catalog.add_status(desk.site.id, "Waiting on warehouse", "pending")
    with pytest.raises(Invalid):
        await catalog.add_field(desk.site.id, "Order number", "text")
    with pytest.raises(Invalid):
        await catalog.add_status(desk.site.id, "Nope", "snoozed")
    ticket = await desk.tickets.create(
        desk.site.id, desk.visitor.id, "Damaged", "", "high", desk.as_olivia
    )
    values = {order.id: "A-1042", amount.id: "19.90", reason.id: "Damaged", when.id: "2030-01-02"}
    await desk.tickets.set_fields(ticket.id, desk.as_olivia, values)
    assert await desk.tickets.field_values(ticket.id) == values
    for bad in ({amount.id: "lots"}, {reason.id: "Other"}, {when.id: "yesterday"}):
        with pytest.raises(Invalid):
            await desk.tickets.set_fields(ticket.id, desk.as_olivia, bad)
    await desk.tickets.set_fields(ticket.id, desk.as_olivia, {amount.id: ""})
    assert amount.id not in await desk.tickets.field_values(ticket.id)
    [change] = [h for h in await desk.tickets.history(ticket.id) if "Amount" in h.data][-1:]
    assert change.data["Amount"] == ["19.90", ""]

    moved = await desk.tickets.update(ticket.id, desk.as_olivia, status=waiting.name)
    assert (moved.status, moved.custom_status, moved.status_label) == (
        "pending",
        "Waiting on warehouse",
        "Waiting on warehouse",
    )
    assert moved.sla_paused_at is not None  # pending's behaviour: the clocks stand still
    reopened = await desk.tickets.update(ticket.id, desk.as_olivia, status="open")
    assert (reopened.custom_status, reopened.sla_paused_at) == (None, None)
    with pytest.raises(Invalid):
        await desk.tickets.update(ticket.id, desk.as_olivia, status="Snoozed")


async def test_a_template_makes_a_ticket_in_one_click(desk: Desk) -> None:
    order = await desk.tickets.catalog.add_field(desk.site.id, "Order number", "text")
    refund = await desk.tickets.catalog.add_template(
        desk.site.id, "Refund", "Refund request", "high", ["refund"], {order.id: "?"},
        "Check the payment in Stripe before refunding.",
    )  # fmt: skip
    conversation = await desk.chat("I want my money back")
    ticket = await desk.tickets.create_from_template(
        refund.id, desk.as_olivia, conversation_id=conversation
    )
    assert (ticket.subject, ticket.priority, ticket.tags) == ("Refund request", "high", ["refund"])
    assert ticket.conversation_id == conversation
    assert await desk.tickets.field_values(ticket.id) == {order.id: "?"}
    notes = [h.data["body"] for h in await desk.tickets.history(ticket.id) if h.kind == "note"]
    assert notes == ["Check the payment in Stripe before refunding."]
    by_hand = await desk.tickets.create_from_template(
        refund.id, desk.as_olivia, visitor_id=desk.visitor.id
    )
    assert by_hand.conversation_id is None and by_hand.label == "#1002"
    with pytest.raises(NotFound):
        await desk.tickets.create_from_template(9999, desk.as_olivia, visitor_id=desk.visitor.id)


async def test_escalation_rules_run_at_the_breach(desk: Desk) -> None:
    await desk.services.sites.update_settings(
        desk.site.id,
        sla_escalation={"raise_priority": True, "reassign_to": desk.omar.id, "notify": True},
    )
    seen = Seen(desk, SlaEscalated)
    ticket = await desk.tickets.create(
        desk.site.id, desk.visitor.id, "Late", "", "medium", desk.as_olivia
    )
    desk.clock.advance(hours=4)  # the medium first-response target
    await desk.run_due()
    await desk.run_due()
    after = await desk.tickets.get(ticket.id)
    assert (after.priority, after.assignee_id) == ("high", desk.omar.id)
    [escalated] = seen.events
    assert isinstance(escalated, SlaEscalated)
    assert escalated.actions == ("raise_priority", "reassign", "notify")
    assert escalated.actor == Actor.system("sla")
    assert "sla.escalated" in await kinds(desk, ticket.id)
