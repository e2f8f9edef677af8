"""The plugin on real WordPress (6.1 from Debian bookworm, 6.8 from trixie), as its owner
uses it in wp-admin and as visitors get it on the site's pages."""

from __future__ import annotations

import hashlib
import hmac
import json

import sqlalchemy as sa

from porch.services import Services
from porch.sites.models import Site
from porch.visitors.tables import visitors
from tests.support.live_server import LiveServer, free_port
from tests.wordpress.conftest import Installed, install_plugin
from tests.wordpress.html import Element, Page
from tests.wordpress.owner import PLUGIN, SETTINGS, WPAdmin
from tests.wordpress.site import SHOPPER, WordPressSite

TEST_BUTTON: dict[str, str | None] = {"porch_chat_test_connection": "Test connection"}


def configure(owner: WPAdmin, porch: LiveServer, site: Site, **extra: str | None) -> None:
    values = {"server_url": porch.url, "site_key": site.key, **extra}
    owner.configure(values.pop("server_url") or "", values.pop("site_key") or "", **values)


def loader(page: Page, porch: LiveServer) -> Element | None:
    scripts = page.scripts_from(porch.url + "/widget/porch.js")
    assert len(scripts) <= 1, "the loader is on the page more than once"
    return scripts[0] if scripts else None


def front(
    site: WordPressSite, path: str = "/", client: WPAdmin | None = None, status: int = 200
) -> Page:
    visitor = client or WPAdmin(site.url)
    try:
        return visitor.page(path, status)
    finally:
        if client is None:
            visitor.close()


def set_visitor_argument(page: Page) -> dict[str, str] | None:
    """The object the inline script passes to Porch.setVisitor, if it calls it."""
    for script in page.find_all("script", id="porch-chat-js-before"):
        call = script.text.partition("Porch.setVisitor(")[2]
        if call:
            return json.loads(call.rsplit(")", 1)[0])
    return None


def assert_no_plugin_warnings(site: WordPressSite) -> None:
    assert site.plugin_warnings() == []


def test_owner_uploads_and_activates_the_plugin(installed: Installed, owner: WPAdmin) -> None:
    assert "Plugin installed successfully" in installed.upload_result.text_of("div", class_="wrap")
    assert owner.plugin_is_active()
    row = owner.page("/wp-admin/plugins.php").find("tr", data_plugin=PLUGIN)
    assert row is not None and row.attrs["data-slug"] == "porch-chat"
    # The Plugins screen links to the settings; the settings page is under Settings.
    links = [a.attrs.get("href", "") for a in owner.page("/wp-admin/plugins.php").find_all("a")]
    assert any(href.endswith("options-general.php?page=porch-chat") for href in links)
    settings_page = owner.page(SETTINGS)
    assert settings_page.text_of("h1") == "Porch Chat"


def test_saved_settings_put_the_loader_in_the_footer(
    owner: WPAdmin, porch: LiveServer, porch_site: Site, installed: Installed
) -> None:
    configure(owner, porch, porch_site)
    assert owner.settings()["site_key"] == porch_site.key
    assert owner.settings()["server_url"] == porch.url

    page = front(installed.site)
    script = loader(page, porch)
    assert script is not None, "the front page has no Porch loader"
    assert script.attrs["data-site"] == porch_site.key
    assert "async" in script.attrs
    assert script.section == "body"
    footers = page.find_all("footer")
    assert footers and script.index > footers[-1].end, "the loader is not after the footer"
    stub = page.find("script", id="porch-chat-js-before")
    assert stub is not None and stub.index < script.index
    assert '"setVisitor"' in stub.text
    assert set_visitor_argument(page) is None  # nobody is logged in

    for path in ("/wp-admin/", SETTINGS, "/wp-admin/plugins.php", "/wp-login.php"):
        assert loader(owner.page(path), porch) is None, f"the loader is on {path}"
    assert_no_plugin_warnings(installed.site)


def test_logged_in_user_is_passed_with_an_identity_hash(
    owner: WPAdmin, porch: LiveServer, porch_site: Site, installed: Installed
) -> None:
    configure(owner, porch, porch_site, identity_secret=porch_site.identity_secret)
    shopper = WPAdmin(installed.site.url)
    try:
        shopper.login(SHOPPER)
        visitor = set_visitor_argument(front(installed.site, client=shopper))
        assert visitor is not None
        assert visitor["name"] == SHOPPER.name
        assert visitor["email"] == SHOPPER.email
        expected = hmac.new(
            porch_site.identity_secret.encode(), visitor["id"].encode(), hashlib.sha256
        ).hexdigest()
        assert visitor["hash"] == expected

        # The secret is never shown again, and forgetting it drops the hash.
        form = owner.settings_form()
        assert porch_site.identity_secret not in json.dumps(form.fields)
        configure(owner, porch, porch_site, forget_identity_secret="1")
        visitor = set_visitor_argument(front(installed.site, client=shopper))
        assert visitor == {"name": SHOPPER.name, "email": SHOPPER.email}
    finally:
        shopper.close()
    assert_no_plugin_warnings(installed.site)


def test_hidden_paths_and_the_off_switch(
    owner: WPAdmin, porch: LiveServer, porch_site: Site, installed: Installed
) -> None:
    site = installed.site
    configure(owner, porch, porch_site, hidden_paths="/sample-page\n/shop*")
    assert owner.settings()["hidden_paths"] == "/sample-page\n/shop*"
    assert loader(front(site, "/"), porch) is not None
    assert loader(front(site, "/hello-world/"), porch) is not None
    assert loader(front(site, "/sample-page/"), porch) is None
    # A page that does not exist still has the site's footer: no loader under /shop* either.
    assert loader(front(site, "/shopping-list/", status=404), porch) is None
    assert loader(front(site, "/no-such-page/", status=404), porch) is not None

    configure(owner, porch, porch_site, enabled=None)
    assert "enabled" not in owner.settings()
    assert loader(front(site, "/"), porch) is None


def test_a_bad_nonce_is_refused(
    owner: WPAdmin, porch: LiveServer, porch_site: Site, installed: Installed
) -> None:
    configure(owner, porch, porch_site)
    form = owner.settings_form()
    response = owner.submit(form, {"_wpnonce": "0123456789", "porch_chat_settings[site_key]": "x"})
    assert response.status_code == 403
    assert "link you followed has expired" in response.text
    assert owner.settings()["site_key"] == porch_site.key

    test = owner.page(SETTINGS).form(id="porch-chat-test")
    response = owner.submit(test, {**TEST_BUTTON, "porch_chat_test_nonce": "0123456789"})
    assert response.status_code == 403
    assert 'id="porch-chat-test-result"' not in response.text


def test_a_subscriber_cannot_change_settings(
    owner: WPAdmin, porch: LiveServer, porch_site: Site, installed: Installed
) -> None:
    configure(owner, porch, porch_site)
    form = owner.settings_form()
    shopper = WPAdmin(installed.site.url)
    try:
        shopper.login(SHOPPER)
        assert shopper.get(SETTINGS).status_code == 403
        # Even with the owner's form (and nonce) in hand, options.php turns them away.
        response = shopper.submit(form, {"porch_chat_settings[site_key]": "site_stolen"})
        assert response.status_code == 403
        test = shopper.submit(owner.page(SETTINGS).form(id="porch-chat-test"), TEST_BUTTON)
        assert test.status_code == 403
    finally:
        shopper.close()
    assert owner.settings()["site_key"] == porch_site.key


def test_script_typed_into_a_field_is_sanitised(
    owner: WPAdmin, porch: LiveServer, porch_site: Site, installed: Installed
) -> None:
    configure(owner, porch, porch_site)
    attack = "<script>alert('porch')</script>"
    response = owner.save_settings(
        server_url='"><script>alert("porch")</script>',
        site_key=attack,
        hidden_paths=f"{attack}\n/private{attack}",
        identity_secret=attack,
    )
    page = Page(response.text)
    errors = page.find_all("div", id="setting-error-porch_chat_site_key")
    assert errors, "the owner is not told the key was refused"
    saved = owner.settings()
    assert saved["site_key"] == porch_site.key
    assert saved["server_url"] == porch.url
    assert "<" not in saved["hidden_paths"]
    for shown in (page, front(installed.site)):
        assert not [s for s in shown.find_all("script") if "alert(" in s.text]


async def visitor_count(services: Services) -> int:
    async with services.db.connect() as conn:
        return await conn.scalar(sa.select(sa.func.count()).select_from(visitors))


def test_connection_check_tells_the_owner_plainly(
    owner: WPAdmin, porch: LiveServer, porch_site: Site, operator, installed: Installed
) -> None:
    def verdict() -> tuple[str, str]:
        result = owner.test_connection().find("div", id="porch-chat-test-result")
        assert result is not None
        return result.attrs["data-ok"], " ".join(result.text.split())

    visitors_before = porch.call(visitor_count)
    configure(owner, porch, porch_site)
    ok, message = verdict()
    assert ok == "yes", message
    assert porch_site.key in message and "Connected" in message

    configure(owner, porch, porch_site, identity_secret=porch_site.identity_secret)
    ok, message = verdict()
    assert ok == "yes", message
    configure(owner, porch, porch_site, identity_secret="ab" * 32)  # another site's secret
    ok, message = verdict()
    assert ok == "no" and "identity secret is not the one Porch has" in message

    configure(owner, porch, porch_site, site_key="site_nobodyknowsthis")
    ok, message = verdict()
    assert ok == "no" and "does not know the site key site_nobodyknowsthis" in message

    # A key Porch knows, for a site that does not allow this WordPress site's address.
    configure(owner, porch, operator.site)
    ok, message = verdict()
    assert ok == "no" and f"does not allow chat on {installed.site.url}" in message

    configure(owner, porch, porch_site, server_url=f"http://127.0.0.1:{free_port()}")
    ok, message = verdict()
    assert ok == "no" and "Could not reach" in message
    assert_no_plugin_warnings(installed.site)
    assert porch.call(visitor_count) == visitors_before  # testing opened no chat session


def test_deleting_the_plugin_leaves_no_options(
    owner: WPAdmin, porch: LiveServer, porch_site: Site, installed: Installed, plugin_zip
) -> None:
    site = installed.site
    configure(owner, porch, porch_site, identity_secret=porch_site.identity_secret)
    assert site.options_like("porch%") == ["porch_chat_settings"]

    owner.deactivate()
    assert not owner.plugin_is_active()
    owner.delete_plugin()
    assert owner.plugin_row() is None
    assert not (site.plugins_dir / "porch-chat").exists()
    assert site.options_like("%porch%") == []
    assert_no_plugin_warnings(site)

    # Installed again, as the other tests expect it.
    again = install_plugin(site, plugin_zip)
    assert "Plugin installed successfully" in again.upload_result.text_of("div", class_="wrap")
    assert owner.plugin_is_active()
