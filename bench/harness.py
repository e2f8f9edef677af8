"""What every benchmark shares: a real server process on 127.0.0.1 with its CPU and memory
read from /proc, seeding through the service API, percentiles, and the JSON last line."""

from __future__ import annotations

import asyncio
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Coroutine, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
PAGE_KB = os.sysconf("SC_PAGE_SIZE") // 1024


def raise_file_limit(wanted: int) -> int:
    """Lift the soft open-files limit towards `wanted` (children inherit it); the new limit."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
    if target > soft:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
    return max(soft, target)


@dataclass
class ServerProcess:
    """A server child process and its resource figures from /proc (Linux)."""

    proc: subprocess.Popen[bytes]
    url: str

    def cpu_seconds(self) -> float:
        fields = Path(f"/proc/{self.proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS  # utime + stime

    def rss_kb(self) -> int:
        fields = Path(f"/proc/{self.proc.pid}/statm").read_text().split()
        return int(fields[1]) * PAGE_KB


def wait_for_http(url: str, proc: subprocess.Popen[bytes], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            urllib.request.urlopen(url, timeout=5).close()
            return
        except urllib.error.HTTPError:
            return  # it answers
        except OSError:
            if proc.poll() is not None:
                raise RuntimeError(f"server exited with {proc.returncode}") from None
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


@contextmanager
def serving(args: Sequence[str], port: int, ready_path: str) -> Iterator[ServerProcess]:
    """Run `python ARGS` until the block ends; its log goes to a file (a pipe nobody reads
    would fill up and stall the server) and is shown if it fails to start."""
    with tempfile.TemporaryFile() as log:
        proc = subprocess.Popen(
            [sys.executable, *args], stdout=subprocess.DEVNULL, stderr=log, cwd=REPO
        )
        try:
            try:
                wait_for_http(f"http://127.0.0.1:{port}{ready_path}", proc)
            except BaseException:
                log.seek(0)
                sys.stderr.write(log.read()[-4000:].decode(errors="replace"))
                raise
            yield ServerProcess(proc, f"http://127.0.0.1:{port}")
        finally:
            stop(proc)


def stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def porch_server(data: Path, database_url: str, port: int) -> Any:
    """`porch serve` as an installation runs it (schema already migrated)."""
    args = ["-m", "porch", "serve", "--no-migrate", "--data", str(data)]

    args += ["--database-url", database_url, "--port", str(port)]
    return serving(args, port, "/widget/porch.js")


def percentile(values: Sequence[float], q: float) -> float | None:
    """Nearest-rank percentile (q in 0..1); None without values."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * len(ordered)) - 1))]


def rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def note(message: str) -> None:
    """Progress for the person running the benchmark (stderr keeps stdout's last line JSON)."""
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def emit_result(figures: dict[str, Any]) -> None:
    """The benchmark's contract: its figures as one JSON object on the last line."""
    sys.stdout.flush()
    print(json.dumps(figures, sort_keys=True), flush=True)


def load_process(
    work: Callable[..., Coroutine[Any, Any, Any]], barrier: Any, results: Any, *args: Any
) -> None:
    """A load generator process's entry point: what `work(*args, barrier)` returns, or its
    failure, goes back through `results`; a failure breaks the barrier so nobody waits on it."""
    try:
        results.put(("ok", asyncio.run(work(*args, barrier))))
    except BaseException as exc:
        barrier.abort()
        results.put(("error", f"{type(exc).__name__}: {exc}"))


def load_results(replies: list[tuple[str, Any]]) -> list[Any]:
    """What each load process returned; RuntimeError when any of them failed."""
    failed = [detail for status, detail in replies if status != "ok"]
    if failed:
        raise RuntimeError(f"load generator failed: {failed}")
    return [detail for _, detail in replies]
