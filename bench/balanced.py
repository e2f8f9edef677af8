"""Several `porch serve` processes behind nginx, for the message benchmark.

The processes share one PostgreSQL database and one Redis (a prefix of their own, deleted
afterwards); nginx runs the documented site file (`docs/deploy/nginx-porch.conf`, through
`tests/scale/cluster.py`'s `nginx_site`, which swaps in these ports) as an unprivileged
instance in a temporary directory, with one worker and enough connections for the load.
Clients connect through nginx. CPU is read from /proc for each Porch process, nginx's
worker, Redis and the whole machine, so a phase's cost can be split between them.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from tests.scale.cluster import nginx_binary, nginx_site
from tests.support.live_server import free_port

from bench.harness import CLOCK_TICKS, PAGE_KB, REPO, note, stop

START_TIMEOUT = 60.0


def pid_cpu_seconds(pid: int) -> float:
    """utime + stime of one process (0 once it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def pid_rss_kb(pid: int) -> int:
    try:
        return int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * PAGE_KB
    except OSError:
        return 0


def machine_cpu_seconds() -> float:
    """CPU seconds the whole machine spent busy (every core, everything but idle/iowait)."""
    fields = [int(f) for f in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    return (sum(fields[:8]) - fields[3] - fields[4]) / CLOCK_TICKS


def postgres_cpu_seconds() -> float:
    """CPU seconds of every PostgreSQL server process on the machine (its backends come
    and go, so a phase's figure misses backends that exited during it)."""
    total = 0.0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue
        if "(postgres)" in text:
            fields = text.rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / CLOCK_TICKS
    return total


def machine_parts() -> dict[str, float]:
    return {"postgres": postgres_cpu_seconds(), "machine": machine_cpu_seconds()}


def redis_pid(redis_url: str) -> int | None:
    import redis

    client = redis.Redis.from_url(redis_url, socket_timeout=3)
    try:
        return int(client.info("server")["process_id"])
    except (redis.RedisError, KeyError, ValueError):
        return None
    finally:
        client.close()


def delete_redis_keys(redis_url: str, prefix: str) -> None:
    import redis

    client = redis.Redis.from_url(redis_url, socket_timeout=5)
    try:
        keys = list(client.scan_iter(match=f"{prefix}*", count=500))
        for start in range(0, len(keys), 500):
            client.delete(*keys[start : start + 500])
    finally:
        client.close()


def nginx_main(directory: Path, site: Path, connections: int) -> str:
    """One worker (the machine has two cores to share), room for every socket twice (the
    client's and the upstream one) and no access log (one line per request is not what a
    WebSocket benchmark should measure)."""
    return f"""\
worker_processes 1;
worker_rlimit_nofile {2 * connections + 256};
error_log {directory}/error.log warn;
pid {directory}/nginx.pid;
events {{
    worker_connections {connections};
}}
http {{
    access_log off;
    client_body_temp_path {directory}/client_body;
    proxy_temp_path {directory}/proxy;
    fastcgi_temp_path {directory}/fastcgi;
    uwsgi_temp_path {directory}/uwsgi;
    scgi_temp_path {directory}/scgi;
    include {site};
}}
"""


def _answers_200(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return bool(response.status == 200)
    except (urllib.error.HTTPError, OSError):
        return False


@dataclass
class Balanced:
    """What `bench.messages.measure` reads: a URL, CPU seconds and RSS (summed over the
    Porch processes), plus the other parties' CPU (`cpu_parts`)."""

    url: str
    porch: list[subprocess.Popen[bytes]]
    nginx: subprocess.Popen[bytes] | None
    redis_pid: int | None
    logs: list[Path] = field(default_factory=list)

    def cpu_seconds(self) -> float:
        return sum(pid_cpu_seconds(p.pid) for p in self.porch)

    def rss_kb(self) -> int:
        return sum(pid_rss_kb(p.pid) for p in self.porch)

    def cpu_parts(self) -> dict[str, float]:
        parts = {f"porch_{n}": pid_cpu_seconds(p.pid) for n, p in enumerate(self.porch)}
        if self.nginx is not None:
            parts["nginx"] = sum(pid_cpu_seconds(pid) for pid in _children(self.nginx.pid))
        if self.redis_pid is not None:
            parts["redis"] = pid_cpu_seconds(self.redis_pid)
        return parts | machine_parts()


def _children(pid: int) -> list[int]:
    """nginx's master and its workers (the workers do the proxying)."""
    found = [pid]
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        children = []
    return found + [int(c) for c in children]


@contextmanager
def balanced(
    data: Path,
    database_url: str,
    secret_key: str,
    processes: int,
    redis_url: str,
    connections: int,
) -> Iterator[Balanced]:
    """`processes` Porch processes on `database_url` and Redis, behind nginx."""
    prefix = f"porch-bench-{uuid.uuid4().hex[:12]}:"
    env = {k: v for k, v in os.environ.items() if not k.startswith("PORCH_")}
    env.update(PORCH_SECRET_KEY=secret_key, PYTHONUNBUFFERED="1")
    with ExitStack() as stack:
        stack.callback(delete_redis_keys, redis_url, prefix)
        popens: list[subprocess.Popen[bytes]] = []
        logs: list[Path] = []
        ports = [free_port() for _ in range(processes)]
        for n, port in enumerate(ports):
            pdata = data / f"p{n}"
            pdata.mkdir(parents=True, exist_ok=True)
            log = data / f"p{n}.log"
            logs.append(log)
            args = [sys.executable, "-m", "porch", "serve", "--no-migrate", "--data", str(pdata)]
            args += ["--database-url", database_url, "--host", "127.0.0.1", "--port", str(port)]
            args += ["--redis-url", redis_url, "--redis-prefix", prefix]
            with log.open("ab") as out:
                popen = subprocess.Popen(
                    args, stdout=out, stderr=subprocess.STDOUT, env=env, cwd=REPO
                )
            popens.append(popen)
            stack.callback(stop, popen)
        for port, popen, log in zip(ports, popens, logs, strict=True):
            deadline = time.monotonic() + START_TIMEOUT
            while not _answers_200(f"http://127.0.0.1:{port}/readyz"):
                if popen.poll() is not None or time.monotonic() > deadline:
                    tail = log.read_text(errors="replace")[-3000:]
                    raise RuntimeError(f"porch on {port} did not become ready:\n{tail}")
                time.sleep(0.1)
        stack.callback(_report_errors, logs)
        nginx, url = stack.enter_context(_nginx(ports, connections))
        yield Balanced(url, popens, nginx, redis_pid(redis_url), logs)


def _report_errors(logs: list[Path]) -> None:
    """The processes' logs go with the temporary directory: show their errors first."""
    for n, log in enumerate(logs):
        lines = log.read_text(errors="replace").splitlines() if log.exists() else []
        errors = [line for line in lines if '"level": "error"' in line or "Traceback" in line]
        if errors:
            note(f"process {n}: {len(errors)} error lines in its log; the first:")
            for line in errors[:3]:
                note("  " + (line if len(line) < 800 else line[:300] + " … " + line[-500:]))


@contextmanager
def _nginx(ports: list[int], connections: int) -> Iterator[tuple[subprocess.Popen[bytes], str]]:
    binary = nginx_binary()
    if binary is None:
        raise RuntimeError("nginx is not installed")
    directory = Path(tempfile.mkdtemp(prefix="porch-bench-nginx-"))
    directory.chmod(0o755)
    listen = free_port()
    site = directory / "porch.conf"
    site.write_text(nginx_site(ports, listen))
    main = directory / "nginx.conf"
    main.write_text(nginx_main(directory, site, 2 * connections + 512))
    prefix = ["-p", str(directory), "-e", str(directory / "error.log")]
    checked = subprocess.run(
        [binary, *prefix, "-c", str(main), "-t"], capture_output=True, text=True, timeout=30
    )
    if checked.returncode != 0:
        raise RuntimeError(f"nginx -t refused the config:\n{checked.stderr}")
    with (directory / "stderr.log").open("ab") as out:
        nginx = subprocess.Popen(
            [binary, *prefix, "-c", str(main), "-g", "daemon off;"],
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{listen}"
    try:
        deadline = time.monotonic() + 20
        while not _answers_200(f"{url}/readyz"):
            if nginx.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("nginx did not start: " + (directory / "error.log").read_text())
            time.sleep(0.05)
        yield nginx, url
    finally:
        if nginx.poll() is None:
            nginx.send_signal(signal.SIGQUIT)
            try:
                nginx.wait(timeout=10)
            except subprocess.TimeoutExpired:
                nginx.kill()
                nginx.wait()
        shutil.rmtree(directory, ignore_errors=True)
