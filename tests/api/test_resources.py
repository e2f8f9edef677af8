"""/tags, /canned-replies, /flows and /knowledge-sources, and conversations' tags."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from porch.paths import PACKAGE_DIR
from tests.api.conftest import World
from tests.support.live_server import serve_in_thread

TEMPLATE = PACKAGE_DIR / "flows" / "templates" / "pricing-page-help.json"


def names(reply: object, key: str = "id") -> list[object]:
    return [item[key] for item in reply.json()["data"]]  # type: ignore[attr-defined]


async def test_conversations_are_tagged_filtered_by_tag_and_tags_are_counted(
    world: World,
) -> None:
    first, second = await world.chat("Refund please"), await world.chat("Where is it?")
    path = f"/api/v1/conversations/{first}"
    tagged = await world.patch(path, {"tags": ["Refund", "vip"]})
    assert tagged.status_code == 200, tagged.text
    assert tagged.json()["tags"] == ["refund", "vip"]
    await world.patch(f"/api/v1/conversations/{second}", {"tags": ["vip"]})
    assert names(await world.get("/api/v1/conversations", tag="refund")) == [first]
    assert names(await world.get("/api/v1/conversations", tag="VIP")) == [second, first]
    assert (await world.patch(path, {"tags": ["vip"]})).json()["tags"] == ["vip"]
    bad = await world.patch(path, {"tags": ["no/slashes"], "status": "closed"})
    assert bad.status_code == 422
    assert (await world.get(path)).json()["status"] == "open"  # nothing changed

    contact = (await world.post("/api/v1/contacts", {"name": "Ann"})).json()
    ticket = {"contact_id": contact["id"], "subject": "Refund", "tags": ["vip", "billing"]}
    assert (await world.post("/api/v1/tickets", ticket)).status_code == 201
    tags = (await world.get("/api/v1/tags")).json()
    assert tags["data"] == [
        {"name": "billing", "tickets": 1, "conversations": 0},
        {"name": "vip", "tickets": 1, "conversations": 2},
    ]
    first_page = (await world.get("/api/v1/tags", limit="1")).json()
    assert names_of(first_page) == ["billing"]
    rest = await world.get("/api/v1/tags", cursor=first_page["meta"]["next_cursor"])
    assert names(rest, "name") == ["vip"] and rest.json()["meta"]["next_cursor"] is None
    assert (await world.get("/api/v1/tags", token=world.other_token)).json()["data"] == []
    assert (await world.get("/api/v1/tags", cursor="bogus")).status_code == 400


def names_of(reply: dict[str, object]) -> list[object]:
    return [item["name"] for item in reply["data"]]  # type: ignore[attr-defined]


async def test_canned_replies_are_added_changed_and_removed(world: World) -> None:
    shared = await world.post("/api/v1/canned-replies", {
        "shortcut": "/thanks", "title": "Thanks", "body": "Thanks, {{contact.name}}!"})  # fmt: skip
    assert shared.status_code == 201, shared.text
    reply = shared.json()
    assert (reply["shortcut"], reply["operator_id"]) == ("thanks", None)
    own = await world.post("/api/v1/canned-replies", {
        "shortcut": "sig", "title": "Signature", "body": "Olivia",
        "operator_id": world.olivia.id})  # fmt: skip
    assert own.status_code == 201
    assert names(await world.get("/api/v1/canned-replies")) == [reply["id"]]
    mine = await world.get("/api/v1/canned-replies", operator_id=str(world.olivia.id))
    assert names(mine) == [own.json()["id"], reply["id"]]
    clash = await world.post("/api/v1/canned-replies",
                             {"shortcut": "thanks", "title": "Again", "body": "x"})  # fmt: skip
    assert clash.status_code == 422 and "already" in clash.json()["error"]["message"]

    path = f"/api/v1/canned-replies/{reply['id']}"
    changed = await world.patch(path, {"body": "Many thanks!"})
    assert changed.json()["body"] == "Many thanks!" and changed.json()["title"] == "Thanks"
    assert (await world.patch(path, {"shortcut": "sig!"})).status_code == 422
    assert (await world.get(path, token=world.other_token)).status_code == 404
    assert (await world.delete(path, token=world.read_token)).status_code == 403
    assert (await world.delete(path)).status_code == 204
    assert (await world.get(path)).status_code == 404


async def test_flows_are_imported_enabled_exported_and_deleted(world: World) -> None:
    document = json.loads(TEMPLATE.read_text())
    made = await world.post("/api/v1/flows", {"document": document})
    assert made.status_code == 201, made.text
    flow = made.json()
    assert (flow["name"], flow["enabled"], flow["trigger_type"]) == (
        "Pricing page help", False, "time_on_page")  # fmt: skip
    path = f"/api/v1/flows/{flow['id']}"
    enabled = await world.patch(path, {"enabled": True})
    assert enabled.json()["enabled"] is True
    assert names(await world.get("/api/v1/flows", enabled="true")) == [flow["id"]]
    assert names(await world.get("/api/v1/flows", enabled="false")) == []
    exported = (await world.get(path)).json()["document"]
    again = await world.post("/api/v1/flows", {"document": exported, "enabled": True})
    assert again.json()["enabled"] is True and again.json()["document"] == document

    broken = dict(document, nodes={"offer": {"type": "nope"}})
    refused = await world.post("/api/v1/flows", {"document": broken})
    assert refused.status_code == 422
    assert refused.json()["error"]["field"].startswith("body.document")
    assert (await world.get(path, token=world.other_token)).status_code == 404
    assert (await world.patch(path, {"enabled": False}, token=world.read_token)).status_code == 403
    assert (await world.delete(path)).status_code == 204
    assert (await world.get(path)).status_code == 404


@pytest.fixture
def shop_pages() -> Iterator[dict[str, str]]:
    """A shop's pages on 127.0.0.1; `pages` maps a path to its text (changeable)."""
    pages = {"/faq": "<title>FAQ</title><p>We ship within two days to every country.</p>"}

    async def page(request: Request) -> Response:
        return HTMLResponse(pages.get(request.url.path, "gone"))

    server = serve_in_thread(Starlette(routes=[Route("/{name}", page)]))
    pages["url"] = server.url
    yield pages
    server.stop()


async def test_knowledge_sources_are_added_refreshed_and_removed(
    open_world: World, shop_pages: dict[str, str]
) -> None:
    world = open_world
    qa = await world.post("/api/v1/knowledge-sources", {
        "kind": "qa", "question": "Do you gift wrap?", "answer": "Yes, for 2 euros."})  # fmt: skip
    assert qa.status_code == 201, qa.text
    assert qa.json()["data"][0]["status"] == "ready"
    page_url = shop_pages["url"] + "/faq"
    page = await world.post("/api/v1/knowledge-sources", {"kind": "url", "url": page_url})
    source = page.json()["data"][0]
    assert (source["kind"], source["title"], source["status"]) == ("url", "FAQ", "ready")
    text = base64.b64encode(b"# Returns\n\nReturns are free for 30 days.").decode()
    file = await world.post("/api/v1/knowledge-sources", {
        "kind": "file", "file_name": "returns.md", "content_base64": text})  # fmt: skip
    assert file.json()["data"][0]["title"] == "Returns"
    listed = await world.get("/api/v1/knowledge-sources")
    assert len(listed.json()["data"]) == 3

    shop_pages["/faq"] = "<title>FAQ</title><p>We now ship within one day, and far longer text.</p>"
    path = f"/api/v1/knowledge-sources/{source['id']}"
    refreshed = await world.post(path + "/refresh")
    assert refreshed.status_code == 200, refreshed.text
    assert refreshed.json()["size"] > source["size"]
    assert (await world.get(path, token=world.other_token)).status_code == 404
    assert (await world.delete(path)).status_code == 204
    assert len((await world.get("/api/v1/knowledge-sources")).json()["data"]) == 2
    incomplete = await world.post("/api/v1/knowledge-sources", {"kind": "qa", "question": "Hi?"})
    assert incomplete.status_code == 422


async def test_knowledge_pages_on_private_addresses_are_refused(
    world: World, shop_pages: dict[str, str]
) -> None:
    added = await world.post("/api/v1/knowledge-sources",
                             {"kind": "url", "url": shop_pages["url"] + "/faq"})  # fmt: skip
    assert added.status_code == 201
    source = added.json()["data"][0]
    assert source["status"] == "failed" and "private" in source["error"]
