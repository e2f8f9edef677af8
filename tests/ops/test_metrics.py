"""`/metrics`: what Prometheus scrapes after a chat, and who may scrape it."""

from __future__ import annotations

import asyncio
import dataclasses
import time
from collections import defaultdict
from pathlib import Path

import httpx
from prometheus_client.parser import text_string_to_metric_families

from porch.config import OpsConfig
from porch.jobs.queue import enqueue
from porch.services import Services
from tests.conftest import make_config
from tests.ops.conftest import TOKEN, WAIT, admin_url, with_services
from tests.support.chat_clients import open_session, operator_client, seed, visitor_client
from tests.support.live_server import LiveServer, start_live_server

AUTH = {"Authorization": f"Bearer {TOKEN}"}
UNKNOWN_KIND = "ops.test.nobody-handles-this"

Samples = dict[str, list[tuple[dict[str, str], float]]]


def scrape(url: str, **headers: str) -> Samples:
    reply = httpx.get(f"{url}/metrics", headers=headers, timeout=10)
    assert reply.status_code == 200, reply.text
    assert reply.headers["content-type"].startswith("text/plain; version=0.0.4")
    found: Samples = defaultdict(list)
    for family in text_string_to_metric_families(reply.text):
        for sample in family.samples:
            found[sample.name].append((sample.labels, sample.value))
    return found


def value(samples: Samples, name: str, **labels: str) -> float:
    matching = [v for found, v in samples.get(name, []) if labels.items() <= found.items()]
    assert len(matching) == 1, f"{name}{labels}: {samples.get(name)}"
    return matching[0]


async def test_metrics_after_a_chat(live_server: LiveServer) -> None:
    seeded = seed(live_server)
    session = await open_session(live_server, seeded.site.key)
    widget = await visitor_client(live_server, session["visitor_token"])
    panel = await operator_client(live_server, seeded.operator.id)
    try:
        ack = await widget.call("message.send", {"client_id": "c-1", "body": "Hello?"})
        conversation_id = ack["message"]["conversation_id"]
        reply = {"conversation_id": conversation_id, "client_id": "r-1", "body": "Hi!"}
        assert (await panel.call("message.send", reply))["ok"]
        await _dead_job(live_server)
        httpx.get(f"{live_server.url}/panel/conversations/{conversation_id}/nothing-here")
        httpx.get(f"{live_server.url}/shopify/proxy/a/b/c")

        found = scrape(admin_url(live_server.config))
    finally:
        await widget.close()
        await panel.close()

    assert value(found, "porch_messages_total", author="visitor") == 1
    assert value(found, "porch_messages_total", author="operator") == 1
    assert value(found, "porch_events_total", type="message.created") == 2
    assert value(found, "porch_events_total", type="conversation.opened") == 1
    assert value(found, "porch_socketio_connections", namespace="/visitor") == 1
    assert value(found, "porch_socketio_connections", namespace="/operator") == 1

    assert value(found, "porch_jobs_dead") == 1
    assert value(found, "porch_jobs_due") == 0
    assert value(found, "porch_jobs_oldest_due_age_seconds") == 0
    assert value(found, "porch_job_workers_running") == 1
    assert value(found, "porch_job_runs_total", kind=UNKNOWN_KIND, outcome="dead") == 1
    assert value(found, "porch_db_pool_checked_out") >= 0
    assert value(found, "porch_db_pool_size") > 0
    assert value(found, "porch_draining") == 0
    assert found["process_resident_memory_bytes"]

    requests = "porch_http_request_duration_seconds_count"
    assert value(found, requests, method="POST", route="/widget/v1/session", status="200") == 1
    assert value(found, requests, route="/shopify/proxy/{rest:path}") == 1  # a template
    assert value(found, requests, route="unmatched", status="404") == 1
    routes = {labels["route"] for labels, _ in found[requests]}
    assert routes == {"/widget/v1/session", "/shopify/proxy/{rest:path}", "unmatched"}
    assert not any(route.startswith(("/socket.io", "/metrics")) for route in routes), routes


async def test_metrics_are_refused_without_the_token_and_served_with_it(
    live_server: LiveServer,
) -> None:
    url = f"{live_server.url}/metrics"
    refused = httpx.get(url)
    assert refused.status_code == 401
    assert refused.headers["www-authenticate"].startswith("Bearer")
    assert httpx.get(url, headers={"Authorization": "Bearer wrong"}).status_code == 401
    assert httpx.get(url, headers={"Authorization": TOKEN}).status_code == 401
    assert "porch_draining" in scrape(live_server.url, **AUTH)
    assert "porch_draining" in scrape(admin_url(live_server.config))  # no token there


async def test_metrics_are_not_served_at_all_without_configuration(
    tmp_path: Path, sqlite_url: str
) -> None:
    server = start_live_server(make_config(tmp_path, sqlite_url))
    try:
        assert httpx.get(f"{server.url}/metrics").status_code == 404
        assert httpx.get(f"{server.url}/metrics", headers=AUTH).status_code == 404
        bare = httpx.get(f"{server.url}/metrics", headers={"Authorization": "Bearer x"})
        assert bare.status_code == 404  # no token configured: no token opens it
    finally:
        server.stop()


async def test_each_app_has_its_own_registry(tmp_path: Path, sqlite_url: str) -> None:
    """Two apps in one process count apart (no global registry to collide in)."""
    ops = OpsConfig(metrics_token=TOKEN)
    first = start_live_server(dataclasses.replace(make_config(tmp_path, sqlite_url), ops=ops))
    second = start_live_server(dataclasses.replace(make_config(tmp_path, sqlite_url), ops=ops))
    try:
        for _ in range(3):
            httpx.get(f"{first.url}/healthz")
        count = "porch_http_request_duration_seconds_count"
        assert value(scrape(first.url, **AUTH), count, route="/healthz") == 3
        assert count not in scrape(second.url, **AUTH)
    finally:
        first.stop()
        second.stop()


async def _dead_job(server: LiveServer) -> None:
    """A job nobody handles: the server's workers mark it dead at once."""

    async def run(services: Services) -> None:
        async with services.db.begin() as conn:
            await enqueue(conn, UNKNOWN_KIND, {})
        deadline = time.monotonic() + WAIT
        while (await services.jobs.stats()).dead < 1:
            assert time.monotonic() < deadline, "the server's workers never ran the job"
            await asyncio.sleep(0.05)

    await with_services(server.config, run)
