"""What a site owner (or any signed-in user) does in wp-admin, over plain HTTP: the forms
are read from the pages and posted back with the values a browser would send."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urljoin

import httpx

from tests.wordpress.html import Form, Page
from tests.wordpress.site import User

PLUGIN = "porch-chat/porch-chat.php"
SETTINGS = "/wp-admin/options-general.php?page=porch-chat"
FIELD = "porch_chat_settings[{}]"


class WPAdmin:
    def __init__(self, url: str) -> None:
        self.url = url
        self.http = httpx.Client(base_url=url, timeout=60, follow_redirects=True)

    def close(self) -> None:
        self.http.close()

    def get(self, path: str) -> httpx.Response:
        return self.http.get(path)

    def page(self, path: str, status: int = 200) -> Page:
        response = self.get(path)
        assert response.status_code == status, (path, response.status_code, response.text[-2000:])
        return Page(response.text, str(response.url))

    def submit(self, form: Form, changes: dict[str, str | None] | None = None) -> httpx.Response:
        """Posts a form as a browser would, with some fields changed (None: unticked)."""
        fields = [(k, v) for k, v in form.fields if k not in (changes or {})]
        fields += [(k, v) for k, v in (changes or {}).items() if v is not None]
        return self.http.post(form.action, data=_multi(fields))

    # -- signing in ---------------------------------------------------------------------

    def login(self, user: User) -> None:
        self.get("/wp-login.php")  # sets WordPress's test cookie, as a browser would get it
        response = self.http.post(
            "/wp-login.php",
            data={
                "log": user.login,
                "pwd": user.password,
                "wp-submit": "Log In",
                "redirect_to": self.url + "/wp-admin/",
                "testcookie": "1",
            },
        )
        assert "/wp-admin/" in str(response.url), response.text[-2000:]

    # -- plugins ------------------------------------------------------------------------

    def upload_plugin(self, zip_path: Path) -> Page:
        """Plugins → Add New → Upload Plugin → Install Now; returns the result page."""
        form = self.page("/wp-admin/plugin-install.php?tab=upload").form(
            enctype="multipart/form-data"
        )
        with zip_path.open("rb") as archive:
            response = self.http.post(
                form.action,
                data=_multi([*form.fields, ("install-plugin-submit", "Install Now")]),
                files={"pluginzip": (zip_path.name, archive, "application/zip")},
            )
        assert response.status_code == 200, response.text[-2000:]
        return Page(response.text, str(response.url))

    def activate_from(self, result: Page) -> Page:
        """Follows the "Activate Plugin" link on the upload result page."""
        link = next(e for e in result.find_all("a") if "action=activate" in e.attrs.get("href", ""))
        return self.page(urljoin(self.url + "/wp-admin/", link.attrs["href"]))

    def plugin_row(self) -> dict[str, str] | None:
        row = self.page("/wp-admin/plugins.php").find("tr", data_plugin=PLUGIN)
        return row.attrs if row else None

    def plugin_is_active(self) -> bool:
        row = self.plugin_row()
        return row is not None and "active" in row.get("class", "").split()

    def deactivate(self) -> None:
        page = self.page("/wp-admin/plugins.php")
        link = next(
            e
            for e in page.find_all("a")
            if "action=deactivate" in e.attrs.get("href", "")
            and "porch-chat%2Fporch-chat.php" in e.attrs["href"]
        )
        self.page(urljoin(self.url + "/wp-admin/", link.attrs["href"]))

    def delete_plugin(self) -> Page:
        """Plugins → tick Porch Chat → Bulk actions: Delete → "Yes, delete these files"."""
        listing = self.page("/wp-admin/plugins.php")
        bulk = listing.form_with_field("plugin_status", "all")
        confirm = self.submit(
            bulk, {"action": "delete-selected", "checked[]": PLUGIN, "action2": "-1"}
        )
        assert confirm.status_code == 200, confirm.text[-2000:]
        form = Page(confirm.text, str(confirm.url)).form_with_field("verify-delete", "1")
        done = self.submit(form)
        assert done.status_code == 200, done.text[-2000:]
        return Page(done.text, str(done.url))

    # -- the plugin's settings ----------------------------------------------------------

    def settings_form(self) -> Form:
        return self.page(SETTINGS).form(id="porch-chat-settings")

    def settings(self) -> dict[str, str]:
        """The settings as the form shows them (field name without the option prefix)."""
        values = self.settings_form().values()
        prefix = FIELD.format("")[:-1]
        return {k[len(prefix) : -1]: v for k, v in values.items() if k.startswith(prefix)}

    def save_settings(self, **values: str | None) -> httpx.Response:
        """Fills in the settings form (None unticks a checkbox) and saves it."""
        changes = {FIELD.format(name): value for name, value in values.items()}
        return self.submit(self.settings_form(), changes)

    def configure(self, server_url: str, site_key: str, **extra: str | None) -> None:
        """Pastes the server address and key (and anything else), ticks "Show the chat",
        and saves."""
        values: dict[str, str | None] = {
            "server_url": server_url,
            "site_key": site_key,
            "enabled": "1",
            "hidden_paths": "",
            "forget_identity_secret": None,
            **extra,
        }
        response = self.save_settings(**values)
        assert response.status_code == 200
        assert "settings-updated=true" in str(response.url), response.text[-2000:]

    def test_connection(self) -> Page:
        form = self.page(SETTINGS).form(id="porch-chat-test")
        response = self.submit(form, {"porch_chat_test_connection": "Test connection"})
        assert response.status_code == 200, response.text[-2000:]
        return Page(response.text, str(response.url))


def _multi(fields: list[tuple[str, str]]) -> dict[str, list[str]]:
    """Form fields as httpx takes them (a name may repeat)."""
    data: dict[str, list[str]] = {}
    for name, value in fields:
        data.setdefault(name, []).append(value)
    return data
