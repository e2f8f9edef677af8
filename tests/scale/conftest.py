"""Fixtures for the scale-out tests: a real cluster (`tests/scale/cluster.py`) shared by the
tests of a module, since starting processes and nginx is the slow part."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.scale.cluster import (
    Cluster,
    nginx_binary,
    redis_unavailable_reason,
)
from tests.support.databases import postgres_unavailable_reason


def _missing(reason: str, required: bool) -> None:
    if required:
        pytest.fail(reason)
    pytest.skip(reason)


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    """Three `porch serve` processes on one fresh PostgreSQL database and one Redis prefix,
    behind nginx. A test that kills a process restarts it before it ends.

    Skipped, with the reason, without PostgreSQL, Redis or nginx; a failure instead under
    `PORCH_REQUIRE_POSTGRES=1` (CI, where `scripts/test` installs nginx) or, for Redis,
    `PORCH_REQUIRE_REDIS=1`."""
    required = os.environ.get("PORCH_REQUIRE_POSTGRES") == "1"
    reason = postgres_unavailable_reason()
    if reason is not None:
        _missing(reason, required)
    reason = redis_unavailable_reason()
    if reason is not None:
        _missing(reason, required or os.environ.get("PORCH_REQUIRE_REDIS") == "1")
    if nginx_binary() is None:
        _missing("nginx is not installed (scripts/test installs Debian's nginx)", required)
    root: Path = tmp_path_factory.mktemp("cluster")
    running = Cluster(size=3, root=root).start()
    yield running
    running.stop()
