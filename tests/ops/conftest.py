"""Fixtures for the operations tests: a live server with a metrics token and an admin
listener, and real `porch serve` processes whose logs the tests read."""

from __future__ import annotations

import dataclasses
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest

from porch.app import build_services
from porch.config import Config, OpsConfig
from porch.services import Services
from tests.conftest import make_config
from tests.support.live_server import free_port
from tests.support.processes import REPO

T = TypeVar("T")

TOKEN = "metrics-token-for-tests"
WAIT = 30.0
"""Longest any test here waits for something that should happen much sooner."""


@pytest.fixture
def config(tmp_path: Path, database_url: str) -> Config:
    """The live server's config: a metrics token and an admin listener."""
    ops = OpsConfig(metrics_token=TOKEN, admin_listen=f"127.0.0.1:{free_port()}")
    return dataclasses.replace(make_config(tmp_path, database_url), ops=ops)


def admin_url(config: Config) -> str:
    return f"http://{config.ops.admin_listen}"


async def with_services(config: Config, fn: Callable[[Services], Awaitable[T]]) -> T:
    """`fn(services)` on services of our own (own engine), as another process would."""
    services = build_services(config)
    try:
        return await fn(services)
    finally:
        await services.db.dispose()


@dataclass
class Served:
    """A `porch serve` process: stdout and stderr go to files the test reads."""

    proc: subprocess.Popen[bytes]
    url: str
    config: Config
    stdout: Path
    stderr: Path

    def log_lines(self) -> list[dict[str, Any]]:
        """stderr as JSON lines (the process runs with `--log-format json`)."""
        return [json.loads(line) for line in self.stderr.read_text().splitlines() if line]

    def output(self) -> str:
        return self.stdout.read_text() + self.stderr.read_text()

    def sigterm(self) -> float:
        """Send SIGTERM; the `time.monotonic()` it was sent at."""
        self.proc.send_signal(signal.SIGTERM)
        return time.monotonic()


@contextmanager
def porch_serve(
    tmp_path: Path,
    database_url: str,
    *args: str,
    env: dict[str, str] | None = None,
    port: int | None = None,
    data: Path | None = None,
) -> Iterator[Served]:
    """`porch serve --no-migrate` on `database_url` (migrated by the fixture), up and
    answering /healthz; killed afterwards if the test left it running."""
    port = port or free_port()
    data = data or tmp_path / f"serve-{port}"
    command = ["serve", "--no-migrate", "--data", str(data), "--database-url", database_url]
    command += ["--port", str(port), *args]
    stdout = tmp_path / f"serve-{port}-{time.monotonic_ns()}.out"
    stderr = stdout.with_suffix(".err")
    clean = {k: v for k, v in os.environ.items() if not k.startswith("PORCH_")}
    with stdout.open("wb") as out, stderr.open("wb") as err:
        proc = subprocess.Popen(
            [sys.executable, "-m", "porch", *command],
            stdout=out,
            stderr=err,
            cwd=REPO,
            env={**clean, **(env or {})},
        )
    served = Served(
        proc, f"http://127.0.0.1:{port}", make_config(data, database_url), stdout, stderr
    )
    try:
        wait_until_healthy(served)
        yield served
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=WAIT)


def wait_until_healthy(served: Served) -> None:
    deadline = time.monotonic() + WAIT
    while True:
        assert served.proc.poll() is None, f"porch serve exited:\n{served.output()}"
        try:
            if httpx.get(f"{served.url}/healthz", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        assert time.monotonic() < deadline, f"porch serve did not start:\n{served.output()}"
        time.sleep(0.05)
