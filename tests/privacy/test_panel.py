"""Settings → Privacy over HTTP against the real app (SQLite and PostgreSQL): admins
change a site's ratings, consent and retention settings, export and erase a contact by
email; each is in the audit log; agents get 403; bad input is a message, never a 500."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from porch.api.contacts import ContactActions
from porch.config import Config
from porch.db.engine import Database
from porch.events import EventBus
from porch.operators.service import OperatorService
from porch.sites.directory import SiteDirectory
from tests.panel.test_panel_http import BASE
from tests.support.panel import EMAIL, PASSWORD, app_client, csrf_from, login

PAGE = "/panel/settings/privacy"


@pytest.fixture
async def setup(tmp_path: Path, database_url: str) -> tuple[Config, int]:
    db = Database(database_url)
    await OperatorService(db).create(EMAIL, "Olivia", PASSWORD)
    await OperatorService(db).create("agent@example.com", "Ann", PASSWORD, role="agent")
    site = await SiteDirectory(db, EventBus()).create("Shop", ["https://shop.example"])
    await ContactActions(db, EventBus()).create(site.id, "Alice", "alice@example.com", {})
    await db.dispose()
    config = Config(data_dir=tmp_path, database_url=database_url, secret_key="privacy-secret")
    return config, site.id


@pytest.fixture
async def admin(setup: tuple[Config, int]) -> AsyncIterator[httpx.AsyncClient]:
    async with app_client(setup[0], BASE) as c:
        assert (await login(c)).status_code == 303
        yield c


async def _form(client: httpx.AsyncClient, **fields: str) -> dict[str, str]:
    return {"csrf_token": csrf_from((await client.get(PAGE)).text), **fields}


async def test_settings_export_erase_and_the_audit_log(
    admin: httpx.AsyncClient, setup: tuple[Config, int]
) -> None:
    site_id = setup[1]
    saved = await admin.post(
        f"{PAGE}/sites/{site_id}",
        data=await _form(admin, csat_enabled="on", consent_required="on",
                         consent_text="We keep chats for a year.", retention_days="365",
                         visitor_retention_days="0"),
    )  # fmt: skip
    assert saved.status_code == 303
    page = (await admin.get(PAGE)).text
    assert "We keep chats for a year." in page and 'value="365"' in page

    export = await admin.post(
        f"{PAGE}/export", data=await _form(admin, site_id=str(site_id), email="alice@example.com")
    )
    assert export.headers["content-type"].startswith("application/json")
    assert [v["name"] for v in json.loads(export.text)["visitors"]] == ["Alice"]

    unconfirmed = await admin.post(
        f"{PAGE}/erase", data=await _form(admin, site_id=str(site_id), email="alice@example.com")
    )
    assert unconfirmed.status_code == 422
    erased = await admin.post(
        f"{PAGE}/erase",
        data=await _form(admin, site_id=str(site_id), email="alice@example.com", confirm="yes"),
    )
    assert erased.headers["location"].endswith("done=erased")
    again = await admin.post(
        f"{PAGE}/export", data=await _form(admin, site_id=str(site_id), email="alice@example.com")
    )
    assert again.headers["location"].endswith("done=none")

    log = (await admin.get(PAGE)).text
    for action in ("settings.privacy", "contact.export", "contact.erase"):
        assert f'data-action="{action}"' in log


async def test_bad_input_is_a_message(admin: httpx.AsyncClient, setup: tuple[Config, int]) -> None:
    reply = await admin.post(
        f"{PAGE}/sites/{setup[1]}",
        data=await _form(admin, retention_days="99999", consent_link="javascript:alert(1)"),
    )
    assert reply.status_code == 422
    assert 'data-field="retention_days"' in reply.text
    assert 'data-field="consent_link"' in reply.text
    assert (await admin.post(f"{PAGE}/sites/abc", data=await _form(admin))).status_code == 404
    odd = await admin.post(f"{PAGE}/export", data=await _form(admin, site_id="1", email="x"))
    assert odd.status_code == 422


async def test_agents_are_refused(setup: tuple[Config, int]) -> None:
    async with app_client(setup[0], BASE) as c:
        assert (await login(c, email="agent@example.com")).status_code == 303
        assert (await c.get(PAGE)).status_code == 403
