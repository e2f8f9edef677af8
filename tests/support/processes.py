"""Running the `porch` command as a user would, in a child process."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def porch(
    *args: str, env: dict[str, str] | None = None, **kw: object
) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "porch", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, **(env or {})},
        **kw,  # type: ignore[arg-type]
    )


def wait_for_http(url: str, timeout: float = 60) -> bytes:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                return response.read()
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


@contextmanager
def running(
    args: list[str], env: dict[str, str], cwd: Path, log: Path | None = None
) -> Iterator[subprocess.Popen]:
    """A long-running porch process; stdout merged with stderr (into `log` when given: a
    pipe nobody reads stalls a chatty process once it fills), terminated on exit."""
    out = log.open("a") if log is not None else None
    proc = subprocess.Popen(
        [sys.executable, "-m", "porch", *args],
        stdout=out or subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, **env},
        cwd=cwd,
    )
    try:
        yield proc
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        if out is not None:
            out.close()
