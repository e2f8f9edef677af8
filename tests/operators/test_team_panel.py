"""The Team page and the admin-only edges, over HTTP and the `/operator` socket against a
real server (SQLite and PostgreSQL): an agent's forms and socket events are refused, not
merely hidden; invitations work once; deactivating closes the person's sockets."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator, Awaitable, Callable

import httpx
import pytest

from porch.operators.service import Operator
from porch.panel.sessions import COOKIE_NAME
from porch.services import Services
from tests.support.chat_clients import TIMEOUT, Client, Seeded, operator_client
from tests.support.live_server import LiveServer
from tests.support.panel import csrf_from

PASSWORD = "pw-123456"
SignIn = Callable[[str, str], Awaitable[httpx.AsyncClient]]


@pytest.fixture
async def opened() -> AsyncIterator[list[httpx.AsyncClient | Client]]:
    things: list[httpx.AsyncClient | Client] = []
    yield things
    for thing in things:
        await (thing.aclose() if isinstance(thing, httpx.AsyncClient) else thing.close())


@pytest.fixture
def sign_in(live_server: LiveServer, opened: list) -> SignIn:
    async def open_browser(email: str, password: str = PASSWORD) -> httpx.AsyncClient:
        browser = httpx.AsyncClient(base_url=live_server.url)
        opened.append(browser)
        page = await browser.get("/panel/login")
        form = {"csrf_token": csrf_from(page.text), "email": email, "password": password}
        assert (await browser.post("/panel/login", data=form)).status_code == 303
        return browser

    return open_browser


@pytest.fixture
def agent(live_server: LiveServer) -> Operator:
    async def run(services: Services) -> Operator:
        return await services.operators.create("abe@shop.example", "Abe", PASSWORD, role="agent")

    return live_server.call(run)


async def post(browser: httpx.AsyncClient, path: str, **fields: str) -> httpx.Response:
    """A form post with the browser's own valid CSRF token (from a page it may open)."""
    page = await browser.get("/panel")
    return await browser.post(path, data={"csrf_token": csrf_from(page.text), **fields})


async def test_an_agent_cannot_open_or_change_settings_or_the_team(
    live_server: LiveServer, seeded: Seeded, agent: Operator, sign_in: SignIn
) -> None:
    browser = await sign_in(agent.email)
    inbox = await browser.get("/panel")
    assert 'data-testid="nav-settings"' not in inbox.text
    assert 'data-testid="nav-team"' not in inbox.text
    assert (await browser.get("/panel/settings")).status_code == 403
    assert (await browser.get("/panel/team")).status_code == 403
    site_id = seeded.site.id
    fields = {"name": "Hacked", "origins": "https://evil.example", "color": "#000000"}
    refused = await post(browser, f"/panel/settings/sites/{site_id}", **fields)
    assert refused.status_code == 403
    assert (
        await post(browser, "/panel/team/invites", email="x@evil.example", role="admin")
    ).status_code == 403
    assert (
        await post(browser, f"/panel/team/operators/{agent.id}", role="admin")
    ).status_code == 403
    assert (
        await post(browser, f"/panel/team/operators/{seeded.operator.id}/deactivate")
    ).status_code == 403

    async def state(services: Services) -> tuple[str, str, int]:
        site = await services.sites.get(site_id)
        abe = await services.operators.get(agent.id)
        admins = [o for o in await services.operators.list() if o.is_admin]
        assert site is not None and abe is not None
        return site.name, abe.role, len(admins)

    assert live_server.call(state) == ("Shop", "agent", 1)


async def test_an_admin_manages_roles_skills_and_capacity(
    live_server: LiveServer, seeded: Seeded, agent: Operator, sign_in: SignIn
) -> None:
    browser = await sign_in(seeded.operator.email)
    page = await browser.get("/panel/team")
    assert page.status_code == 200 and 'data-testid="nav-team" aria-current="page"' in page.text
    saved = await post(
        browser, f"/panel/team/operators/{agent.id}",
        role="agent", skills="Billing, refunds", max_chats="3", max_tickets="",
    )  # fmt: skip
    assert saved.status_code == 303
    refused = await post(browser, f"/panel/team/operators/{agent.id}", max_chats="lots")
    assert refused.status_code == 422 and "whole number" in refused.text

    async def abe(services: Services) -> Operator | None:
        return await services.operators.get(agent.id)

    stored = live_server.call(abe)
    assert stored is not None
    assert (stored.skills, stored.max_chats, stored.max_tickets) == (
        ("billing", "refunds"),
        3,
        None,
    )


async def test_an_agents_socket_cannot_manage_operators(
    live_server: LiveServer, seeded: Seeded, agent: Operator, opened: list
) -> None:
    abe = await operator_client(live_server, agent.id)
    olivia = await operator_client(live_server, seeded.operator.id)
    opened += [abe, olivia]
    refused = await abe.call("operator.update", {"operator_id": agent.id, "role": "admin"})
    assert refused["ok"] is False and refused["error"]["code"] == "forbidden"
    assert (await abe.call("team.get", {}))["error"]["code"] == "forbidden"
    done = await olivia.call("operator.update", {"operator_id": agent.id, "skills": ["vip"]})
    assert done["ok"] is True and done["operator"]["skills"] == ["vip"]
    team = await olivia.call("team.get", {})
    assert [o["role"] for o in team["operators"]] == ["agent", "admin"]  # Abe, Olivia


async def test_deactivating_closes_their_sockets_and_sessions(
    live_server: LiveServer, seeded: Seeded, agent: Operator, sign_in: SignIn, opened: list
) -> None:
    abe_browser = await sign_in(agent.email)
    cookie = abe_browser.cookies[COOKIE_NAME]
    abe_socket = Client("/operator")
    opened.append(abe_socket)
    await abe_socket.connect(live_server.url, headers={"Cookie": f"{COOKIE_NAME}={cookie}"})
    admin = await sign_in(seeded.operator.email)
    done = await post(admin, f"/panel/team/operators/{agent.id}/deactivate")
    assert done.status_code == 303
    await asyncio.wait_for(abe_socket.disconnected.wait(), TIMEOUT)
    assert (await abe_browser.get("/panel")).status_code == 303  # to the login page
    page = await abe_browser.get("/panel/login")
    form = {"csrf_token": csrf_from(page.text), "email": agent.email, "password": PASSWORD}
    assert (await abe_browser.post("/panel/login", data=form)).status_code == 401
    row = 'data-email="abe@shop.example" data-role="agent"'
    assert f'{row} data-active="false"' in (await admin.get("/panel/team")).text


async def test_an_invitation_link_makes_an_account_once(
    live_server: LiveServer, seeded: Seeded, sign_in: SignIn, opened: list
) -> None:
    admin = await sign_in(seeded.operator.email)
    page = await post(admin, "/panel/team/invites", email="sam@shop.example", role="agent")
    match = re.search(r'data-testid="invite-link" value="([^"]+)"', page.text)
    assert page.status_code == 200 and match
    path = httpx.URL(match.group(1)).path
    invitee = httpx.AsyncClient(base_url=live_server.url)
    opened.append(invitee)
    form_page = await invitee.get(path)
    assert form_page.status_code == 200 and "sam@shop.example" in form_page.text
    fields = {"csrf_token": csrf_from(form_page.text), "name": "Sam"}
    mismatch = await invitee.post(
        path, data={**fields, "password": "sam-pass-1", "password_again": "other"}
    )
    assert mismatch.status_code == 422 and "differ" in mismatch.text
    made = await invitee.post(
        path, data={**fields, "password": "sam-pass-1", "password_again": "sam-pass-1"}
    )
    assert made.status_code == 303 and made.headers["location"].startswith("/panel/login")
    assert (await invitee.get(path)).status_code == 404  # used: the link is dead
    sam = await sign_in("sam@shop.example", "sam-pass-1")
    assert (await sam.get("/panel/settings")).status_code == 403


async def test_an_admin_sets_routing_rules_and_teams(
    live_server: LiveServer, seeded: Seeded, agent: Operator, sign_in: SignIn
) -> None:
    admin = await sign_in(seeded.operator.email)
    made = await post(admin, "/panel/team/teams", name="Billing", lead_id=str(agent.id))
    assert made.status_code == 303
    page = (await admin.get("/panel/team")).text
    team_id = int(re.findall(r'data-testid="team-row" data-team-id="(\d+)"', page)[0])
    edited = await post(
        admin, f"/panel/team/teams/{team_id}",
        name="Billing", lead_id=str(agent.id), members=f"{seeded.operator.email}, nobody@x.example",
    )  # fmt: skip
    assert edited.status_code == 422 and "nobody@x.example" in edited.text
    path = f"/panel/team/routing/{seeded.site.id}"
    bad = await post(admin, path, chats="on", rules="refund: billing | Nope")
    assert bad.status_code == 422 and "no team called" in bad.text
    fields = {
        "chats": "on",
        "rules": "Refund: billing | Billing\nwholesale",
        "after_hours": "on",
        "after_hours_message": "Back at {time}.",
        "team_id": str(team_id),
        "fallback_operator_id": str(agent.id),
    }
    assert (await post(admin, path, **fields)).status_code == 303

    async def routing(services: Services) -> object:
        site = await services.sites.get(seeded.site.id)
        assert site is not None
        return site.settings["routing"]

    assert live_server.call(routing) == {
        "chats": True,
        "tickets": False,
        "team_id": team_id,
        "rules": [
            {"tag": "refund", "skill": "billing", "team_id": team_id},
            {"tag": "wholesale"},
        ],
        "after_hours": True,
        "after_hours_message": "Back at {time}.",
        "fallback_operator_id": agent.id,
    }
    shown = (await admin.get("/panel/team")).text
    assert "refund: billing | Billing" in shown and "wholesale: wholesale" in shown


async def test_an_agent_cannot_make_api_keys_webhooks_or_change_the_bot(
    live_server: LiveServer, seeded: Seeded, agent: Operator, sign_in: SignIn
) -> None:
    """API keys and webhooks reach all of a site's data, and the bot's settings hold its
    model key: admins' alone, like the site settings."""
    browser = await sign_in(agent.email)
    assert 'data-testid="nav-developers"' not in (await browser.get("/panel")).text
    assert (await browser.get("/panel/developers")).status_code == 403
    site_id = str(seeded.site.id)
    key = await post(browser, "/panel/developers/keys", site_id=site_id, name="x", scope="write")
    hook = await post(
        browser, "/panel/developers/webhooks", site_id=site_id, url="https://evil.example/"
    )
    bot = await post(browser, f"/panel/bot/{site_id}/settings", mode="off")
    assert (key.status_code, hook.status_code, bot.status_code) == (403, 403, 403)

    async def made(services: Services) -> int:
        from porch.api.keys import KeyService

        return len(await KeyService(services.db, services.clock).list(seeded.site.id))

    assert live_server.call(made) == 0
