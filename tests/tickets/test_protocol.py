"""Tickets on the `/operator` socket against a real server on a manual clock: one operator
turns a chat into a ticket, another hears it live and lists it; updates, notes, history,
the SLA warning moved by the server's clock, and the visitor's reply reopening it."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest

from porch.canned.service import CannedReplies
from porch.clock import ManualClock
from porch.config import Config
from porch.services import Services
from tests.support.chat_clients import (
    Client,
    Seeded,
    add_operator,
    open_session,
    operator_client,
    seed,
    visitor_client,
)
from tests.support.live_server import LiveServer, start_live_server


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def live_server(config: Config, clock: ManualClock) -> Iterator[LiveServer]:
    server = start_live_server(config, clock)
    yield server
    server.stop()


@pytest.fixture
async def clients() -> AsyncIterator[list[Client]]:
    opened: list[Client] = []
    yield opened
    for client in opened:
        await client.close()


async def chat(server: LiveServer, seeded: Seeded, clients: list[Client]) -> tuple[Client, int]:
    """A visitor's widget that has said something; the conversation's id."""
    session = await open_session(server, seeded.site.key)
    visitor = await visitor_client(server, session["visitor_token"])
    clients.append(visitor)
    ack = await visitor.call("message.send", {"client_id": "m1", "body": "Where is my order?"})
    return visitor, ack["message"]["conversation_id"]


async def test_a_chat_becomes_a_ticket_others_see_live(
    live_server: LiveServer, clock: ManualClock, clients: list[Client]
) -> None:
    seeded = seed(live_server)
    sam = add_operator(live_server, "Sam")
    olivia = await operator_client(live_server, seeded.operator.id)
    other = await operator_client(live_server, sam.id)
    clients += [olivia, other]
    visitor, conversation = await chat(live_server, seeded, clients)

    ack = await olivia.call(
        "ticket.create",
        {"conversation_id": conversation, "subject": "Lost parcel", "priority": "high"},
    )
    assert ack["ok"], ack
    ticket = ack["ticket"]
    assert (ticket["label"], ticket["status"], ticket["priority"]) == ("#1001", "open", "high")
    assert ticket["sla"]["state"] == "ok"
    assert [d["target"] for d in ticket["sla"]["deadlines"]] == ["first_response", "resolution"]
    heard = await other.until("ticket.updated", lambda e: e["event"] == "ticket.created")
    assert heard["ticket"]["id"] == ticket["id"] and heard["actor"]["name"] == "Olivia"
    listed = await other.call("tickets.list", {"view": "urgent"})
    assert [t["id"] for t in listed["tickets"]] == [ticket["id"]]
    assert listed["counts"] == {
        "mine": 0,
        "unassigned": 1,
        "urgent": 1,
        "pending": 0,
        "resolved": 0,
    }

    clock.advance(minutes=48)  # 80% of the first-response hour
    warning = await other.next("sla.warning")
    assert (warning["ticket"]["id"], warning["target"]) == (ticket["id"], "first_response")
    assert warning["ticket"]["sla"]["state"] == "warning"

    paused = await olivia.call("ticket.update", {"ticket_id": ticket["id"], "status": "pending"})
    assert paused["ticket"]["sla"]["state"] == "paused"
    assert (await olivia.call("ticket.note", {"ticket_id": ticket["id"], "body": "Asked DHL"}))[
        "ok"
    ]
    resolved = await olivia.call(
        "ticket.update", {"ticket_id": ticket["id"], "status": "resolved", "assignee_id": sam.id}
    )
    assert resolved["ticket"]["assignee"] == {"id": sam.id, "name": "Sam"}
    # The resolve message is a job: the customer gets it, then answers it.
    await visitor.until(
        "message", lambda m: m["body"].startswith("Your request #1001 is resolved.")
    )

    await visitor.call("message.send", {"client_id": "m2", "body": "Still nothing"})
    reopened = await other.until(
        "ticket.updated", lambda e: e["event"] == "ticket.status_changed"
        and e["ticket"]["status"] == "open"
    )  # fmt: skip
    assert reopened["actor"]["kind"] == "visitor"

    detail = await other.call("ticket.get", {"ticket_id": ticket["id"]})
    kinds = [h["kind"] for h in detail["history"]]
    assert kinds[0] == "created" and "note" in kinds and "sla.warning" in kinds
    bodies = [m["body"] for m in detail["messages"]]
    assert bodies[0] == "Where is my order?" and "Still nothing" in bodies
    assert any(b.startswith("Your request #1001 is resolved.") for b in bodies)  # the invite


async def test_bad_ticket_requests_get_error_acks(
    live_server: LiveServer, clients: list[Client]
) -> None:
    seeded = seed(live_server)
    olivia = await operator_client(live_server, seeded.operator.id)
    clients.append(olivia)
    bad = await olivia.call("ticket.create", {"subject": "x", "priority": "urgent"})
    assert bad["error"]["code"] == "invalid"
    missing = await olivia.call("ticket.get", {"ticket_id": 999})
    assert missing["error"]["code"] == "not_found"
    nowhere = await olivia.call("ticket.create", {"subject": "Lost"})
    assert nowhere["error"]["code"] == "invalid"


async def test_merge_bulk_saved_views_and_the_requesters_tickets_over_the_socket(
    live_server: LiveServer, clients: list[Client]
) -> None:
    seeded = seed(live_server)
    olivia = await operator_client(live_server, seeded.operator.id)
    clients.append(olivia)
    _visitor, conversation = await chat(live_server, seeded, clients)
    first = await olivia.call("ticket.create", {"conversation_id": conversation, "subject": "A"})
    lookup = await olivia.call("tickets.requester", {"conversation_id": conversation})
    assert [t["label"] for t in lookup["tickets"]] == ["#1001"] and lookup["templates"] == []
    second = await olivia.call("ticket.create", {"conversation_id": conversation, "subject": "B"})
    ids = [first["ticket"]["id"], second["ticket"]["id"]]

    bulk = await olivia.call("tickets.bulk", {"ticket_ids": ids, "priority": "critical"})
    assert [t["priority"] for t in bulk["tickets"]] == ["critical", "critical"]
    saved = await olivia.call(
        "ticket_views.save",
        {"name": "Critical", "filters": {"priority": ["critical"], "status": ["open"]}},
    )
    listed = await olivia.call("tickets.list", {"saved_view_id": saved["view"]["id"]})
    assert [v["count"] for v in listed["saved_views"]] == [2]
    assert sorted(t["id"] for t in listed["tickets"]) == sorted(ids)

    merged = await olivia.call("ticket.merge", {"ticket_id": ids[1], "into_reference": 1001})
    assert merged["ticket"]["id"] == ids[0]
    heard = await olivia.until("ticket.updated", lambda e: e["event"] == "ticket.merged")
    assert heard["ticket"]["merged_into_id"] == ids[0]
    listed = await olivia.call("tickets.list", {"saved_view_id": saved["view"]["id"]})
    assert [v["count"] for v in listed["saved_views"]] == [1]

    bad = await olivia.call("ticket_views.save", {"name": "x", "filters": {"sla": "late"}})
    assert bad["error"]["code"] == "invalid"
    nowhere = await olivia.call("ticket.merge", {"ticket_id": ids[0], "into_reference": 9})
    assert nowhere["error"]["code"] == "not_found"
    self_merge = await olivia.call("ticket.merge", {"ticket_id": ids[0], "into_id": ids[0]})
    assert self_merge["error"]["code"] == "invalid"


async def test_fields_statuses_and_templates_over_the_socket(
    live_server: LiveServer, clients: list[Client]
) -> None:
    seeded = seed(live_server)
    olivia = await operator_client(live_server, seeded.operator.id)
    clients.append(olivia)
    _visitor, conversation = await chat(live_server, seeded, clients)
    site = seeded.site.id
    field = await olivia.call(
        "ticket_fields.add", {"site_id": site, "name": "Order number", "kind": "text"}
    )
    status = await olivia.call(
        "ticket_statuses.add", {"site_id": site, "name": "With the warehouse", "maps_to": "pending"}
    )
    order = str(field["field"]["id"])
    template = await olivia.call(
        "ticket_templates.add",
        {"site_id": site, "name": "Refund", "subject": "Refund request", "priority": "high",
         "tags": ["refund"], "fields": {order: "A-1"}, "note": "Check the payment"},
    )  # fmt: skip
    assert status["ok"] and template["ok"], (status, template)
    made = await olivia.call(
        "ticket.create",
        {"subject": "ignored", "conversation_id": conversation,
         "template_id": template["template"]["id"]},
    )  # fmt: skip
    ticket = made["ticket"]
    assert (ticket["subject"], ticket["priority"], ticket["tags"]) == (
        "Refund request", "high", ["refund"],
    )  # fmt: skip
    detail = await olivia.call("ticket.get", {"ticket_id": ticket["id"]})
    assert detail["fields"] == {order: "A-1"}
    assert [f["name"] for f in detail["site_fields"]] == ["Order number"]
    assert [s["name"] for s in detail["statuses"]] == ["With the warehouse"]
    assert [h["data"].get("body") for h in detail["history"] if h["kind"] == "note"] == [
        "Check the payment"
    ]
    moved = await olivia.call(
        "ticket.update", {"ticket_id": ticket["id"], "status": "With the warehouse"}
    )
    assert (moved["ticket"]["status"], moved["ticket"]["status_label"]) == (
        "pending", "With the warehouse",
    )  # fmt: skip
    assert moved["ticket"]["sla"]["state"] == "paused"
    saved = await olivia.call("ticket.fields", {"ticket_id": ticket["id"], "values": {order: ""}})
    assert saved["fields"] == {}
    bad = await olivia.call("ticket.fields", {"ticket_id": ticket["id"], "values": {"x": "1"}})
    assert bad["error"]["code"] == "invalid"


async def test_a_breach_escalates_and_every_operator_hears_it(
    live_server: LiveServer, clock: ManualClock, clients: list[Client]
) -> None:
    seeded = seed(live_server)
    sam = add_operator(live_server, "Sam")
    rules = {"raise_priority": True, "reassign_to": sam.id, "notify": True}

    async def escalate(services: Services) -> None:
        await services.sites.update_settings(seeded.site.id, sla_escalation=rules)

    live_server.call(escalate)
    olivia = await operator_client(live_server, seeded.operator.id)
    clients.append(olivia)
    _visitor, conversation = await chat(live_server, seeded, clients)
    made = await olivia.call(
        "ticket.create", {"conversation_id": conversation, "subject": "Late", "priority": "low"}
    )
    clock.advance(hours=8)  # the low first-response target
    escalated = await olivia.next("sla.escalated")
    assert escalated["ticket"]["id"] == made["ticket"]["id"]
    assert escalated["actions"] == ["raise_priority", "reassign", "notify"]
    assert escalated["ticket"]["priority"] == "medium"
    assert escalated["ticket"]["assignee"] == {"id": sam.id, "name": "Sam"}


async def test_only_admins_define_fields_statuses_and_templates(
    live_server: LiveServer, clients: list[Client]
) -> None:
    seeded = seed(live_server)

    async def make_agent(services: Services) -> int:
        agent = await services.operators.create(
            "abe@shop.example", "Abe", "pw-123456", role="agent"
        )
        return agent.id

    abe = await operator_client(live_server, live_server.call(make_agent))
    clients.append(abe)
    site = seeded.site.id
    field = await abe.call("ticket_fields.add", {"site_id": site, "name": "Order", "kind": "text"})
    status = await abe.call(
        "ticket_statuses.add", {"site_id": site, "name": "Waiting", "maps_to": "pending"}
    )
    assert (field["error"]["code"], status["error"]["code"]) == ("forbidden", "forbidden")
    catalog = await abe.call("ticket_catalog.get", {"site_id": site})
    assert catalog["ok"] and catalog["site_fields"] == [] and catalog["statuses"] == []


async def test_a_templates_canned_replies_are_suggested_on_its_tickets_and_answer_them(
    live_server: LiveServer, clients: list[Client]
) -> None:
    seeded = seed(live_server)

    async def shared_replies(services: Services) -> None:
        canned = CannedReplies(services.db, services.clock)
        await canned.add(
            seeded.site.id, "photo", "Ask for a photo", "A photo please, {{contact.name}}"
        )
        await canned.add(seeded.site.id, "mine", "Mine", "Personal", seeded.operator.id)

    live_server.call(shared_replies)
    olivia = await operator_client(live_server, seeded.operator.id)
    clients.append(olivia)
    visitor, conversation = await chat(live_server, seeded, clients)
    define = {"site_id": seeded.site.id, "name": "Damaged", "subject": "Damaged parcel"}
    personal = await olivia.call("ticket_templates.add", {**define, "canned": ["mine"]})
    assert personal["error"]["code"] == "not_found"  # only shared replies can be linked
    assert "/mine" in personal["error"]["message"]
    template = await olivia.call("ticket_templates.add", {**define, "canned": ["/photo"]})
    made = await olivia.call(
        "ticket.create",
        {"subject": "-", "conversation_id": conversation,
         "template_id": template["template"]["id"]},
    )  # fmt: skip
    detail = await olivia.call("ticket.get", {"ticket_id": made["ticket"]["id"]})
    [suggested] = detail["suggested_replies"]
    assert (suggested["shortcut"], suggested["title"]) == ("photo", "Ask for a photo")
    assert suggested["body"].startswith("A photo please")  # filled for this contact
    by_hand = await olivia.call(
        "ticket.create", {"conversation_id": conversation, "subject": "Other"}
    )
    plain = await olivia.call("ticket.get", {"ticket_id": by_hand["ticket"]["id"]})
    assert plain["suggested_replies"] == []
    sent = await olivia.call(
        "ticket.reply",
        {"ticket_id": made["ticket"]["id"], "client_id": "tr-1", "body": suggested["body"]},
    )
    assert sent["ok"], sent
    heard = await visitor.until("message", lambda m: m["author"] == "operator")
    assert heard["body"] == suggested["body"]  # the requester gets it in their chat
