"""The Settings page (/panel/settings) over HTTP against the real app, on SQLite and
PostgreSQL: adding and editing sites, validation that stores nothing, CSRF, sign-in; and,
on a live server, that a change reaches connected widgets and operators at once."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from porch.config import Config
from porch.db.engine import Database
from porch.events import EventBus
from porch.operators.service import OperatorService
from porch.panel.sessions import COOKIE_NAME
from porch.sites.directory import SiteDirectory
from porch.sites.models import Site
from tests.panel.test_panel_http import BASE
from tests.support.chat_clients import Client, open_session, seed, visitor_client
from tests.support.live_server import LiveServer
from tests.support.panel import EMAIL, PASSWORD, app_client, csrf_from, login

GOOD_SITE = {"name": "Blue Mugs", "origins": "https://mugs.example\n\nhttps://*.mugs.example\n"}


@pytest.fixture
async def sites(database_url: str) -> AsyncIterator[SiteDirectory]:
    """The storage the app under test uses, read directly."""
    db = Database(database_url)
    yield SiteDirectory(db, EventBus())
    await db.dispose()


@pytest.fixture
async def site(sites: SiteDirectory) -> Site:
    await OperatorService(sites.db).create(EMAIL, "Olivia", PASSWORD)
    return await sites.create("Shop", ["https://shop.example"])


@pytest.fixture
async def client(tmp_path: Path, database_url: str, site: Site) -> AsyncIterator[httpx.AsyncClient]:
    config = Config(data_dir=tmp_path, database_url=database_url, secret_key="settings-secret")
    async with app_client(config, BASE, client_ip="203.0.113.9") as c:
        yield c


@pytest.fixture
async def signed_in(client: httpx.AsyncClient) -> httpx.AsyncClient:
    assert (await login(client)).status_code == 303
    return client


async def post_form(
    client: httpx.AsyncClient, path: str, fields: dict[str, str], csrf: bool = True
) -> httpx.Response:
    page = await client.get("/panel/settings")
    token = {"csrf_token": csrf_from(page.text)} if csrf else {}
    return await client.post(path, data={**token, **fields})


def edit_fields(**changes: str) -> dict[str, str]:
    """The edit form as a browser sends it for the `site` fixture, with `changes`."""
    fields = {
        "name": "Shop",
        "origins": "https://shop.example",
        "typing_preview": "on",
        "color": "#4f46e5",
        "greeting": "Hi! How can we help?",
    }
    return {k: v for k, v in {**fields, **changes}.items() if v is not None}


def errors(html: str) -> dict[str, str]:
    """The field errors shown on a page, by field."""
    found = re.findall(r'data-testid="form-error" data-field="(\w+)">([^<]*)<', html)
    return dict(found)


async def test_the_page_lists_sites_with_snippets_and_forms(
    signed_in: httpx.AsyncClient, site: Site
) -> None:
    page = await signed_in.get("/panel/settings")
    assert page.status_code == 200
    assert page.headers["cache-control"] == "no-store"
    assert 'data-testid="nav-settings" aria-current="page"' in page.text
    assert page.text.count('data-testid="site-row"') == 1
    assert f'data-site-key="{site.key}"' in page.text
    assert f"data-site=&#34;{site.key}&#34;" in page.text  # the snippet, escaped in value=""
    assert 'data-testid="site-snippet"' in page.text and "readonly" in page.text
    assert 'data-testid="site-form"' in page.text and 'data-testid="add-site-form"' in page.text
    assert 'value="#4f46e5"' in page.text and 'name="typing_preview" ' in page.text
    assert '<script src="/panel/static/copy.js" defer></script>' in page.text
    inbox = await signed_in.get("/panel")
    assert 'data-testid="nav-settings"' in inbox.text
    script = await signed_in.get("/panel/static/copy.js")
    assert script.status_code == 200 and "clipboard" in script.text


async def test_signed_out_is_sent_to_sign_in_and_nothing_changes(
    client: httpx.AsyncClient, sites: SiteDirectory, site: Site
) -> None:
    page = await client.get("/panel/settings")
    assert page.status_code == 303
    assert page.headers["location"] == "/panel/login?next=%2Fpanel%2Fsettings"
    for path in ("/panel/settings/sites", f"/panel/settings/sites/{site.id}"):
        response = await client.post(path, data={**GOOD_SITE, "csrf_token": "x"})
        assert response.status_code == 303
        assert response.headers["location"] == "/panel/login?next=%2Fpanel%2Fsettings"
    assert await sites.all() == [site]


async def test_add_a_site(signed_in: httpx.AsyncClient, sites: SiteDirectory, site: Site) -> None:
    response = await post_form(signed_in, "/panel/settings/sites", GOOD_SITE)
    assert response.status_code == 303
    added = (await sites.all())[-1]
    assert added.name == "Blue Mugs"
    assert added.allowed_origins == ["https://mugs.example", "https://*.mugs.example"]
    assert added.typing_preview and added.settings["color"] == "#4f46e5"
    assert response.headers["location"] == f"/panel/settings?added={added.id}#site-{added.id}"
    page = await signed_in.get(response.headers["location"])
    assert 'data-testid="flash"' in page.text and "Site “Blue Mugs” added" in page.text
    assert page.text.count('data-testid="site-row"') == 2
    assert f"data-site=&#34;{added.key}&#34;" in page.text


async def test_edit_name_origins_and_settings(
    signed_in: httpx.AsyncClient, sites: SiteDirectory, site: Site
) -> None:
    fields = edit_fields(
        name="  Shop & Co <b>  ",
        origins="https://shop.example/\nhttp://localhost:3000\nhttps://shop.example",
        typing_preview=None,  # an unticked checkbox is not sent
        color="#112233",
        greeting="Ask us anything",
    )
    response = await post_form(signed_in, f"/panel/settings/sites/{site.id}", fields)
    assert response.status_code == 303
    assert response.headers["location"] == f"/panel/settings?saved={site.id}#site-{site.id}"
    stored = await sites.get(site.id)
    assert stored.name == "Shop & Co <b>"
    assert stored.allowed_origins == ["https://shop.example", "http://localhost:3000"]
    assert stored.settings == {
        "typing_preview": False,
        "color": "#112233",
        "greeting": "Ask us anything",
        "theme": "auto",  # the form's other widget settings, as shown
        "language": "auto",
        "logo_url": "",
        "offline_form": False,
        "prechat_fields": [],
    }
    assert stored.key == site.key
    page = await signed_in.get(response.headers["location"])
    assert "Saved “Shop &amp; Co &lt;b&gt;”." in page.text and "<b>" not in page.text
    assert 'value="#112233"' in page.text and "typing preview off" in page.text


TOO_MANY_ORIGINS = "\n".join(f"https://s{i}.example" for i in range(51))


async def test_widget_look_language_and_forms_are_set_in_the_panel(
    signed_in: httpx.AsyncClient, sites: SiteDirectory, site: Site
) -> None:
    fields = edit_fields(
        theme="dark",
        language="fr",
        logo_url="https://shop.example/logo.png",
        prechat_name="optional",
        prechat_email="required",
        prechat_question="off",
        offline_form="on",
    )
    saved = await post_form(signed_in, f"/panel/settings/sites/{site.id}", fields)
    assert saved.status_code == 303
    stored = await sites.get(site.id)
    assert stored is not None
    assert (stored.settings["theme"], stored.settings["language"]) == ("dark", "fr")
    assert stored.settings["prechat_fields"] == [
        {"name": "name", "required": False},
        {"name": "email", "required": True},
    ]
    assert stored.settings["offline_form"] is True
    page = await signed_in.get(saved.headers["location"])
    assert '<option value="required" selected>Ask (required)</option>' in page.text
    refused = await post_form(
        signed_in,
        f"/panel/settings/sites/{site.id}",
        edit_fields(logo_url="http://shop.example/logo.png", theme="neon"),
    )
    assert refused.status_code == 422
    assert set(errors(refused.text)) >= {"logo_url", "theme"}
    again = await sites.get(site.id)
    assert again is not None and again.settings["theme"] == "dark"  # nothing stored


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"name": "   "}, "name", "A site needs a name."),
        ({"name": "n" * 201}, "name", "at most 200 characters"),
        ({"origins": "https://ok.example\nshop.example/path"}, "origins", "shop.example/path"),
        ({"origins": "https://shop example.com"}, "origins", "Not an origin"),
        ({"origins": "https://ok.example, https://b.example"}, "origins", "Not an origin"),
        ({"origins": TOO_MANY_ORIGINS}, "origins", "at most 50 origins"),
    ],
)
async def test_a_refused_new_site_keeps_the_input_and_stores_nothing(
    signed_in: httpx.AsyncClient,
    sites: SiteDirectory,
    site: Site,
    fields: dict[str, str],
    field: str,
    message: str,
) -> None:
    sent = {**GOOD_SITE, **fields}
    response = await post_form(signed_in, "/panel/settings/sites", sent)
    assert response.status_code == 422
    assert message in errors(response.text)[field]
    add_form = response.text.split('data-testid="add-site-form"', 1)[1]
    assert f'name="name" value="{sent["name"]}"' in add_form
    assert f">{sent['origins']}</textarea>" in add_form
    assert await sites.all() == [site]


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"color": "red"}, {"color": "#rrggbb"}),
        ({"color": "#12345"}, {"color": "#rrggbb"}),
        ({"color": None}, {"color": "#rrggbb"}),
        ({"greeting": "g" * 281}, {"greeting": "at most 280 characters"}),
        ({"origins": "javascript:alert(1)"}, {"origins": "Not an origin"}),
        ({"name": ""}, {"name": "needs a name"}),
        (  # every problem is told at once
            {"name": "", "origins": "ftp://x", "color": "blue", "greeting": "g" * 300},
            {"name": "", "origins": "", "color": "", "greeting": ""},
        ),
    ],
)
async def test_a_refused_edit_keeps_the_input_and_stores_nothing(
    signed_in: httpx.AsyncClient,
    sites: SiteDirectory,
    site: Site,
    changes: dict[str, Any],
    expected: dict[str, str],
) -> None:
    fields = edit_fields(typing_preview=None, **changes)
    response = await post_form(signed_in, f"/panel/settings/sites/{site.id}", fields)
    assert response.status_code == 422
    shown = errors(response.text)
    assert shown.keys() == expected.keys()
    for field, message in expected.items():
        assert message in shown[field]
    site_form = response.text.split('data-testid="site-form"', 1)[1]
    assert f'name="name" value="{fields["name"]}"' in site_form
    assert f">{fields['origins']}</textarea>" in site_form
    assert 'name="typing_preview" data-testid="typing-preview-toggle">' in site_form  # unticked
    if "greeting" in changes:
        assert f'value="{changes["greeting"]}"' in site_form
    assert await sites.get(site.id) == site


@pytest.mark.parametrize("site_path", ["999", "99999999999999999999", "0"])
async def test_unknown_site_is_404(
    signed_in: httpx.AsyncClient, sites: SiteDirectory, site: Site, site_path: str
) -> None:
    response = await post_form(signed_in, f"/panel/settings/sites/{site_path}", edit_fields())
    assert response.status_code == 404
    assert "No such site" in response.text
    assert await sites.all() == [site]


async def test_forms_need_the_csrf_token_and_our_origin(
    signed_in: httpx.AsyncClient, sites: SiteDirectory, site: Site
) -> None:
    edit = f"/panel/settings/sites/{site.id}"
    for path, fields in [("/panel/settings/sites", GOOD_SITE), (edit, edit_fields(name="X"))]:
        missing = await post_form(signed_in, path, fields, csrf=False)
        assert missing.status_code == 403 and "This form has expired" in missing.text
        wrong = await signed_in.post(path, data={**fields, "csrf_token": "forged"})
        assert wrong.status_code == 403
        token = csrf_from((await signed_in.get("/panel/settings")).text)
        foreign = await signed_in.post(
            path, data={**fields, "csrf_token": token}, headers={"Origin": "https://evil.example"}
        )
        assert foreign.status_code == 403
    assert await sites.all() == [site]


async def test_odd_bodies_are_4xx_pages(
    signed_in: httpx.AsyncClient, sites: SiteDirectory, site: Site
) -> None:
    path = f"/panel/settings/sites/{site.id}"
    huge = await post_form(signed_in, path, edit_fields(greeting="g" * 20_000))
    assert huge.status_code == 413
    nul = await post_form(signed_in, path, edit_fields(name="Sh\x00op"))
    assert nul.status_code == 400
    as_json = await signed_in.post(path, json=edit_fields())
    assert as_json.status_code == 415
    assert await sites.all() == [site]


# -- live: a saved change reaches connected widgets and operators ---------------------------


async def test_turning_typing_preview_off_in_settings_stops_drafts_at_once(
    live_server: LiveServer,
) -> None:
    seeded = seed(live_server)
    session = await open_session(live_server, seeded.site.key)
    widget = await visitor_client(live_server, session["visitor_token"])
    async with httpx.AsyncClient(base_url=live_server.url) as http:
        assert (await login(http, "olivia@shop.example", "pw-123456")).status_code == 303
        cookie = f"{COOKIE_NAME}={http.cookies[COOKIE_NAME]}"
        panel = await Client("/operator").connect(live_server.url, headers={"Cookie": cookie})
        try:
            assert (await widget.next("hello"))["settings"] == {"typing_preview": True}
            await widget.call("typing", {"draft": "Do you ship to"})
            conversation_id = (await widget.next("conversation"))["id"]
            watch = await panel.call("conversation.watch", {"conversation_id": conversation_id})
            assert watch["draft"] == "Do you ship to"

            fields = edit_fields(typing_preview=None, color="#0a7d3b", greeting="Hello there")
            saved = await post_form(http, f"/panel/settings/sites/{seeded.site.id}", fields)
            assert saved.status_code == 303

            assert await widget.next("site") == {
                "name": "Shop",
                "typing_preview": False,
                "color": "#0a7d3b",
                "greeting": "Hello there",
                "theme": "auto",  # the widget follows a change of look or language live
                "language": "auto",
            }
            cleared = await panel.next("visitor.typing")  # the preview on screen goes away
            assert cleared == {"conversation_id": conversation_id, "draft": ""}
            await widget.call("typing", {"draft": "Do you ship to Norway? My card is"})
            again = await panel.call("conversation.watch", {"conversation_id": conversation_id})
            assert again["draft"] == ""
            assert panel.pending("visitor.typing") == []
        finally:
            await panel.close()
            await widget.close()


async def test_the_identity_secret_is_shown_and_can_be_replaced(
    signed_in: httpx.AsyncClient, client: httpx.AsyncClient, sites: SiteDirectory, site: Site
) -> None:
    page = await signed_in.get("/panel/settings")
    assert f'value="{site.identity_secret}"' in page.text
    path = f"/panel/settings/sites/{site.id}/identity-secret"

    forged = await signed_in.post(path, data={"csrf_token": "forged"})
    assert forged.status_code == 403
    assert (await sites.get(site.id)).identity_secret == site.identity_secret

    response = await post_form(signed_in, path, {})
    assert response.status_code == 303
    rotated = (await sites.get(site.id)).identity_secret
    assert rotated != site.identity_secret
    page = await signed_in.get(response.headers["location"])
    assert "New identity secret for “Shop”" in page.text and f'value="{rotated}"' in page.text
    assert site.identity_secret not in page.text
    missing = await post_form(signed_in, "/panel/settings/sites/999999/identity-secret", {})
    assert missing.status_code == 404
