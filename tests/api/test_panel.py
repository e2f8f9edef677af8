"""Settings → Developers over HTTP against the real app: webhook endpoints added (a
private one refused with the reason on the page), a test event, a new key shown once, the
API reference; forms need the CSRF token."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from porch.config import Config
from porch.db.engine import Database
from porch.events import EventBus
from porch.operators.service import OperatorService
from porch.sites.directory import SiteDirectory
from porch.sites.models import Site
from tests.panel.test_panel_http import BASE
from tests.support.panel import EMAIL, PASSWORD, app_client, csrf_from, login

PAGE = "/panel/developers"


@pytest.fixture
async def site(database_url: str) -> AsyncIterator[Site]:
    db = Database(database_url)
    await OperatorService(db).create(EMAIL, "Olivia", PASSWORD)
    yield await SiteDirectory(db, EventBus()).create("Shop", ["https://shop.example"])
    await db.dispose()


@pytest.fixture
async def panel(tmp_path: Path, database_url: str, site: Site) -> AsyncIterator[httpx.AsyncClient]:
    config = Config(data_dir=tmp_path, database_url=database_url, secret_key="dev-secret")
    async with app_client(config, BASE) as client:
        assert (await login(client)).status_code == 303
        yield client


async def post(client: httpx.AsyncClient, path: str, fields: dict[str, str]) -> httpx.Response:
    token = csrf_from((await client.get(PAGE)).text)
    return await client.post(path, data={"csrf_token": token, **fields})


async def test_keys_and_webhooks_from_the_developers_page(
    panel: httpx.AsyncClient, site: Site
) -> None:
    made = await post(panel, PAGE + "/keys",
                      {"name": "Zap", "site_id": str(site.id), "scope": "read"})  # fmt: skip
    assert made.status_code == 200
    assert 'data-testid="new-api-key-token" value="porch_' in made.text
    again = await panel.get(PAGE)
    assert "new-api-key-token" not in again.text and "Zap" in again.text

    private = await post(panel, PAGE + "/webhooks",
                         {"url": "http://127.0.0.1:9/hook", "site_id": str(site.id)})  # fmt: skip
    assert private.status_code == 422
    assert "private or local address" in private.text
    added = await post(panel, PAGE + "/webhooks", {
        "url": "https://93.184.215.14/hook", "site_id": str(site.id),
        "events": "message.created, ticket.created"})  # fmt: skip
    assert added.status_code == 303
    shown = (await panel.get(PAGE)).text
    assert "https://93.184.215.14/hook" in shown and "whsec_" in shown
    assert "message.created, ticket.created" in shown

    endpoint_id = shown.split('data-endpoint-id="')[1].split('"')[0]
    tested = await post(panel, f"{PAGE}/webhooks/{endpoint_id}/test", {})
    assert tested.status_code == 303
    listed = (await panel.get(PAGE)).text
    assert 'data-testid="webhook-delivery" data-status="pending"' in listed
    delivery_id = listed.split("/panel/developers/deliveries/")[1].split("/")[0]
    resent = await post(panel, f"{PAGE}/deliveries/{delivery_id}/redeliver", {})
    assert resent.status_code == 303
    assert (await panel.get(PAGE)).text.count('data-testid="webhook-delivery"') == 2
    disabled = await post(panel, f"{PAGE}/webhooks/{endpoint_id}/disable", {})
    assert disabled.status_code == 303
    assert 'data-enabled="no"' in (await panel.get(PAGE)).text

    forged = await panel.post(PAGE + "/keys", data={"name": "x", "site_id": str(site.id)})
    assert forged.status_code == 403

    reference = await panel.get(PAGE + "/reference")
    assert reference.status_code == 200
    assert "GET /api/v1/contacts" in reference.text
    assert "POST /api/v1/webhooks/{endpoint_id}/test" in reference.text
