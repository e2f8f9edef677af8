"""Contract tests: schemathesis generates requests for every operation of the served
OpenAPI document against a real server on SQLite; none may get a 5xx, and every reply
must match the document (status codes, content types, body schemas, headers)."""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis import checks
from starlette.testclient import TestClient

from porch.api.keys import KeyService
from porch.app import create_app
from porch.config import Config
from porch.services import Services
from porch.visitors.models import Page
from tests.conftest import make_config
from tests.support import databases
from tests.support.live_server import LiveServer, start_live_server

EXAMPLES_PER_OPERATION = 100
"""At most, per operation (operations with few inputs have fewer distinct cases)."""
CASES: list[str] = []
"""Every case sent, to check that the run was big enough."""


def _document() -> dict[str, Any]:
    config = Config(data_dir=Path("."), database_url="sqlite+aiosqlite://", secret_key="x")
    client = TestClient(create_app(config))  # no lifespan: nothing but the document
    spec: dict[str, Any] = client.get("/api/v1/openapi.json").json()
    return spec


schema = schemathesis.openapi.from_dict(_document())


@dataclasses.dataclass
class Target:
    server: LiveServer
    token: str


async def _seed(services: Services) -> str:
    site = await services.sites.create("Shop", ["https://shop.example"])
    await services.operators.create("olivia@shop.example", "Olivia", "pw-123456")
    visitor = await services.visitors.open_session(site, None, Page("https://shop.example/"))
    await services.conversations.send_visitor_message(visitor.id, "m1", "Hello")
    made = await KeyService(services.db, services.clock).create(site.id, "contract", "write")
    return made.token


@pytest.fixture(scope="module")
def target(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Target]:
    directory = tmp_path_factory.mktemp("contract")
    config = dataclasses.replace(
        make_config(directory, databases.sqlite_database(directory)), api_rate_limit=1_000_000
    )
    server = start_live_server(config)
    token = server.call(_seed)
    yield Target(server, token)
    server.stop()


CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_schema_conformance,
    checks.response_headers_conformance,
]


@schema.parametrize()
@settings(
    max_examples=EXAMPLES_PER_OPERATION,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    database=None,
)
def test_every_operation_conforms(case: Any, target: Target) -> None:
    CASES.append(f"{case.method} {case.path}")
    case.call_and_validate(
        base_url=target.server.url,
        headers={"Authorization": f"Bearer {target.token}"},
        checks=CHECKS,
    )


def test_the_run_covered_every_operation_with_2000_cases() -> None:
    """Runs after the generated tests (file order). Under pytest-xdist schemathesis makes
    one test of them all, so `scripts/test` runs this file in one process."""
    if os.environ.get("PYTEST_XDIST_WORKER"):
        pytest.skip("run this file without workers (scripts/test does)")
    if not CASES:
        pytest.skip("the generated tests did not run (deselected)")
    operations = {f"{m.upper()} {p}" for p, ms in _document()["paths"].items() for m in ms}
    assert operations <= set(CASES), operations - set(CASES)  # (and unsupported methods)
    assert len(CASES) >= 2000, len(CASES)
