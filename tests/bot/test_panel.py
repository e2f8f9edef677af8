"""The Bot page (/panel/bot) over HTTP against the real app: settings with a sealed key,
knowledge sources, the playground on the fake Messages API, rating answers and turning a
good one into a Q&A pair."""

from __future__ import annotations

import html
from pathlib import Path

import httpx
import sqlalchemy as sa

from porch.bot.tables import bot_settings
from porch.config import Config
from porch.db.engine import Database
from porch.sites.models import Site
from tests.bot.fake_anthropic import Fail, FakeAnthropic
from tests.panel.test_panel_http import BASE
from tests.support.panel import app_client, csrf_from


async def post(client: httpx.AsyncClient, path: str, fields: dict[str, str]) -> httpx.Response:
    page = await client.get("/panel/bot")
    return await client.post(path, data={"csrf_token": csrf_from(page.text), **fields})


async def test_settings_are_saved_with_the_key_sealed(
    panel: httpx.AsyncClient, site: Site, db: Database
) -> None:
    fields = {
        "mode": "outside_hours",
        "name": "Beans",
        "model": "claude-haiku-5-5",
        "instructions": "Be brief.",
        "api_key": "sk-ant-site-own-key-123456",
    }
    saved = await post(panel, f"/panel/bot/{site.id}/settings", fields)
    assert saved.status_code == 303
    page = (await panel.get(saved.headers["location"])).text
    assert 'value="outside_hours" selected' in page and "Be brief." in page
    assert "sk-ant-site-own-key-123456" not in page
    async with db.connect() as conn:
        sealed = await conn.scalar(sa.select(bot_settings.c.api_key_sealed))
    assert sealed and "sk-ant-site-own-key" not in sealed
    refused = await post(panel, f"/panel/bot/{site.id}/settings", {**fields, "mode": "sometimes"})
    assert refused.status_code == 422 and "mode" in refused.text


async def test_sources_are_added_listed_and_removed(panel: httpx.AsyncClient, site: Site) -> None:
    fields = {"question": "Do you roast to order?", "answer": "Yes, twice a week."}
    assert (await post(panel, f"/panel/bot/{site.id}/sources", fields)).status_code == 303
    refused = await post(panel, f"/panel/bot/{site.id}/sources", {"url": "http://127.0.0.1/"})
    assert refused.status_code == 303
    page = (await panel.get(f"/panel/bot?site={site.id}")).text
    assert "Do you roast to order?" in page and "ready" in page
    assert "private or local address" in page  # the refused URL is listed as failed
    source_id = page.split('data-source-id="')[1].split('"')[0]
    removed = await post(panel, f"/panel/bot/{site.id}/sources/{source_id}/remove", {})
    assert removed.status_code == 303
    assert "Do you roast to order?" not in (await panel.get("/panel/bot")).text


async def test_the_playground_shows_answer_passages_scores_and_citations(
    panel: httpx.AsyncClient, site: Site, fake_api: FakeAnthropic
) -> None:
    fields = {"question": "Do you roast to order?", "answer": "Yes, we roast twice a week."}
    await post(panel, f"/panel/bot/{site.id}/sources", fields)
    tried = await post(panel, f"/panel/bot/{site.id}/playground", {"question": "roast to order?"})
    page = html.unescape(tried.text)
    assert tried.status_code == 200
    assert 'data-testid="playground-answer">Yes, we roast twice a week.' in page
    assert "score " in page and 'data-testid="playground-passage"' in page
    assert fake_api.last["messages"][-1]["content"][0]["type"] == "search_result"
    fake_api.always = Fail(529)
    failed = await post(panel, f"/panel/bot/{site.id}/playground", {"question": "roast?"})
    assert "The bot would hand off: the AI service answered HTTP 529" in failed.text


async def test_an_answer_is_rated_and_a_good_one_becomes_a_qa_pair(
    panel: httpx.AsyncClient, site: Site, db: Database
) -> None:
    from porch.bot.tables import bot_answers
    from porch.conversations.tables import conversations, messages
    from porch.db.metadata import utcnow
    from porch.visitors.tables import visitors

    now = utcnow()
    async with db.begin() as conn:
        visitor = await conn.execute(
            visitors.insert().values(
                site_id=site.id, name="V", attributes={}, first_seen_at=now, last_seen_at=now
            )
        )
        conversation = await conn.execute(
            conversations.insert().values(
                site_id=site.id, visitor_id=visitor.inserted_primary_key[0], status="open",
                created_at=now, last_activity_at=now,
            )
        )  # fmt: skip
        conversation_id = conversation.inserted_primary_key[0]
        message = await conn.execute(
            messages.insert().values(
                conversation_id=conversation_id, client_id="b", author="bot", author_name="Bot",
                body="Gift cards never expire.", internal=False, created_at=now,
            )
        )  # fmt: skip
        answer = await conn.execute(
            bot_answers.insert().values(
                message_id=message.inserted_primary_key[0], conversation_id=conversation_id,
                question="Do gift cards expire?", answer="Gift cards never expire.",
                passages=[], sources=[], created_at=now,
            )
        )  # fmt: skip
        answer_id = answer.inserted_primary_key[0]
    base = f"/panel/bot/{site.id}/answers/{answer_id}"
    assert (await post(panel, f"{base}/qa", {})).status_code == 422  # not rated good yet
    assert (await post(panel, f"{base}/rate", {"rating": "good"})).status_code == 303
    assert (await post(panel, f"{base}/qa", {})).status_code == 303
    page = (await panel.get("/panel/bot")).text
    assert 'data-testid="bot-answer-rating">good' in page
    assert "[qa]" not in page and "Do gift cards expire?</td>" not in page
    assert page.count("Do gift cards expire?") >= 2  # the answer and the new Q&A source


async def test_signed_out_posts_change_nothing(
    tmp_path: Path, database_url: str, site: Site
) -> None:
    config = Config(data_dir=tmp_path, database_url=database_url, secret_key="bot-secret")
    async with app_client(config, BASE) as client:
        response = await client.post(f"/panel/bot/{site.id}/settings", data={"mode": "first"})
        assert response.status_code == 303 and "/panel/login" in response.headers["location"]


async def test_a_shopify_import_on_a_site_without_shopify_says_why(
    panel: httpx.AsyncClient, site: Site
) -> None:
    refused = await post(panel, f"/panel/bot/{site.id}/sources/shopify", {})
    assert refused.status_code == 422
    assert "Shopify import failed" in html.unescape(refused.text)
