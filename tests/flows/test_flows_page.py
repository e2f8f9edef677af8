"""The Flows page and the builder's JSON endpoints over HTTP against the real app, on
SQLite and PostgreSQL: create (template or blank), duplicate, switch on and off, delete and
undo, import and export, versions and restore; saving checks the document with the JSON
Schema; a flow that cannot run is not switched on and says why; CSRF and roles; the
figures count the runs; "Try it" walks a flow for a pretend visitor and stores nothing."""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from porch.clock import SystemClock
from porch.config import Config
from porch.db.engine import Database
from porch.events import EventBus
from porch.flows import templates
from porch.flows.store import FlowStore
from porch.flows.tables import flow_runs
from porch.operators.service import OperatorService
from porch.sites.directory import SiteDirectory
from porch.sites.models import Site
from porch.visitors.models import Page
from porch.visitors.service import VisitorService
from tests.support.panel import EMAIL, PASSWORD, app_client, csrf_from, login

BASE = "http://panel.test"


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[Database]:
    database = Database(database_url)
    yield database
    await database.dispose()


@pytest.fixture
def store(db: Database) -> FlowStore:
    return FlowStore(db, EventBus(), SystemClock())


@pytest.fixture
async def site(db: Database) -> Site:
    await OperatorService(db).create(EMAIL, "Olivia", PASSWORD)
    await OperatorService(db).create("aga@example.com", "Aga", PASSWORD, role="agent")
    return await SiteDirectory(db, EventBus()).create("Shop", ["https://shop.example"])


@pytest.fixture
async def client(tmp_path: Path, database_url: str, site: Site) -> AsyncIterator[httpx.AsyncClient]:
    config = Config(data_dir=tmp_path, database_url=database_url, secret_key="flows-secret")
    async with app_client(config, BASE) as c:
        assert (await login(c)).status_code == 303
        yield c


async def post(client: httpx.AsyncClient, path: str, **fields: str) -> httpx.Response:
    page = await client.get("/panel/flows")
    return await client.post(path, data={"csrf_token": csrf_from(page.text), **fields})


async def post_json(
    client: httpx.AsyncClient, path: str, body: Any, token: str | None = None
) -> httpx.Response:
    if token is None:
        token = csrf_from((await client.get("/panel/flows")).text)
    headers = {"X-CSRF-Token": token, "Content-Type": "application/json", "Origin": BASE}
    return await client.post(path, content=json.dumps(body), headers=headers)


def rows(html: str) -> list[str]:
    return re.findall(r'data-testid="flow-row" data-flow-id="\d+" data-name="([^"]*)"', html)


async def test_create_from_a_template_duplicate_switch_and_export(
    client: httpx.AsyncClient, store: FlowStore, site: Site
) -> None:
    created = await post(
        client, "/panel/flows/new", site_id=str(site.id), template="pricing-page-help"
    )
    assert created.status_code == 303
    [flow] = await store.list(site.id)
    assert created.headers["location"] == f"/panel/flows/{flow.id}"
    assert flow.template == "pricing-page-help" and not flow.enabled
    builder = await client.get(created.headers["location"])
    assert 'data-testid="flow-builder"' in builder.text
    assert (await post(client, f"/panel/flows/{flow.id}/duplicate")).status_code == 303
    assert (await post(client, f"/panel/flows/{flow.id}/enable")).status_code == 303
    page = await client.get("/panel/flows")
    assert rows(page.text) == ["Pricing page help", "Pricing page help (copy)"]
    assert "Time on page (30 s) on /pricing" in page.text
    assert (await store.get(flow.id)).enabled
    assert (await post(client, f"/panel/flows/{flow.id}/disable")).status_code == 303
    assert not (await store.get(flow.id)).enabled
    exported = await client.get(f"/panel/flows/{flow.id}/export")
    assert exported.headers["content-disposition"] == f'attachment; filename="flow-{flow.id}.json"'
    assert exported.json() == templates.load("pricing-page-help")


async def test_a_blank_flow_delete_and_undo(
    client: httpx.AsyncClient, store: FlowStore, site: Site
) -> None:
    await post(client, "/panel/flows/new", site_id=str(site.id), template="")
    [flow] = await store.list(site.id)
    assert flow.document["nodes"]["hello"]["text"] == "Hi! How can we help?"
    await store.set_enabled(flow.id, True)
    deleted = await post(client, f"/panel/flows/{flow.id}/delete")
    assert "Deleted “Untitled flow”." in deleted.text
    assert await store.list(site.id) == []
    undo = re.search(r'name="document" value="([^"]*)"', deleted.text)
    assert undo is not None
    document = json.loads(undo.group(1).replace("&#34;", '"').replace("&quot;", '"'))
    again = await post(
        client,
        "/panel/flows/undelete",
        site_id=str(site.id),
        enabled="1",
        document=json.dumps(document),
    )
    assert again.status_code == 303
    [back] = await store.list(site.id)
    assert back.document == flow.document and back.enabled


async def test_import_refuses_a_broken_document_and_says_where(
    client: httpx.AsyncClient, store: FlowStore, site: Site
) -> None:
    broken = templates.load("lead-capture")
    del broken["nodes"][broken["start"]]["text"]
    refused = await post(
        client, "/panel/flows/import", site_id=str(site.id), document=json.dumps(broken)
    )
    assert refused.status_code == 422
    assert f"Not imported: Node &#39;{broken['start']}&#39;: text is missing" in (refused.text)
    assert await store.list(site.id) == []
    good = await post(
        client,
        "/panel/flows/import",
        site_id=str(site.id),
        document=json.dumps(templates.load("lead-capture")),
    )
    assert good.status_code == 303
    [flow] = await store.list(site.id)
    assert not flow.enabled


async def test_save_makes_versions_and_restore_brings_one_back(
    client: httpx.AsyncClient, store: FlowStore, site: Site
) -> None:
    flow = await store.create(site.id, templates.load("pricing-page-help"))
    document = (await client.get(f"/panel/flows/{flow.id}/document")).json()
    edited = document["document"]
    edited["nodes"]["offer"]["text"] = "Need a hand?"
    saved = await post_json(client, f"/panel/flows/{flow.id}/document", {"document": edited})
    assert saved.status_code == 200 and saved.json()["version"] == 2
    versions = await client.get(f"/panel/flows/{flow.id}/versions")
    assert versions.text.count('data-testid="flow-version"') == 2
    restored = await post(client, f"/panel/flows/{flow.id}/versions/1/restore")
    assert restored.status_code == 303
    now = await store.get(flow.id)
    assert now.version == 3
    assert now.document == templates.load("pricing-page-help")


async def test_save_checks_the_schema_and_switching_on_says_why(
    client: httpx.AsyncClient, store: FlowStore, site: Site
) -> None:
    flow = await store.create(site.id, templates.load("pricing-page-help"))
    broken = templates.load("pricing-page-help")
    broken["nodes"]["ask"]["input"] = "shoe size"
    refused = await post_json(client, f"/panel/flows/{flow.id}/document", {"document": broken})
    assert refused.status_code == 422
    assert refused.json()["path"] == "$.nodes.ask.input"
    assert refused.json()["error"].startswith("Node 'ask' (input): ")
    assert (await store.get(flow.id)).version == 1
    # A flow that starts a flow the site lacks: stored, but never switched on.
    chained = templates.load("pricing-page-help")
    chained["nodes"]["bye"] = {"type": "start_flow", "flow_id": 999999}
    assert (
        await post_json(client, f"/panel/flows/{flow.id}/document", {"document": chained})
    ).status_code == 200
    switch = await post_json(client, f"/panel/flows/{flow.id}/switch", {"enabled": True})
    assert switch.status_code == 422
    assert switch.json()["error"] == (
        "Can't switch on “Pricing page help”: Node 'bye' starts flow 999999, which this site lacks."
    )
    listed = await post(client, f"/panel/flows/{flow.id}/enable")
    assert listed.status_code == 422 and "which this site lacks" in listed.text
    assert not (await store.get(flow.id)).enabled


async def test_changes_need_the_csrf_token_and_an_admin(
    client: httpx.AsyncClient, store: FlowStore, site: Site, tmp_path: Path, database_url: str
) -> None:
    flow = await store.create(site.id, templates.load("pricing-page-help"))
    forged = await post_json(client, f"/panel/flows/{flow.id}/switch", {"enabled": True}, "nope")
    assert forged.status_code == 403
    assert not (await store.get(flow.id)).enabled
    config = Config(data_dir=tmp_path, database_url=database_url, secret_key="flows-secret")
    async with app_client(config, BASE) as agent:
        await login(agent, "aga@example.com", PASSWORD)
        listed = await agent.get("/panel/flows")
        assert listed.status_code == 200 and 'data-testid="flow-row"' in listed.text
        assert 'data-testid="flow-toggle"' not in listed.text
        refused = await post_json(agent, f"/panel/flows/{flow.id}/switch", {"enabled": True})
        assert refused.status_code == 403
        form = await post(agent, f"/panel/flows/{flow.id}/enable")
        assert form.status_code == 403
    assert not (await store.get(flow.id)).enabled


async def test_try_it_walks_the_flow_for_a_pretend_visitor(
    client: httpx.AsyncClient, store: FlowStore, site: Site
) -> None:
    flow = await store.create(site.id, templates.load("pricing-page-help"))
    document = templates.load("pricing-page-help")
    path = f"/panel/flows/{flow.id}/try"
    elsewhere = await post_json(
        client, path, {"document": document, "visitor": {"url": "https://shop.example/"}}
    )
    assert elsewhere.json()["triggered"] is False
    visitor = {"url": "https://shop.example/pricing"}
    first = (await post_json(client, path, {"document": document, "visitor": visitor})).json()
    assert first["path"] == ["offer"] and first["waiting"] == "offer"
    answers = {"offer": "yes", "ask": "not an email"}
    wrong = (
        await post_json(
            client, path, {"document": document, "visitor": visitor, "answers": answers}
        )
    ).json()
    assert wrong["waiting"] == "ask"
    assert wrong["steps"][-1]["error"].startswith("That doesn't look like an email")
    answers["ask"] = "ann@example.com"
    done = (
        await post_json(
            client, path, {"document": document, "visitor": visitor, "answers": answers}
        )
    ).json()
    assert done["path"] == ["offer", "ask", "thanks", "human"] and done["waiting"] is None
    assert "not done in the preview" in done["steps"][-1]["note"]
    async with store.db.connect() as conn:
        assert (await conn.execute(flow_runs.select())).all() == []
    bad = await post_json(client, path, {"document": document, "visitor": {"cart_value": -1}})
    assert bad.status_code == 422
    welcome = templates.load("welcome-returning-visitor")
    first_time = await post_json(client, path, {"document": welcome, "visitor": {}})
    assert first_time.json()["triggered"] is False
    assert "returning visitor" in first_time.json()["why"]
    back = await post_json(client, path, {"document": welcome, "visitor": {"returning": True}})
    assert back.json()["triggered"] is True
    lead = templates.load("lead-capture")
    answers = {"name": "Ann", "email": "ann@example.com"}
    said = (await post_json(client, path, {"document": lead, "answers": answers})).json()
    assert [step.get("text") for step in said["steps"][1:3]] == [
        "Thanks, Ann! And your email, so we can follow up?",
        "Got it, Ann. We'll be in touch at ann@example.com.",
    ]


async def test_the_figures_count_runs_of_the_last_7_and_30_days(
    client: httpx.AsyncClient, store: FlowStore, site: Site, db: Database
) -> None:
    flow = await store.create(site.id, templates.load("pricing-page-help"))
    visitors = VisitorService(db, EventBus())
    now = SystemClock().now()
    for days_ago, status in ((1, "done"), (2, "waiting"), (20, "done")):
        visitor = await visitors.open_session(site, None, Page("https://shop.example/", "", ""))
        async with db.begin() as conn:
            await conn.execute(
                flow_runs.insert().values(
                    flow_id=flow.id,
                    version=1,
                    visitor_id=visitor.id,
                    status=status,
                    step=1,
                    context={},
                    started_at=now - timedelta(days=days_ago),
                    updated_at=now,
                )
            )
    page = (await client.get("/panel/flows")).text
    figures = 'data-triggered="{}" data-conversations="0" data-engaged="0" data-goals="{}"'
    assert 'data-testid="flow-figures-7" ' + figures.format(2, 1) in page
    assert 'data-testid="flow-figures-30" ' + figures.format(3, 2) in page


async def test_the_run_log_pages(client: httpx.AsyncClient, store: FlowStore, site: Site) -> None:
    flow = await store.create(site.id, templates.load("pricing-page-help"))
    empty = await client.get(f"/panel/flows/{flow.id}/log")
    assert empty.status_code == 200 and "Nothing ran yet." in empty.text
    assert (await client.get("/panel/flows/log?conversation=7")).status_code == 200
    assert (await client.get("/panel/flows/log?conversation=x")).status_code == 404
    assert (await client.get("/panel/flows/999999/log")).status_code == 404
