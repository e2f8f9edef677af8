"""`shopify theme check` (Shopify's own linter, from the Shopify CLI) passes on the extension.

The CLI and the Node.js 22 it needs come from shopify_app/node_modules
(scripts/install-shopify-test-deps). It runs offline: Liquid docs come from the copy
bundled with the CLI instead of GitHub, and analytics and notifications are off.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.shopify.storefront import EXTENSION_DIR

APP_DIR = EXTENSION_DIR.parents[1]
BIN = APP_DIR / "node_modules" / ".bin"
BUNDLED_DOCS = APP_DIR / "node_modules" / "@shopify" / "cli" / "dist" / "data"


@pytest.fixture(scope="module")
def offline_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    if not (BIN / "shopify").exists():
        pytest.skip("the Shopify CLI is not installed (run scripts/install-shopify-test-deps)")
    # The CLI reads `{root}/data/*.json` and `{root}/schemas/*.json`; its bundle has both.
    docs = tmp_path_factory.mktemp("theme-liquid-docs")
    (docs / "data").symlink_to(BUNDLED_DOCS)
    (docs / "schemas").symlink_to(BUNDLED_DOCS)
    return {
        **os.environ,
        "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}",  # its Node 22 before the system's
        "SHOPIFY_TLD_ROOT": str(docs),
        "SHOPIFY_CLI_NO_ANALYTICS": "1",
        "CI": "1",  # no interactive prompts, no notifications fetched
    }


def theme_check(path: Path, env: dict[str, str]) -> list[dict[str, Any]]:
    """Every offense theme check reports, with the file it is in."""
    done = subprocess.run(
        ["shopify", "theme", "check", "--path", str(path), "--output", "json"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    try:
        files = json.loads(done.stdout)
    except json.JSONDecodeError:
        pytest.fail(f"theme check did not report (exit {done.returncode}): {done.stderr}")
    return [{**offense, "file": f["path"]} for f in files for offense in f["offenses"]]


def test_extension_has_no_theme_check_errors(offline_env: dict[str, str]) -> None:
    version = subprocess.run(
        [BIN / "node", "--version"], capture_output=True, text=True, check=True
    ).stdout
    assert version.startswith("v22."), version
    errors = [o for o in theme_check(EXTENSION_DIR, offline_env) if o["severity"] == "error"]
    assert errors == []


def test_theme_check_catches_a_broken_block(offline_env: dict[str, str], tmp_path: Path) -> None:
    """The check above can fail: the same extension with two mistakes in it does."""
    broken = tmp_path / "porch-chat"
    shutil.copytree(EXTENSION_DIR, broken)
    block = broken / "blocks" / "porch-chat.liquid"
    source = block.read_text(encoding="utf-8")
    source = source.replace("| hmac_sha256:", "| hmac_sha257:").replace(
        "t:settings.color.label", "t:settings.colour.label"
    )
    block.write_text(source, encoding="utf-8")
    checks = {o["check"] for o in theme_check(broken, offline_env) if o["severity"] == "error"}
    assert {"UnknownFilter", "ValidSchemaTranslations"} <= checks
