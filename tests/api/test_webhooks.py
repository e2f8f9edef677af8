"""Webhooks: events delivered as signed requests to a real local receiver (verified with
the `standardwebhooks` package), retried on the server's clock after failures, logged,
redelivered, disabled on 410 or after days of failures; private targets refused."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from standardwebhooks.webhooks import Webhook

from porch.webhooks.service import DISABLE_AFTER
from tests.api.conftest import Receiver, World


async def add_endpoint(world: World, url: str, events: list[str] | None = None) -> dict[str, Any]:
    reply = await world.post("/api/v1/webhooks", {"url": url, "events": events or ["*"]})
    assert reply.status_code == 201, reply.text
    return reply.json()


def verified(receiver: Receiver, secret: str, index: int = -1) -> dict[str, Any]:
    headers, body = receiver.received[index]
    payload: dict[str, Any] = Webhook(secret).verify(body, headers)
    return payload


def signed_by(receiver: Receiver, secret: str, index: int) -> dict[str, Any]:
    """Like `verified`, for a request signed on a clock moved past the receiver's
    five-minute tolerance: the signature is checked, not the time."""
    headers, body = receiver.received[index]
    at = datetime.fromtimestamp(int(headers["webhook-timestamp"]), UTC)
    expected = Webhook(secret).sign(headers["webhook-id"], at, body.decode())
    assert headers["webhook-signature"] == expected
    payload: dict[str, Any] = json.loads(body)
    return payload


async def test_an_event_is_delivered_signed_to_subscribed_endpoints(
    open_world: World, receiver: Receiver
) -> None:
    world = open_world
    endpoint = await add_endpoint(world, receiver.url, ["message.created"])
    assert endpoint["secret"].startswith("whsec_")
    conversation = await world.chat("Do you ship to Norway?")
    assert await world.run_due() >= 2  # the fan-out, then the delivery
    assert len(receiver.received) == 1
    payload = verified(receiver, endpoint["secret"])
    assert payload["type"] == "message.created"
    assert payload["data"]["message"]["body"] == "Do you ship to Norway?"
    assert payload["data"]["conversation"]["id"] == conversation
    assert payload["data"]["actor"]["kind"] == "visitor"
    headers = receiver.received[0][0]
    assert headers["webhook-id"].startswith("msg_")

    # an event the endpoint did not choose is not sent
    await world.patch(f"/api/v1/conversations/{conversation}", {"status": "closed"})
    await world.run_due()
    assert len(receiver.received) == 1
    # nor is another site's
    await world.chat("Other site", site=world.other_site)
    await world.run_due()
    assert len(receiver.received) == 1

    deliveries = (await world.get(f"/api/v1/webhooks/{endpoint['id']}/deliveries")).json()
    [delivery] = deliveries["data"]
    assert (delivery["status"], delivery["attempts"]) == ("delivered", 1)
    assert delivery["log"][0]["status_code"] == 200
    assert delivery["log"][0]["response"] == "answered 200"


async def test_a_failing_receiver_gets_retries_until_it_recovers(
    open_world: World, receiver: Receiver
) -> None:
    world = open_world
    endpoint = await add_endpoint(world, receiver.url)
    receiver.replies = [(500, {}), (503, {"Retry-After": "600"})]
    await world.post(f"/api/v1/webhooks/{endpoint['id']}/test")
    await world.run_due()
    assert len(receiver.received) == 1
    path = f"/api/v1/webhooks/{endpoint['id']}/deliveries"
    [pending] = (await world.get(path)).json()["data"]
    assert (pending["status"], pending["attempts"]) == ("pending", 1)

    world.clock.advance(timedelta(seconds=4))  # the first retry waits about 5 s
    await world.run_due()
    assert len(receiver.received) == 1
    world.clock.advance(timedelta(seconds=3))
    await world.run_due()
    assert len(receiver.received) == 2  # 503 with Retry-After: 600, longer than 5 min

    world.clock.advance(timedelta(minutes=6))
    await world.run_due()
    assert len(receiver.received) == 2
    world.clock.advance(timedelta(minutes=5))
    await world.run_due()
    assert len(receiver.received) == 3

    [done] = (await world.get(path)).json()["data"]
    assert (done["status"], done["attempts"]) == ("delivered", 3)
    assert [a["status_code"] for a in done["log"]] == [500, 503, 200]
    ids = {headers["webhook-id"] for headers, _ in receiver.received}
    assert len(ids) == 1  # a retry is the same message
    for index in range(3):
        assert signed_by(receiver, endpoint["secret"], index)["type"] == "webhook.test"


async def test_redelivery_sends_the_same_event_again(open_world: World, receiver: Receiver) -> None:
    world = open_world
    endpoint = await add_endpoint(world, receiver.url)
    test = (await world.post(f"/api/v1/webhooks/{endpoint['id']}/test")).json()
    await world.run_due()
    again = await world.post(f"/api/v1/webhooks/{endpoint['id']}/deliveries/{test['id']}/redeliver")
    assert again.status_code == 202
    await world.run_due()
    assert len(receiver.received) == 2
    assert receiver.received[0][1] == receiver.received[1][1]
    listed = (await world.get(f"/api/v1/webhooks/{endpoint['id']}/deliveries")).json()["data"]
    assert [d["status"] for d in listed] == ["delivered", "delivered"]


async def test_410_disables_the_endpoint(open_world: World, receiver: Receiver) -> None:
    world = open_world
    endpoint = await add_endpoint(world, receiver.url)
    receiver.replies = [(410, {})]
    await world.post(f"/api/v1/webhooks/{endpoint['id']}/test")
    await world.run_due()
    found = (await world.get(f"/api/v1/webhooks/{endpoint['id']}")).json()
    assert found["enabled"] is False
    assert "410" in found["disabled_reason"]
    await world.chat("Anyone?")
    await world.run_due()
    assert len(receiver.received) == 1
    enabled = await world.patch(f"/api/v1/webhooks/{endpoint['id']}", {"enabled": True})
    assert enabled.json()["enabled"] is True and enabled.json()["disabled_reason"] is None


async def test_an_endpoint_failing_for_days_is_disabled(
    open_world: World, receiver: Receiver
) -> None:
    world = open_world
    endpoint = await add_endpoint(world, receiver.url)
    receiver.replies = [(500, {})] * 100
    await world.post(f"/api/v1/webhooks/{endpoint['id']}/test")
    await world.run_due()
    assert (await world.get(f"/api/v1/webhooks/{endpoint['id']}")).json()["enabled"] is True
    for _ in range(12):  # through the whole retry schedule and past DISABLE_AFTER
        world.clock.advance(DISABLE_AFTER / 10)
        await world.run_due()
        await world.post(f"/api/v1/webhooks/{endpoint['id']}/test")
        await world.run_due()
    found = (await world.get(f"/api/v1/webhooks/{endpoint['id']}")).json()
    assert found["enabled"] is False
    assert "failed for 5 days" in found["disabled_reason"]


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:9/hook",
        "http://localhost/hook",
        "http://10.1.2.3/hook",
        "http://192.168.0.10/hook",
        "http://169.254.169.254/latest/meta-data",
        "http://[::1]/hook",
        "http://[::ffff:127.0.0.1]/hook",
        "ftp://example.com/hook",
        "http://user:pw@example.com/hook",
    ],
)
async def test_private_and_odd_targets_are_refused(world: World, url: str) -> None:
    refused = await world.post("/api/v1/webhooks", {"url": url})
    assert refused.status_code == 422, refused.text
    assert (await world.get("/api/v1/webhooks")).json()["data"] == []


async def test_webhook_crud_and_event_catalog(world: World) -> None:
    events = (await world.get("/api/v1/webhook-events")).json()["data"]
    assert "message.created" in [e["id"] for e in events]
    made = await add_endpoint(world, "https://93.184.215.14/hook", ["ticket.created"])
    path = f"/api/v1/webhooks/{made['id']}"
    listed = (await world.get("/api/v1/webhooks")).json()["data"]
    assert [e["id"] for e in listed] == [made["id"]] and "secret" not in listed[0]
    changed = await world.patch(path, {"events": ["ticket.created", "sla.breached"]})
    assert changed.json()["events"] == ["sla.breached", "ticket.created"]
    unknown = await world.patch(path, {"events": ["ticket.exploded"]})
    assert unknown.status_code == 422
    assert (await world.get(path, token=world.other_token)).status_code == 404
    assert (await world.delete(path)).status_code == 204
    assert (await world.get(path)).status_code == 404


def test_payload_is_json_with_type_timestamp_and_data() -> None:
    from porch.webhooks.sender import signed_request

    body, headers = signed_request(
        "whsec_" + "A" * 32, "msg_1", datetime.now(UTC), {"type": "t", "data": {"é": 1}}
    )
    assert json.loads(body) == {"type": "t", "data": {"é": 1}}
    assert headers["webhook-signature"].startswith("v1,")
