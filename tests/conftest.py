"""Shared fixtures: `database_url` runs a test on SQLite and on PostgreSQL (skipped, with the
reason, when no PostgreSQL is reachable; browser tests on SQLite only, see
`pytest_collection_modifyitems`); `live_server` runs a real Porch server on it."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "server"))

from porch.config import Config
from tests.support import databases
from tests.support.chat_clients import Seeded, seed
from tests.support.live_server import LiveServer, free_port, start_live_server

BACKENDS = ["sqlite", "postgres"]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Chromium tests show what only a browser can show, and storage is tested on both
    databases below them: a test that uses the browser runs on SQLite alone, unless it is
    marked `every_backend` (text that must survive each database's storage)."""
    kept, dropped = [], []
    for item in items:
        callspec = getattr(item, "callspec", None)
        on_postgres = callspec is not None and callspec.params.get("database_url") == "postgres"
        in_browser = "browser" in getattr(item, "fixturenames", ())
        if on_postgres and in_browser and item.get_closest_marker("every_backend") is None:
            dropped.append(item)
        else:
            kept.append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept


@pytest.fixture(scope="session")
def postgres_template() -> Iterator[str | None]:
    """None when PostgreSQL is usable (template made), else the reason to skip."""
    reason = databases.postgres_unavailable_reason()
    if reason is not None and os.environ.get("PORCH_REQUIRE_POSTGRES") == "1":
        pytest.fail(f"PORCH_REQUIRE_POSTGRES=1 but {reason}")
    if reason is None:
        databases.make_postgres_template()
    yield reason
    if reason is None:
        databases.drop_postgres_template()


@pytest.fixture(params=BACKENDS)
def database_url(
    request: pytest.FixtureRequest, tmp_path: Path, postgres_template: str | None
) -> Iterator[str]:
    if request.param == "sqlite":
        yield databases.sqlite_database(tmp_path)
        return
    if postgres_template is not None:
        pytest.skip(postgres_template)
    url, name = databases.postgres_database()
    yield url
    databases.drop_postgres_database(name)


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    """For tests that are about behaviour, not storage: SQLite only."""
    return databases.sqlite_database(tmp_path)


def make_config(data_dir: Path, database_url: str) -> Config:
    return Config(
        data_dir=data_dir,
        database_url=database_url,
        secret_key="test-secret-key-not-for-production",
        host="127.0.0.1",
        port=free_port(),
    )


@pytest.fixture
def config(tmp_path: Path, database_url: str) -> Config:
    return make_config(tmp_path, database_url)


@pytest.fixture
def live_server(config: Config) -> Iterator[LiveServer]:
    server = start_live_server(config)
    yield server
    server.stop()


@pytest.fixture
def seeded(live_server: LiveServer) -> Seeded:
    """A site for https://shop.example and an operator, on the live server."""
    return seed(live_server)


@pytest.fixture(params=["sqlite", "postgres"])
def empty_database_url(
    request: pytest.FixtureRequest, tmp_path: Path, postgres_template: str | None
) -> Iterator[str]:
    """A database with no tables yet, on each backend (migration tests upgrade it)."""
    if request.param == "sqlite":
        yield databases.sqlite_database(tmp_path, revision=None)
        return
    if postgres_template is not None:
        pytest.skip(postgres_template)
    url, name = databases.postgres_database(migrated=False)
    yield url
    databases.drop_postgres_database(name)
