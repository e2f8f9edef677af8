"""/operators, /tickets and /site."""

from __future__ import annotations

from sqlalchemy import event as sa_event

from porch.tickets.catalog import Catalog
from tests.api.conftest import World


async def test_operators_are_listed_with_presence(world: World) -> None:
    sam = await world.services.operators.create("sam@shop.example", "Sam", "pw-123456")
    listed = (await world.get("/api/v1/operators")).json()
    assert listed["data"] == [
        {"id": sam.id, "name": "Sam", "status": "offline"},
        {"id": world.olivia.id, "name": "Olivia", "status": "offline"},
    ]
    one = await world.get(f"/api/v1/operators/{world.olivia.id}")
    assert one.json()["name"] == "Olivia"
    assert (await world.get("/api/v1/operators/999")).status_code == 404


async def test_tickets_are_created_filtered_updated_noted_and_replied(world: World) -> None:
    conversation = await world.chat("My parcel is lost")
    contact = (await world.post("/api/v1/contacts", {"name": "Phone caller"})).json()
    from_chat = await world.post("/api/v1/tickets", {
        "conversation_id": conversation, "subject": "Lost parcel", "priority": "high",
        "tags": ["shipping"]})  # fmt: skip
    assert from_chat.status_code == 201, from_chat.text
    ticket = from_chat.json()
    assert (ticket["label"], ticket["priority"], ticket["tags"]) == ("#1001", "high", ["shipping"])
    call_back = {"contact_id": contact["id"], "subject": "Call back", "priority": "low"}
    by_hand = (await world.post("/api/v1/tickets", call_back)).json()

    def ids(reply: object) -> list[int]:
        return [t["id"] for t in reply.json()["data"]]  # type: ignore[attr-defined]

    assert ids(await world.get("/api/v1/tickets")) == [by_hand["id"], ticket["id"]]
    assert ids(await world.get("/api/v1/tickets", view="urgent")) == [ticket["id"]]
    assert ids(await world.get("/api/v1/tickets", priority="low")) == [by_hand["id"]]
    assert ids(await world.get("/api/v1/tickets", contact_id=str(contact["id"]))) == [by_hand["id"]]

    path = f"/api/v1/tickets/{ticket['id']}"
    changed = await world.patch(path, {"status": "pending", "assignee_id": world.olivia.id})
    assert changed.json()["status"] == "pending"
    assert changed.json()["assignee"]["name"] == "Olivia"
    assert ids(await world.get("/api/v1/tickets", view="pending")) == [ticket["id"]]
    assert ids(await world.get("/api/v1/tickets", assignee_id=str(world.olivia.id))) == [
        ticket["id"]
    ]
    note = await world.post(path + "/notes", {"body": "Asked the carrier",
                                              "operator_id": world.olivia.id})  # fmt: skip
    assert note.status_code == 201 and note.json()["kind"] == "note"
    reply = await world.post(path + "/replies", {"body": "We are on it",
                                                 "operator_id": world.olivia.id})  # fmt: skip
    assert reply.status_code == 201 and reply.json()["conversation_id"] == conversation
    history = (await world.get(path + "/history")).json()["data"]
    assert [h["kind"] for h in history][:3] == ["created", "updated", "updated"]
    assert "note" in [h["kind"] for h in history]
    no_chat = await world.post(f"/api/v1/tickets/{by_hand['id']}/replies",
                               {"body": "Hi", "operator_id": world.olivia.id})  # fmt: skip
    assert no_chat.status_code == 422
    both = await world.post("/api/v1/tickets", {"subject": "x"})
    assert both.status_code == 422
    tags = (await world.get("/api/v1/tags")).json()["data"]
    assert tags == [{"name": "shipping", "tickets": 1, "conversations": 0}]
    other = await world.get(path, token=world.other_token)
    assert other.status_code == 404


async def test_the_site_is_read_and_its_settings_changed(world: World) -> None:
    site = (await world.get("/api/v1/site")).json()
    assert site["key"] == world.site.key and "identity_secret" not in site
    changed = await world.patch("/api/v1/site", {
        "name": "Shop Two", "settings": {"greeting": "Hi there", "color": "#112233"}})  # fmt: skip
    assert changed.status_code == 200, changed.text
    assert changed.json()["settings"]["greeting"] == "Hi there"
    bad = await world.patch("/api/v1/site", {"settings": {"color": "red"}})
    assert bad.status_code == 422 and bad.json()["error"]["field"] == "body.settings.color"
    read_only = await world.patch("/api/v1/site", {"name": "x"}, token=world.read_token)
    assert read_only.status_code == 403


async def statements_of(world: World, path: str, **params: str) -> int:
    """How many SQL statements one request runs (a warm-up request runs first, so the
    key's occasional `last_used_at` write is not counted)."""
    counted: list[str] = []

    def count(conn: object, cursor: object, statement: str, *rest: object) -> None:
        counted.append(statement)

    await world.get(path, **params)
    engine = world.services.db.engine.sync_engine
    sa_event.listen(engine, "before_cursor_execute", count)
    try:
        reply = await world.get(path, **params)
    finally:
        sa_event.remove(engine, "before_cursor_execute", count)
    assert reply.status_code == 200, reply.text
    return len(counted)


async def test_a_page_of_tickets_takes_the_same_few_queries_whatever_its_size(
    world: World,
) -> None:
    contact = (await world.post("/api/v1/contacts", {"name": "Ann"})).json()
    sam = await world.services.operators.create("sam@shop.example", "Sam", "pw-123456")

    async def add(count: int) -> None:
        for n in range(count):
            made = await world.post("/api/v1/tickets", {
                "contact_id": contact["id"], "subject": f"Order {n}", "tags": ["vip"]})  # fmt: skip
            await world.patch(f"/api/v1/tickets/{made.json()['id']}", {"assignee_id": sam.id})

    await add(2)
    few = await statements_of(world, "/api/v1/tickets")
    await add(18)
    many = await statements_of(world, "/api/v1/tickets")
    listed = (await world.get("/api/v1/tickets")).json()["data"]
    assert len(listed) == 20 and listed[0]["assignee"]["name"] == "Sam"
    assert many == few <= 4, (few, many)
    chats = [await world.chat(f"Question {n}") for n in range(3)]
    await world.patch(f"/api/v1/conversations/{chats[0]}", {"tags": ["vip"]})
    few = await statements_of(world, "/api/v1/conversations")
    for n in range(10):
        await world.chat(f"More {n}")
    assert await statements_of(world, "/api/v1/conversations") == few


async def test_tickets_are_merged_bulk_changed_and_joined_by_chats(world: World) -> None:
    contact = (await world.post("/api/v1/contacts", {"name": "Ann"})).json()

    async def ticket(subject: str) -> int:
        made = await world.post(
            "/api/v1/tickets", {"contact_id": contact["id"], "subject": subject}
        )
        return int(made.json()["id"])

    first, second, third = await ticket("Refund"), await ticket("Refund again"), await ticket("Hi")
    changed = await world.post("/api/v1/tickets/bulk", {
        "ticket_ids": [first, second, 999], "priority": "high", "add_tag": "refunds"})  # fmt: skip
    assert changed.status_code == 200, changed.text
    result = changed.json()
    assert [t["priority"] for t in result["changed"]] == ["high", "high"]
    assert result["failed"] == [{"ticket_id": 999, "error": "no such ticket"}]
    assert (await world.get(f"/api/v1/tickets/{first}")).json()["tags"] == ["refunds"]

    merged = await world.post(f"/api/v1/tickets/{second}/merge", {"into_ticket_id": first})
    assert merged.status_code == 200 and merged.json()["id"] == first
    assert (await world.get(f"/api/v1/tickets/{second}")).json()["status"] == "closed"
    other = await world.post(f"/api/v1/tickets/{third}/merge", {"into_ticket_id": 999})
    assert other.status_code == 404 and other.json()["error"]["field"] == "body.into_ticket_id"

    chat = await world.chat("About my refund")
    joined = await world.post(f"/api/v1/tickets/{third}/conversations", {"conversation_id": chat})
    assert joined.status_code == 200, joined.text
    transcript = (await world.get(f"/api/v1/tickets/{third}/transcript")).json()["data"]
    assert [m["body"] for m in transcript] == ["About my refund", "Added to ticket #1003: Hi"]
    foreign = await world.chat("Elsewhere", site=world.other_site)
    refused = await world.post(f"/api/v1/tickets/{third}/conversations",
                               {"conversation_id": foreign})  # fmt: skip
    assert refused.status_code == 404
    read_only = await world.post("/api/v1/tickets/bulk", {"ticket_ids": [first]},
                                 token=world.read_token)  # fmt: skip
    assert read_only.status_code == 403


async def test_custom_fields_and_templates(world: World) -> None:
    kept = Catalog(world.services.db)
    plan = await kept.add_field(world.site.id, "Plan", "select", ["Basic", "Gold"])
    order = await kept.add_field(world.site.id, "Order number", "number")
    template = await kept.add_template(
        world.site.id, "Damaged parcel", "Damaged parcel", "high", ["shipping"], {plan.id: "Gold"}
    )
    await kept.add_field(world.other_site.id, "Theirs", "text")
    fields = (await world.get("/api/v1/ticket-fields")).json()["data"]
    assert [f["name"] for f in fields] == ["Order number", "Plan"]
    templates = (await world.get("/api/v1/ticket-templates")).json()["data"]
    assert templates[0]["fields"] == {str(plan.id): "Gold"}

    contact = (await world.post("/api/v1/contacts", {"name": "Ann"})).json()
    made = await world.post("/api/v1/tickets/from-template",
                            {"template_id": template.id, "contact_id": contact["id"]})  # fmt: skip
    assert made.status_code == 201, made.text
    ticket = made.json()
    assert (ticket["subject"], ticket["priority"], ticket["tags"]) == (
        "Damaged parcel", "high", ["shipping"])  # fmt: skip
    path = f"/api/v1/tickets/{ticket['id']}/fields"
    assert (await world.get(path)).json()["data"] == [
        {"field_id": plan.id, "name": "Plan", "value": "Gold"}
    ]
    changed = await world.post(path, {"values": {str(order.id): "1042", str(plan.id): ""}})
    assert changed.status_code == 200, changed.text
    assert changed.json()["data"] == [
        {"field_id": order.id, "name": "Order number", "value": "1042"}
    ]
    wrong = await world.post(path, {"values": {str(order.id): "many"}})
    assert wrong.status_code == 422 and "number" in wrong.json()["error"]["message"]
    theirs = await world.post("/api/v1/tickets/from-template",
                              {"template_id": template.id, "contact_id": contact["id"]},
                              token=world.other_token)  # fmt: skip
    assert theirs.status_code == 404
