"""/contacts: list with search and pages, get, create, update, merge, export, erase."""

from __future__ import annotations

from tests.api.conftest import World


async def test_contacts_are_created_listed_in_pages_and_searched(world: World) -> None:
    made = []
    for n in range(5):
        reply = await world.post("/api/v1/contacts", {
            "name": f"Person {n}", "email": f"p{n}@shop.example",
            "properties": {"plan": "pro" if n % 2 else "free", "orders": n},
        })  # fmt: skip
        assert reply.status_code == 201, reply.text
        made.append(reply.json())
    assert made[0]["properties"] == {"plan": "free", "orders": 0}

    first = (await world.get("/api/v1/contacts", limit=2)).json()
    assert [c["name"] for c in first["data"]] == ["Person 4", "Person 3"]
    cursor = first["meta"]["next_cursor"]
    assert (await world.get("/api/v1/contacts", limit=2, cursor="")).json() == first
    second = (await world.get("/api/v1/contacts", limit=2, cursor=cursor)).json()
    assert [c["name"] for c in second["data"]] == ["Person 2", "Person 1"]
    last = (await world.get("/api/v1/contacts", limit=2,
                            cursor=second["meta"]["next_cursor"])).json()  # fmt: skip
    assert [c["name"] for c in last["data"]] == ["Person 0"]
    assert last["meta"]["next_cursor"] is None

    by_email = (await world.get("/api/v1/contacts", email="P3@Shop.example")).json()["data"]
    assert [c["name"] for c in by_email] == ["Person 3"]
    by_name = (await world.get("/api/v1/contacts", name="son 1")).json()["data"]
    assert [c["name"] for c in by_name] == ["Person 1"]
    pro = (await world.get("/api/v1/contacts", property="plan:pro")).json()["data"]
    assert [c["name"] for c in pro] == ["Person 3", "Person 1"]


async def test_a_contact_is_changed_exported_and_erased(world: World) -> None:
    contact = (await world.post("/api/v1/contacts", {"name": "Ann"})).json()
    path = f"/api/v1/contacts/{contact['id']}"
    changed = await world.patch(path, {"email": "ann@shop.example", "properties": {"vip": True}})
    assert changed.status_code == 200
    assert changed.json()["email"] == "ann@shop.example"
    assert (await world.get(path)).json()["properties"] == {"vip": True}

    started = await world.post("/api/v1/conversations", {"contact_id": contact["id"]})
    assert started.status_code == 201
    conversation = started.json()["id"]
    await world.post(f"/api/v1/conversations/{conversation}/messages",
                     {"author": "bot", "body": "Hello Ann"})  # fmt: skip
    export = (await world.get(path + "/export")).json()
    assert export["visitors"][0]["email"] == "ann@shop.example"
    assert export["visitors"][0]["conversation"]["messages"][0]["body"] == "Hello Ann"

    assert (await world.delete(path, token=world.read_token)).status_code == 403
    assert (await world.delete(path)).status_code == 204
    assert (await world.get(path)).status_code == 404
    assert (await world.get(f"/api/v1/conversations/{conversation}")).status_code == 404


async def test_two_contacts_merge_into_one(world: World) -> None:
    ann = (await world.post("/api/v1/contacts", {"name": "Ann", "properties": {"a": 1}})).json()
    old = {"name": "Ann (old)", "email": "ann@x.example", "properties": {"a": 2, "b": 3}}
    dup = (await world.post("/api/v1/contacts", old)).json()
    chat = (await world.post("/api/v1/conversations", {"contact_id": dup["id"]})).json()
    ticket = {"contact_id": dup["id"], "subject": "Refund"}
    refund = (await world.post("/api/v1/tickets", ticket)).json()
    merged = await world.post(f"/api/v1/contacts/{ann['id']}/merge",
                              {"from_contact_id": dup["id"]})  # fmt: skip
    assert merged.status_code == 200, merged.text
    assert merged.json()["email"] == "ann@x.example"
    assert merged.json()["properties"] == {"a": 1, "b": 3}
    assert (await world.get(f"/api/v1/contacts/{dup['id']}")).status_code == 404
    moved = (await world.get(f"/api/v1/conversations/{chat['id']}")).json()
    assert moved["visitor_id"] == ann["id"]
    kept = (await world.get(f"/api/v1/tickets/{refund['id']}")).json()  # not erased with dup
    assert kept["requester"]["id"] == ann["id"]
    itself = await world.post(f"/api/v1/contacts/{ann['id']}/merge",
                              {"from_contact_id": ann["id"]})  # fmt: skip
    assert itself.status_code == 422
    missing = await world.post(f"/api/v1/contacts/{ann['id']}/merge", {"from_contact_id": 999})
    assert missing.status_code == 404 and missing.json()["error"]["field"] == "body.from_contact_id"


async def test_contact_property_definitions_type_the_values(world: World) -> None:
    made = await world.post("/api/v1/contact-properties",
                            {"key": "orders", "type": "number", "label": "Orders"})  # fmt: skip
    assert made.status_code == 201, made.text
    again = await world.post("/api/v1/contact-properties", {"key": "orders"})
    assert again.status_code == 422
    listed = (await world.get("/api/v1/contact-properties")).json()["data"]
    assert [(d["key"], d["type"], d["label"]) for d in listed] == [("orders", "number", "Orders")]

    wrong = await world.post("/api/v1/contacts", {"name": "Ann", "properties": {"orders": "3"}})
    assert wrong.status_code == 422
    assert wrong.json()["error"]["field"] == "body.properties.orders"
    right = await world.post("/api/v1/contacts", {"name": "Ann", "properties": {"orders": 3}})
    assert right.status_code == 201
    free = await world.post("/api/v1/contacts", {"name": "Bo", "properties": {"any": "thing"}})
    assert free.status_code == 201

    path = f"/api/v1/contact-properties/{made.json()['id']}"
    relabelled = await world.patch(path, {"label": "Orders placed"})
    assert relabelled.json()["label"] == "Orders placed"
    assert (await world.get(path, token=world.other_token)).status_code == 404
    assert (await world.delete(path)).status_code == 204
    loose = await world.patch(f"/api/v1/contacts/{right.json()['id']}",
                              {"properties": {"orders": "many"}})  # fmt: skip
    assert loose.status_code == 200
