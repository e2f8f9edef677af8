"""WordPress fixtures: one private MariaDB and, per WordPress version, one installed site
served by `php -S` for the whole test session; the plugin zip as `scripts/build-wordpress-plugin`
makes it; a Porch server (SQLite) with a site that allows each WordPress site's origin."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from porch.demo.seed import Demo
from porch.services import Services
from porch.sites.models import Site
from tests.conftest import make_config
from tests.e2e.conftest import browser, new_tab  # noqa: F401 (browser fixtures, shared)
from tests.support import databases
from tests.support.live_server import LiveServer, start_live_server
from tests.wordpress.html import Page
from tests.wordpress.mariadb import MariaDB
from tests.wordpress.owner import WPAdmin
from tests.wordpress.site import OWNER, REPO, WordPressSite, missing_tools

VERSIONS = ["6.1", "6.8"]
OPERATOR_PASSWORD = "pw-operator-5521"


@pytest.fixture(scope="session")
def plugin_zip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("plugin") / "porch-chat.zip"
    subprocess.run(
        [str(REPO / "scripts" / "build-wordpress-plugin"), str(out)],
        check=True,
        capture_output=True,
        timeout=60,
    )
    return out


@pytest.fixture(scope="session")
def mariadb(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MariaDB]:
    db = MariaDB(tmp_path_factory.mktemp("mariadb"))
    db.start()
    yield db
    db.stop()


@pytest.fixture(scope="session", params=VERSIONS, ids=[f"wp{v}" for v in VERSIONS])
def wordpress(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[WordPressSite]:
    reason = missing_tools(request.param)
    if reason:
        pytest.skip(reason)
    db: MariaDB = request.getfixturevalue("mariadb")
    site = WordPressSite(request.param, tmp_path_factory.mktemp(f"wp{request.param}"), db)
    site.build()
    site.install()
    site.start()
    yield site
    site.stop()


@dataclass
class Installed:
    """The site after its owner uploaded and activated the plugin in wp-admin."""

    site: WordPressSite
    upload_result: Page


def install_plugin(site: WordPressSite, zip_path: Path) -> Installed:
    owner = WPAdmin(site.url)
    try:
        owner.login(OWNER)
        uploaded = owner.upload_plugin(zip_path)
        owner.activate_from(uploaded)
    finally:
        owner.close()
    return Installed(site, uploaded)


@pytest.fixture(scope="session")
def installed(wordpress: WordPressSite, plugin_zip: Path) -> Installed:
    return install_plugin(wordpress, plugin_zip)


@pytest.fixture
def owner(installed: Installed) -> Iterator[WPAdmin]:
    admin = WPAdmin(installed.site.url)
    admin.login(OWNER)
    yield admin
    admin.close()


@pytest.fixture(scope="session")
def porch(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    data = tmp_path_factory.mktemp("porch")
    server = start_live_server(make_config(data, databases.sqlite_database(data)))
    yield server
    server.stop()


@pytest.fixture(scope="session")
def operator(porch: LiveServer) -> Demo:
    """An operator account for the panel (a Demo: what the Inbox page object signs in with)."""

    async def run(services: Services) -> Demo:
        site = await services.sites.create("Elsewhere", ["https://elsewhere.example"])
        person = await services.operators.create("olivia@shop.example", "Olivia", OPERATOR_PASSWORD)
        return Demo(site, person, OPERATOR_PASSWORD)

    return porch.call(run)


@pytest.fixture(scope="session")
def porch_site(porch: LiveServer, wordpress: WordPressSite) -> Site:
    """The Porch site for this WordPress site: its origin is allowed."""

    async def run(services: Services) -> Site:
        return await services.sites.create(f"WordPress {wordpress.version}", [wordpress.url])

    return porch.call(run)
