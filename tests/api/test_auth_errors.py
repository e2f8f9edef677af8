"""Keys, scopes, errors, rate limits and idempotency, through the real application."""

from __future__ import annotations

import dataclasses

import pytest

from porch.api.keys import KeyService
from porch.config import Config
from tests.api.conftest import World, make_world


async def test_no_key_unknown_key_and_revoked_key_are_refused(world: World) -> None:
    bare = await world.http.get("/api/v1/contacts")
    assert bare.status_code == 401
    assert bare.json()["error"]["code"] == "unauthorized"
    assert bare.headers["WWW-Authenticate"].startswith("Bearer")
    assert (await world.get("/api/v1/contacts", token="porch_nope")).status_code == 401
    assert (await world.get("/api/v1/contacts")).status_code == 200

    keys = KeyService(world.services.db, world.clock)
    write_key = next(k for k in await keys.list(world.site.id) if k.name == "CRM sync")
    await keys.revoke(write_key.id)
    refused = await world.get("/api/v1/contacts")
    assert refused.status_code == 401
    assert refused.json() == {
        "error": {"code": "unauthorized", "message": "unknown or revoked API key"}
    }


async def test_keys_are_stored_hashed_and_remember_their_last_use(world: World) -> None:
    keys = KeyService(world.services.db, world.clock)
    before = {k.name: k for k in await keys.list(world.site.id)}
    assert before["Reports"].last_used_at is None
    assert world.read_token.startswith("porch_") and before["Reports"].prefix in world.read_token
    await world.get("/api/v1/contacts", token=world.read_token)
    after = {k.name: k for k in await keys.list(world.site.id)}
    assert after["Reports"].last_used_at == world.clock.now()
    async with world.services.db.connect() as conn:
        stored = (await conn.exec_driver_sql("select token_hash from api_keys")).scalars().all()
    assert world.read_token not in stored and all(len(h) == 64 for h in stored)


async def test_a_read_key_cannot_write(world: World) -> None:
    refused = await world.post("/api/v1/contacts", {"name": "Ann"}, token=world.read_token)
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "forbidden"
    assert (await world.get("/api/v1/contacts", token=world.read_token)).json()["data"] == []


async def test_a_key_never_sees_another_sites_data(world: World) -> None:
    theirs = await world.chat("Other site's secret", site=world.other_site)
    mine = await world.chat("Hello")
    listed = (await world.get("/api/v1/conversations")).json()["data"]
    assert [c["id"] for c in listed] == [mine]
    assert (await world.get(f"/api/v1/conversations/{theirs}")).status_code == 404
    assert (await world.get(f"/api/v1/conversations/{theirs}/messages")).status_code == 404
    reply = await world.post(f"/api/v1/conversations/{theirs}/messages",
                             {"author": "bot", "body": "hi"})  # fmt: skip
    assert reply.status_code == 404
    other_contacts = (await world.get("/api/v1/contacts", token=world.other_token)).json()
    assert [c["site_id"] for c in other_contacts["data"]] == [world.other_site.id]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": 5}, "body.name"),
        ({"email": "not-an-email"}, "body.email"),
        ({"name": "A\u0000B"}, "body.name"),
        ({"properties": {"plan": ["a", "list"]}}, "body.properties.plan"),
        ({"nickname": "x"}, "body.nickname"),
    ],
)
async def test_bad_bodies_are_422_with_the_field_path(
    world: World, body: dict[str, object], field: str
) -> None:
    refused = await world.post("/api/v1/contacts", body)
    assert refused.status_code == 422, refused.text
    assert refused.json()["error"]["code"] == "invalid"
    assert refused.json()["error"]["field"].startswith(field)


async def test_malformed_requests_get_4xx_never_500(world: World) -> None:
    auth = world.auth()
    cases = [
        await world.http.post("/api/v1/contacts", content=b"{nope", headers={
            **auth, "content-type": "application/json"}),
        await world.http.post("/api/v1/contacts", content=b"name=x", headers={
            **auth, "content-type": "application/x-www-form-urlencoded"}),
        await world.http.post("/api/v1/contacts", content=b"x" * (1024 * 1024 + 1), headers={
            **auth, "content-type": "application/json"}),
        await world.get("/api/v1/contacts", limit="0"),
        await world.get("/api/v1/contacts", limit="lots"),
        await world.get("/api/v1/contacts", cursor="!!!"),
        await world.get("/api/v1/contacts", colour="blue"),
        await world.get("/api/v1/contacts/99999999999"),
        await world.get("/api/v1/nothing-here"),
        await world.http.put("/api/v1/contacts", headers=auth),
    ]  # fmt: skip
    assert [r.status_code for r in cases] == [400, 415, 413, 422, 422, 400, 422, 404, 404, 405]
    assert all("error" in r.json() for r in cases)


async def test_rate_limit_answers_429_with_retry_after(config: Config) -> None:
    world = await make_world(dataclasses.replace(config, api_rate_limit=3))
    try:
        replies = [await world.get("/api/v1/site") for _ in range(4)]
        assert [r.status_code for r in replies] == [200, 200, 200, 429]
        assert replies[0].headers["RateLimit-Policy"] == '"default";q=3;w=60'
        assert replies[0].headers["RateLimit"].startswith('"default";r=2;t=')
        refused = replies[-1]
        assert refused.json()["error"]["code"] == "rate_limited"
        assert 1 <= int(refused.headers["Retry-After"]) <= 60
        # another key has its own budget
        assert (await world.get("/api/v1/site", token=world.read_token)).status_code == 200
    finally:
        await world.http.aclose()
        await world.services.db.dispose()


async def test_idempotency_key_replays_the_first_reply(world: World) -> None:
    first = await world.post("/api/v1/contacts", {"name": "Ann"}, **{"Idempotency-Key": "k-1"})
    again = await world.post("/api/v1/contacts", {"name": "Ann"}, **{"Idempotency-Key": "k-1"})
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    assert again.headers["Idempotent-Replayed"] == "true"
    listed = (await world.get("/api/v1/contacts")).json()["data"]
    assert [c["name"] for c in listed] == ["Ann"]
    reused = await world.post("/api/v1/contacts", {"name": "Bob"}, **{"Idempotency-Key": "k-1"})
    assert reused.status_code == 409


async def test_openapi_document_lists_every_operation(world: World) -> None:
    spec = (await world.http.get("/api/v1/openapi.json")).json()
    assert spec["openapi"] == "3.1.0"
    assert {"/api/v1/contacts", "/api/v1/conversations/{conversation_id}/messages",
            "/api/v1/tickets/{ticket_id}", "/api/v1/webhooks/{endpoint_id}/deliveries",
            "/api/v1/site", "/api/v1/operators"} <= set(spec["paths"])  # fmt: skip
    contact = spec["components"]["schemas"]["ContactCreate"]
    assert set(contact["properties"]) == {"name", "email", "properties"}
