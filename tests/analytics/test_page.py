"""The Analytics page and its CSV export over HTTP against the real app, on SQLite and
PostgreSQL, from reporting events as the recorder stores them."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from porch.analytics.tables import reporting_events
from porch.config import Config
from porch.db.engine import Database
from porch.events import EventBus
from porch.operators.service import OperatorService
from porch.sites.directory import SiteDirectory
from tests.panel.test_panel_http import BASE
from tests.support.panel import EMAIL, PASSWORD, app_client, login

DAY = datetime(2030, 3, 4, 10, 0, tzinfo=UTC)


@pytest.fixture
async def client(tmp_path: Path, database_url: str) -> AsyncIterator[httpx.AsyncClient]:
    db = Database(database_url)
    sites = SiteDirectory(db, EventBus())
    olivia = await OperatorService(db).create(EMAIL, "Olivia", PASSWORD)
    site = await sites.create("Shop", ["https://shop.example"])
    facts = [
        ("first_response", 1, 60.0),
        ("first_response", 2, 120.0),
        ("first_response", 3, 600.0),
        ("resolution", 1, 900.0),
        ("resolution", 2, 1800.0),
        ("reopen", 2, None),
        ("bot_resolved", 4, 30.0),
        ("bot_handoff", 5, None),
    ]
    async with db.begin() as conn:
        await conn.execute(
            reporting_events.insert(),
            [
                {
                    "key": f"{kind}:{conversation}",
                    "site_id": site.id,
                    "kind": kind,
                    "conversation_id": conversation,
                    "operator_id": olivia.id if kind in ("first_response", "resolution") else None,
                    "at": DAY + timedelta(minutes=n),
                    "seconds": seconds,
                    "business_seconds": seconds,
                }
                for n, (kind, conversation, seconds) in enumerate(facts)
            ],
        )
    await db.dispose()
    config = Config(data_dir=tmp_path, database_url=database_url, secret_key="analytics-secret")
    async with app_client(config, BASE) as c:
        assert (await login(c)).status_code == 303
        yield c


RANGE = {"from": "2030-03-01", "to": "2030-03-07"}


async def test_the_page_shows_medians_p90_and_rates(client: httpx.AsyncClient) -> None:
    page = await client.get("/panel/analytics", params=RANGE)
    assert page.status_code == 200
    html = page.text
    assert 'data-testid="analytics-first-response-median">2m 0s<' in html
    # p90 of 60, 120, 600: 120 + (600 - 120) * 0.8 = 504 s.
    assert 'data-testid="analytics-first-response-p90">8m 24s<' in html
    assert 'data-testid="analytics-resolution-median">22m 30s<' in html
    assert 'data-testid="analytics-reopen-rate">50%<' in html
    assert 'data-testid="analytics-bot-resolution-rate">50%<' in html
    assert 'data-testid="analytics-volume-chart"' in html
    assert 'data-testid="nav-analytics"' in html


async def test_csv_export_of_a_table(client: httpx.AsyncClient) -> None:
    reply = await client.get("/panel/analytics.csv", params={**RANGE, "table": "durations"})
    assert reply.status_code == 200
    assert reply.headers["content-type"].startswith("text/csv")
    assert reply.text.splitlines() == [
        "measure,count,median_seconds,p90_seconds",
        "first_response,3,120,504",
        "resolution,2,1350,1710",
        "ticket_resolution,0,,",
    ]


async def test_nothing_in_range_and_bad_input_are_not_errors(client: httpx.AsyncClient) -> None:
    empty = await client.get("/panel/analytics", params={"from": "2031-01-01", "to": "2031-01-02"})
    assert 'data-testid="analytics-first-response-median">—<' in empty.text
    for params in ({"from": "yesterday", "to": "\x00"}, {"site": "9" * 40, "hours": "x"}):
        assert (await client.get("/panel/analytics", params=params)).status_code == 200
    assert (await client.get("/panel/analytics.csv", params={"table": "nope"})).status_code == 404


async def test_signed_out_goes_to_login(tmp_path: Path, database_url: str) -> None:
    config = Config(data_dir=tmp_path, database_url=database_url, secret_key="analytics-secret")
    async with app_client(config, BASE) as c:
        reply = await c.get("/panel/analytics")
    assert reply.status_code in (302, 303)


async def test_drill_down_hour_of_week_and_conversation_csv(client: httpx.AsyncClient) -> None:
    page = (await client.get("/panel/analytics", params={**RANGE, "operator": "1"})).text
    for hook in (
        "analytics-hours-chart",
        "analytics-table-hours",
        "analytics-team",
        "analytics-operator",
        "analytics-csv-conversations",
        "analytics-csat-drill",
    ):
        assert f'data-testid="{hook}"' in page  # fmt: skip
    assert "figure=first_response&amp;from=2030-03-01" in page  # the filters travel along
    drill = await client.get(
        "/panel/analytics/conversations", params={**RANGE, "figure": "first_response"}
    )
    assert drill.status_code == 200
    assert 'data-testid="analytics-drill-empty"' in drill.text  # their conversations are gone
    odd = await client.get("/panel/analytics/conversations", params={"figure": "<x>"})
    assert odd.status_code == 200
    export = await client.get("/panel/analytics.csv", params={**RANGE, "table": "conversations"})
    assert export.text.splitlines()[0].startswith("conversation_id,site_id,status,opened_at")
    hours = await client.get("/panel/analytics.csv", params={**RANGE, "table": "hours"})
    assert len(hours.text.splitlines()) == 8


async def test_sla_compliance_by_priority_and_volume_with_tickets(
    client: httpx.AsyncClient, database_url: str
) -> None:
    db = Database(database_url)
    facts = [("sla_hit", "high"), ("sla_hit", "high"), ("sla_miss", "high"), ("sla_miss", "low")]
    async with db.begin() as conn:
        await conn.execute(
            reporting_events.insert(),
            [
                {"key": f"{kind}:{n}", "site_id": 1, "kind": kind, "ticket_id": n,
                 "at": DAY + timedelta(hours=1), "priority": priority}
                for n, (kind, priority) in enumerate(facts)
            ],
        )  # fmt: skip
    await db.dispose()
    page = (await client.get("/panel/analytics", params=RANGE)).text
    assert 'data-testid="analytics-sla-compliance">50%<' in page
    assert 'data-testid="analytics-sla-misses">2<' in page
    sla = await client.get("/panel/analytics.csv", params={**RANGE, "table": "sla"})
    assert sla.text.splitlines()[1:] == ["high,2,1,0.67", "low,0,1,0"]
    volume = await client.get("/panel/analytics.csv", params={**RANGE, "table": "volume"})
    assert volume.text.splitlines()[0] == "day,conversations,tickets"
    assert 'data-series="tickets"' in page
    assert "Conversations by hour of the week (UTC)" in page  # the site has no hours set
