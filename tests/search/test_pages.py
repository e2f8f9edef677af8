"""The search page and Settings → Canned replies over HTTP against the whole app, and the
`porch canned` commands, on SQLite and PostgreSQL."""

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
from porch.visitors.models import Page
from porch.visitors.service import VisitorService
from tests.support.panel import EMAIL, PASSWORD, app_client, csrf_from, login

BASE = "http://panel.test"


@pytest.fixture
async def site(database_url: str) -> AsyncIterator[Site]:
    db = Database(database_url)
    await OperatorService(db).create(EMAIL, "Olivia", PASSWORD)
    site = await SiteDirectory(db, EventBus()).create("Shop", ["https://shop.example"])
    yield site
    await db.dispose()


@pytest.fixture
async def client(tmp_path: Path, database_url: str, site: Site) -> AsyncIterator[httpx.AsyncClient]:
    config = Config(data_dir=tmp_path, database_url=database_url, secret_key="search-secret")
    async with app_client(config, BASE) as c:
        await login(c)
        yield c


async def test_results_show_user_text_as_text(
    client: httpx.AsyncClient, database_url: str, site: Site
) -> None:
    db = Database(database_url)
    visitors = VisitorService(db, EventBus())
    visitor = await visitors.open_session(site, None, Page("https://shop.example/"))
    await visitors.update(visitor.id, name="<img src=x onerror=alert(1)> Zora")
    await db.dispose()
    page = await client.get("/panel/search", params={"q": "zora"})
    assert page.status_code == 200
    assert 'data-testid="search-result"' in page.text
    assert "<img src=x" not in page.text
    assert "&lt;img src=x onerror=alert(1)&gt;" in page.text
    assert "<mark>Zora</mark>" in page.text
    odd = await client.get("/panel/search", params={"q": "zora", "from": "not-a-date"})
    assert odd.status_code == 200 and "Some filters were not valid." in odd.text


async def test_search_needs_a_signed_in_operator(tmp_path: Path, database_url: str) -> None:
    config = Config(data_dir=tmp_path, database_url=database_url, secret_key="search-secret")
    async with app_client(config, BASE) as anonymous:
        page = await anonymous.get("/panel/search", params={"q": "x"})
    assert page.status_code in (302, 303) and "/panel/login" in page.headers["location"]


async def test_canned_replies_page_adds_and_removes(client: httpx.AsyncClient, site: Site) -> None:
    page = await client.get("/panel/settings/canned")
    form = {
        "csrf_token": csrf_from(page.text),
        "site_id": str(site.id),
        "shortcut": "/refund",
        "title": "Refund",
        "body": "Hi {{contact.name}}, your refund is on its way.",
        "scope": "shared",
    }
    added = await client.post("/panel/settings/canned", data=form)
    assert added.status_code == 303
    page = await client.get(added.headers["location"])
    assert 'data-shortcut="refund"' in page.text and "Canned reply added." in page.text
    again = await client.post("/panel/settings/canned", data=form)
    assert again.status_code == 422 and "/refund is already a canned reply here" in again.text
    forged = await client.post("/panel/settings/canned", data={**form, "csrf_token": "x"})
    assert 'data-shortcut="refund"' not in forged.text
    action = page.text.split('action="/panel/settings/canned/', 1)[1].split('"', 1)[0]
    removed = await client.post(
        f"/panel/settings/canned/{action}", data={"csrf_token": form["csrf_token"]}
    )
    assert removed.status_code == 303
    assert 'data-shortcut="refund"' not in (await client.get("/panel/settings/canned")).text


def test_canned_commands(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from porch.cli import main

    storage = ["--data", str(tmp_path)]

    def run(*argv: str) -> int:
        with pytest.raises(SystemExit) as done:
            main(list(argv))
        return int(done.value.code or 0)

    assert run("site", "add", "Shop", "--origin", "https://shop.example", *storage) == 0
    key = capsys.readouterr().out.split("Site key: ", 1)[1].split()[0]
    assert run("canned", "add", "hello", "--site", key, "--title", "Hi", "--body",
               "Hello {{contact.name}}", *storage) == 0  # fmt: skip
    assert run("canned", "list", "--site", key, *storage) == 0
    assert "/hello  Hi" in capsys.readouterr().out
    assert run("canned", "remove", "hello", "--site", key, *storage) == 0
    assert run("canned", "remove", "hello", "--site", key, *storage) == 1
    assert run("canned", "list", "--site", "nope", *storage) == 1
