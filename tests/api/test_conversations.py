"""/conversations and their messages: filters, pages, status and assignee changes,
posting as an operator, the bot or a note."""

from __future__ import annotations

from datetime import timedelta

from tests.api.conftest import World


async def test_conversations_filter_by_status_assignee_and_time(world: World) -> None:
    first = await world.chat("First question")
    second = await world.chat("Second question")
    third = await world.chat("Third question")
    path = "/api/v1/conversations"

    assigned = await world.patch(f"{path}/{first}", {"assignee_id": world.olivia.id})
    assert assigned.json()["assignee"] == {"id": world.olivia.id, "name": "Olivia"}
    closed = await world.patch(f"{path}/{second}", {"status": "closed"})
    assert closed.json()["status"] == "closed"

    def ids(reply: object) -> list[int]:
        return [c["id"] for c in reply.json()["data"]]  # type: ignore[attr-defined]

    assert ids(await world.get(path)) == [third, second, first]
    assert ids(await world.get(path, status="open")) == [third, first]
    assert ids(await world.get(path, assignee_id=str(world.olivia.id))) == [first]
    assert ids(await world.get(path, assignee_id="none")) == [third, second]
    future = (world.clock.now() + timedelta(days=1)).isoformat()
    assert ids(await world.get(path, updated_since=future)) == []
    page = (await world.get(path, limit=2)).json()
    assert ids(await world.get(path, limit=2, cursor=page["meta"]["next_cursor"])) == [first]

    unassigned = await world.patch(f"{path}/{first}", {"assignee_id": None})
    assert unassigned.json()["assignee"] is None
    reopened = await world.patch(f"{path}/{second}", {"status": "open"})
    assert reopened.json()["status"] == "open"
    nobody = await world.patch(f"{path}/{first}", {"assignee_id": 999})
    assert nobody.status_code == 404
    wrong = await world.patch(f"{path}/{first}", {"status": "snoozed"})
    assert wrong.status_code == 422 and wrong.json()["error"]["field"] == "body.status"


async def test_messages_are_posted_as_operator_bot_and_note_and_listed(world: World) -> None:
    conversation = await world.chat("Is it in stock?")
    path = f"/api/v1/conversations/{conversation}/messages"
    as_operator = await world.post(path, {"author": "operator", "operator_id": world.olivia.id,
                                          "body": "Yes, it is", "client_id": "crm-1"})  # fmt: skip
    assert as_operator.status_code == 201, as_operator.text
    assert as_operator.json()["author_name"] == "Olivia"
    again = await world.post(path, {"author": "operator", "operator_id": world.olivia.id,
                                    "body": "Yes, it is", "client_id": "crm-1"})  # fmt: skip
    assert again.json()["id"] == as_operator.json()["id"]
    bot = await world.post(path, {"author": "bot", "bot_name": "Helper", "body": "Anything else?"})
    assert bot.json()["author"] == "bot" and bot.json()["author_name"] == "Helper"
    note = await world.post(path, {"author": "operator", "operator_id": world.olivia.id,
                                   "body": "VIP customer", "internal": True})  # fmt: skip
    assert note.json()["internal"] is True

    listed = (await world.get(path)).json()["data"]
    assert [m["body"] for m in listed] == [
        "VIP customer", "Anything else?", "Yes, it is", "Is it in stock?"]  # fmt: skip
    public = (await world.get(path, include_internal="false")).json()["data"]
    assert "VIP customer" not in [m["body"] for m in public]
    page = (await world.get(path, limit=3)).json()
    rest = (await world.get(path, limit=3, cursor=page["meta"]["next_cursor"])).json()
    assert [m["body"] for m in rest["data"]] == ["Is it in stock?"]

    nameless = await world.post(path, {"author": "operator", "body": "Who am I?"})
    assert nameless.status_code == 422
    empty = await world.post(path, {"author": "bot", "body": "   "})
    assert empty.status_code == 422 and empty.json()["error"]["field"] == "body.body"
