"""A real cluster for the scale-out tests: N `porch serve` processes sharing one fresh
PostgreSQL database and one Redis prefix, behind a real nginx.

Set up from the files docs/operations.md ("Deploying several processes") tells a user to
copy, so the docs cannot drift from what is tested: `porch migrate` once, then each process
runs `porch@.service`'s `ExecStart` (`%i` = its port) with the variables of `porch.env`
(the test's database, Redis, key and address filled in) and its own data directory, plus a
Redis prefix of its own so runs never share state. nginx runs `nginx-porch.conf` with the
test's ports swapped in, as an unprivileged instance in a temporary directory (nothing
under /etc/nginx is read or written).

Clients reach a process directly (`process_url(i)`, to pin one to process A or B) or go
through the balancer (`url`: round-robin, no sticky sessions).
"""

from __future__ import annotations

import asyncio
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from porch.app import build_services
from porch.config import Config
from porch.services import Services
from tests.support.databases import drop_postgres_database, postgres_database
from tests.support.live_server import free_port
from tests.support.processes import REPO

T = TypeVar("T")

DEPLOY = REPO / "docs" / "deploy"
SITE_CONF = DEPLOY / "nginx-porch.conf"
UNIT = DEPLOY / "porch@.service"
ENV_FILE = DEPLOY / "porch.env"
REDIS_URL = os.environ.get("PORCH_TEST_REDIS", "redis://127.0.0.1:6379/0")
SECRET_KEY = "scale-test-secret-key-not-for-production"
START_TIMEOUT = 60.0
UPSTREAM_LINES = re.compile(r"^([ \t]*)server 127\.0\.0\.1:\d+( [^;\n]*)?;\n", re.MULTILINE)
LISTEN_LINE = re.compile(r"^([ \t]*)listen 80;$", re.MULTILINE)


def nginx_site(ports: list[int], listen_port: int, site: str | None = None) -> str:
    """The documented site file with these upstream ports and a 127.0.0.1 listen port.
    Fails loudly if the file no longer has the lines this swaps (the docs changed shape)."""
    text = SITE_CONF.read_text() if site is None else site
    found = list(UPSTREAM_LINES.finditer(text))
    assert found, f"{SITE_CONF}: no `server 127.0.0.1:PORT ...;` lines in its upstream"
    first, last = found[0], found[-1]
    assert "".join(m.group(0) for m in found) == text[first.start() : last.end()], (
        f"{SITE_CONF}: the upstream `server` lines must follow one another"
    )
    indent, options = first.group(1), first.group(2) or ""
    servers = "".join(f"{indent}server 127.0.0.1:{port}{options};\n" for port in ports)
    text = text[: first.start()] + servers + text[last.end() :]
    text, listens = LISTEN_LINE.subn(lambda m: f"{m.group(1)}listen 127.0.0.1:{listen_port};", text)
    assert listens == 1, f"{SITE_CONF}: expected one `listen 80;` line, found {listens}"
    return text


def unit_command(port: int) -> list[str]:
    """The unit's `ExecStart` for this port, run by this Python (`python -m porch`)."""
    starts = [line for line in UNIT.read_text().splitlines() if line.startswith("ExecStart=")]
    assert len(starts) == 1, f"{UNIT}: expected one ExecStart= line"
    words = shlex.split(starts[0].removeprefix("ExecStart=").replace("%i", str(port)))
    assert Path(words[0]).name == "porch", f"{UNIT}: ExecStart does not run `porch`"
    return [sys.executable, "-m", "porch", *words[1:]]


def documented_env(values: dict[str, str]) -> dict[str, str]:
    """porch.env's variables, with `values` in place of the documented ones."""
    env = {}
    for line in ENV_FILE.read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            name, _, value = line.partition("=")
            env[name.strip()] = values.get(name.strip(), value.strip())
    left = [name for name, value in env.items() if "CHANGE-ME" in value]
    assert not left, f"{ENV_FILE}: the tests have no value for {left}"
    return env


def nginx_main(directory: Path, site: Path) -> str:
    """A minimal main config around the site: everything nginx writes stays in `directory`."""
    return f"""\
worker_processes 1;
error_log {directory}/error.log info;
pid {directory}/nginx.pid;
events {{
    worker_connections 1024;
}}
http {{
    access_log {directory}/access.log;
    client_body_temp_path {directory}/client_body;
    proxy_temp_path {directory}/proxy;
    fastcgi_temp_path {directory}/fastcgi;
    uwsgi_temp_path {directory}/uwsgi;
    scgi_temp_path {directory}/scgi;
    include {site};
}}
"""


def nginx_binary() -> str | None:
    return shutil.which("nginx") or next(
        (p for p in ("/usr/sbin/nginx", "/sbin/nginx") if os.access(p, os.X_OK)), None
    )


def redis_unavailable_reason() -> str | None:
    try:
        import redis
    except ImportError:
        return "the `redis` Python package is not installed"
    try:
        client = redis.Redis.from_url(REDIS_URL, socket_timeout=3)
        client.ping()
        client.close()
    except redis.RedisError as exc:
        return f"Redis not reachable at {REDIS_URL} ({exc.__class__.__name__}: {exc})"
    return None


def delete_redis_keys(prefix: str) -> int:
    """Delete every key under the prefix; how many there were."""
    import redis

    client = redis.Redis.from_url(REDIS_URL, socket_timeout=5)
    try:
        keys = list(client.scan_iter(match=f"{prefix}*", count=500))
        for start in range(0, len(keys), 500):
            client.delete(*keys[start : start + 500])
        return len(keys)
    finally:
        client.close()


@dataclass
class Process:
    """One `porch serve` process; its output goes to `log`."""

    index: int
    port: int
    data: Path
    log: Path
    popen: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def alive(self) -> bool:
        return self.popen is not None and self.popen.poll() is None

    def tail(self, lines: int = 40) -> str:
        text = self.log.read_text(errors="replace") if self.log.exists() else ""
        return "\n".join(text.splitlines()[-lines:])


@dataclass
class Cluster:
    size: int
    root: Path
    database_url: str = ""
    database_name: str = ""
    redis_prefix: str = field(default_factory=lambda: f"porch-test-{uuid.uuid4().hex[:12]}:")
    nginx_port: int = field(default_factory=free_port)
    processes: list[Process] = field(default_factory=list)
    nginx: subprocess.Popen[bytes] | None = None
    nginx_dir: Path | None = None

    # -- addresses -----------------------------------------------------------------------

    @property
    def url(self) -> str:
        """The balancer: what browsers would reach."""
        return f"http://127.0.0.1:{self.nginx_port}"

    def process_url(self, i: int) -> str:
        """One process directly, bypassing the balancer."""
        return self.processes[i].url

    @property
    def config(self) -> Config:
        """A config for this cluster's database and key, for seeding from the test."""
        return Config(data_dir=self.root, database_url=self.database_url, secret_key=SECRET_KEY)

    # -- life cycle ----------------------------------------------------------------------

    def start(self) -> Cluster:
        try:
            self.database_url, self.database_name = postgres_database(migrated=False)
            self._migrate()
            self.processes = [
                Process(i, free_port(), self.root / f"p{i}", self.root / f"p{i}.log")
                for i in range(self.size)
            ]
            for process in self.processes:
                self._spawn(process)
            for process in self.processes:
                self.wait_ready(process.index)
            self._start_nginx()
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        """Kill the processes, stop nginx, drop the database, delete the Redis keys."""
        for process in self.processes:
            self._terminate(process)
        if self.nginx is not None and self.nginx.poll() is None:
            self.nginx.send_signal(signal.SIGQUIT)  # graceful: workers finish, then exit
            try:
                self.nginx.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.nginx.kill()
                self.nginx.wait()
        if self.nginx_dir is not None:
            shutil.rmtree(self.nginx_dir, ignore_errors=True)
        if self.database_name:
            drop_postgres_database(self.database_name)
        delete_redis_keys(self.redis_prefix)

    def freeze(self, i: int) -> None:
        """SIGSTOP process `i`: its sockets stay open but nothing it receives is handled
        (what clients send it now is in flight when `kill9` follows)."""
        popen = self.processes[i].popen
        assert popen is not None
        popen.send_signal(signal.SIGSTOP)

    def kill9(self, i: int) -> None:
        """SIGKILL process `i`: no shutdown handlers, sockets cut, nothing flushed."""
        popen = self.processes[i].popen
        assert popen is not None
        popen.send_signal(signal.SIGKILL)
        popen.wait(timeout=10)

    def restart(self, i: int) -> None:
        """Start process `i` again on the same port (after `kill9` or a crash)."""
        process = self.processes[i]
        self._terminate(process)
        self._spawn(process)
        self.wait_ready(i)

    def wait_ready(self, i: int, timeout: float = START_TIMEOUT) -> None:
        """Until the process answers `/readyz` with 200 (database, Redis and its job
        workers up): what a balancer that polls would wait for."""
        process = self.processes[i]
        deadline = time.monotonic() + timeout
        while not _answers(f"{process.url}/readyz"):
            if not process.alive():
                raise RuntimeError(f"porch process {i} exited:\n{process.tail()}")
            if time.monotonic() > deadline:
                raise RuntimeError(
                    f"porch process {i} not ready after {timeout} s:\n{process.tail()}"
                )
            time.sleep(0.1)

    def logs(self) -> str:
        """Every process's and nginx's recent output, for a failure message."""
        parts = [f"--- process {p.index} (port {p.port}) ---\n{p.tail()}" for p in self.processes]
        if self.nginx_dir is not None and (self.nginx_dir / "error.log").exists():
            error_log = (self.nginx_dir / "error.log").read_text(errors="replace")
            parts.append("--- nginx error.log ---\n" + "\n".join(error_log.splitlines()[-20:]))
        return "\n".join(parts)

    def call(self, fn: Callable[[Services], Awaitable[T]]) -> T:
        """Run `fn(services)` on this cluster's database, in a thread with its own loop
        (safe from inside an async test), e.g. to seed sites and operators."""
        result: list[T] = []
        failure: list[BaseException] = []

        async def run() -> T:
            services = build_services(self.config)
            try:
                return await fn(services)
            finally:
                await services.db.dispose()

        def work() -> None:
            try:
                result.append(asyncio.run(run()))
            except BaseException as exc:
                failure.append(exc)

        worker = threading.Thread(target=work)
        worker.start()
        worker.join(timeout=60)
        if failure:
            raise failure[0]
        if not result:
            raise RuntimeError("cluster call did not finish in 60 s")
        return result[0]

    # -- parts ---------------------------------------------------------------------------

    def _env(self, data: Path) -> dict[str, str]:
        """This environment without any PORCH_* variable, plus what porch.env documents
        (this cluster's values), the data directory and the cluster's own Redis prefix."""
        env = {k: v for k, v in os.environ.items() if not k.startswith("PORCH_")}
        documented = documented_env(
            {
                "PORCH_DATABASE_URL": self.database_url,
                "PORCH_REDIS_URL": REDIS_URL,
                "PORCH_SECRET_KEY": SECRET_KEY,
                "PORCH_PUBLIC_URL": self.url,
            }
        )
        documented["PORCH_REDIS_PREFIX"] = self.redis_prefix
        return {**env, **documented, "PORCH_DATA": str(data), "PYTHONUNBUFFERED": "1"}

    def _migrate(self) -> None:
        done = subprocess.run(
            [sys.executable, "-m", "porch", "migrate"],
            capture_output=True,
            text=True,
            timeout=120,
            env=self._env(self.root / "migrate"),
            cwd=REPO,
        )
        assert done.returncode == 0, f"porch migrate failed:\n{done.stdout}{done.stderr}"

    def _spawn(self, process: Process) -> None:
        process.data.mkdir(parents=True, exist_ok=True)
        with process.log.open("ab") as out:
            out.write(f"=== starting process {process.index} at {time.time():.3f}\n".encode())
            out.flush()
            process.popen = subprocess.Popen(
                unit_command(process.port),
                stdout=out,
                stderr=subprocess.STDOUT,
                env=self._env(process.data),
                cwd=REPO,
            )

    def _terminate(self, process: Process) -> None:
        popen = process.popen
        if popen is None or popen.poll() is not None:
            return
        popen.send_signal(signal.SIGCONT)  # in case it was frozen
        popen.terminate()
        try:
            popen.wait(timeout=15)
        except subprocess.TimeoutExpired:
            popen.kill()
            popen.wait(timeout=10)

    def _start_nginx(self) -> None:
        binary = nginx_binary()
        assert binary is not None, "nginx is not installed (scripts/test installs it)"
        # Its own directory, readable by nginx's worker user when the tests run as root.
        self.nginx_dir = Path(tempfile.mkdtemp(prefix="porch-nginx-"))
        self.nginx_dir.chmod(0o755)
        site = self.nginx_dir / "porch.conf"
        site.write_text(nginx_site([p.port for p in self.processes], self.nginx_port))
        main = self.nginx_dir / "nginx.conf"
        main.write_text(nginx_main(self.nginx_dir, site))
        prefix = ["-p", str(self.nginx_dir), "-e", str(self.nginx_dir / "error.log")]
        checked = subprocess.run(
            [binary, *prefix, "-c", str(main), "-t"], capture_output=True, text=True, timeout=30
        )
        assert checked.returncode == 0, f"nginx -t refused the config:\n{checked.stderr}"
        with (self.nginx_dir / "stderr.log").open("ab") as out:
            self.nginx = subprocess.Popen(
                [binary, *prefix, "-c", str(main), "-g", "daemon off;"],
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + 20
        while not _answers(f"{self.url}/healthz", any_status=True):
            if self.nginx.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"nginx did not start:\n{self.logs()}")
            time.sleep(0.05)


def _answers(url: str, any_status: bool = False) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return bool(response.status == 200)
    except urllib.error.HTTPError:
        return any_status
    except OSError:
        return False
