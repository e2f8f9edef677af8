"""`porch api-key create` and `porch webhook add`, run as a user runs them, and the key
used against a real server."""

from __future__ import annotations

import re
from pathlib import Path

import httpx

from tests.conftest import make_config
from tests.support.live_server import start_live_server
from tests.support.processes import porch


def test_api_key_and_webhook_commands(tmp_path: Path) -> None:
    data = ["--data", str(tmp_path)]
    site = porch("site", "add", "My Shop", "--origin", "https://shop.example", *data)
    key = re.search(r"Site key: (\S+)", site.stdout)
    assert key, site.stdout

    made = porch("api-key", "create", "--site", key.group(1), "--name", "CRM", "--scope", "write",
                 *data)  # fmt: skip
    assert made.returncode == 0, made.stderr
    token = re.search(r"(porch_\S+)", made.stdout)
    assert token and "shown only this once" in made.stdout
    listed = porch("api-key", "list", *data)
    assert "CRM" in listed.stdout and token.group(1) not in listed.stdout
    unknown = porch("api-key", "create", "--site", "nope", "--name", "X", *data)
    assert unknown.returncode == 1 and "no site" in unknown.stderr

    refused = porch("webhook", "add", "--site", key.group(1), "http://127.0.0.1:9/hook", *data)
    assert refused.returncode == 1 and "private" in refused.stderr
    events = ["--events", "message.created,ticket.created"]
    added = porch("webhook", "add", "--site", key.group(1), "http://127.0.0.1:9/hook", *events,
                  "--allow-private", *data)  # fmt: skip
    assert added.returncode == 0, added.stderr
    assert re.search(r"Signing secret: whsec_\S+", added.stdout)

    config = make_config(tmp_path, f"sqlite+aiosqlite:///{tmp_path / 'porch.db'}")
    server = start_live_server(config)
    try:
        auth = {"Authorization": f"Bearer {token.group(1)}"}
        hooks = httpx.get(server.url + "/api/v1/webhooks", headers=auth)
        assert hooks.status_code == 200, hooks.text
        assert [h["url"] for h in hooks.json()["data"]] == ["http://127.0.0.1:9/hook"]
        revoked = porch("api-key", "revoke", "1", *data)
        assert revoked.returncode == 0, revoked.stderr
        assert httpx.get(server.url + "/api/v1/site", headers=auth).status_code == 401
    finally:
        server.stop()
