"""A private MariaDB server for the WordPress tests: its own data directory, a unix socket,
no TCP port, started in its own process group and stopped by it."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

ROOT_ARGS = ["--user=root"] if os.geteuid() == 0 else []  # mariadbd refuses root otherwise
# mariadbd lives in /usr/sbin, which a non-root PATH may lack.
SEARCH_PATH = os.pathsep.join([os.environ.get("PATH", ""), "/usr/sbin", "/usr/bin"])


def tool(name: str) -> str | None:
    return shutil.which(name, path=SEARCH_PATH)


def command(name: str) -> str:
    found = tool(name)
    if found is None:
        raise FileNotFoundError(f"{name} is not installed")
    return found


class MariaDB:
    def __init__(self, base: Path) -> None:
        self.base = base
        self.datadir = base / "data"
        self.socket = base / "mariadb.sock"
        self.log = base / "mariadb.log"
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        subprocess.run(
            [
                command("mariadb-install-db"),
                "--no-defaults",
                f"--datadir={self.datadir}",
                "--auth-root-authentication-method=normal",  # root, no password, any OS user
                "--skip-test-db",
                *ROOT_ARGS,
            ],
            check=True,
            capture_output=True,
            timeout=120,
        )
        with self.log.open("ab") as log:
            self.proc = subprocess.Popen(
                [
                    command("mariadbd"),
                    "--no-defaults",
                    f"--datadir={self.datadir}",
                    f"--socket={self.socket}",
                    f"--pid-file={self.base / 'mariadb.pid'}",
                    "--skip-networking",
                    "--innodb-buffer-pool-size=64M",
                    "--innodb-flush-log-at-trx-commit=0",  # test data: speed over durability
                    *ROOT_ARGS,
                ],
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self._wait_ready()

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + 60
        while True:
            if self.proc is not None and self.proc.poll() is not None:
                raise RuntimeError(f"mariadbd exited; see {self.log}:\n{self.log.read_text()}")
            ping = subprocess.run(
                [command("mariadb-admin"), *self._client_args(), "ping"],
                capture_output=True,
                timeout=30,
            )
            if ping.returncode == 0:
                return
            if time.monotonic() > deadline:
                raise RuntimeError(f"mariadbd did not answer on {self.socket}")
            time.sleep(0.2)

    def _client_args(self) -> list[str]:
        return ["--no-defaults", f"--socket={self.socket}", "-uroot"]

    def query(self, sql: str, database: str | None = None) -> list[list[str]]:
        """Rows of a query, as text (the mariadb client's batch output)."""
        args = [command("mariadb"), *self._client_args(), "-N", "-B"]
        result = subprocess.run(
            [*args, *([database] if database else []), "-e", sql],
            capture_output=True,
            text=True,
            timeout=60,
        )
        if result.returncode != 0:
            raise RuntimeError(f"mariadb refused {sql!r}: {result.stderr.strip()}")
        return [line.split("\t") for line in result.stdout.splitlines()]

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        os.killpg(self.proc.pid, signal.SIGTERM)
        try:
            self.proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=10)
