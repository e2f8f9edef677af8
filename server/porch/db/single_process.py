"""SQLite serves one Porch process: `porch serve`, `porch demo` and `porch worker` hold an
exclusive lock beside the database file while they run, and a second one is refused.

Why: presence, typing drafts, rate limits and the Socket.IO rooms of one process are in
its memory, and the SQLite writer (`porch.db.sqlite_writer`) batches one process's writes;
several processes need PostgreSQL and Redis (`--redis-url`, docs/operations.md). The lock
is an `flock` on `<database>.lock`: the kernel drops it when the process dies, even on
`kill -9`, so a stale file never blocks a restart. Admin commands (`porch site …`,
`porch jobs …`) take no lock: they are short and hold no live state.
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path
from typing import IO

import sqlalchemy as sa

from porch.config import Config

ONE_PROCESS = (
    "SQLite serves one Porch process; run several on PostgreSQL with --redis-url"
    " (docs/operations.md)"
)


class OneProcessOnly(Exception):
    """This process may not start: another holds the SQLite database, or Redis was asked
    for on SQLite."""


def sqlite_file(database_url: str) -> Path | None:
    """The database file of a SQLite URL; None for other databases and in-memory ones."""
    url = sa.make_url(database_url)
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        return None
    return Path(url.database).resolve()


def claim(config: Config) -> IO[str] | None:
    """Take this process's claim on its database: on SQLite, the lock (keep the returned
    file open for as long as the process runs); on PostgreSQL, nothing.

    Raises `OneProcessOnly` when another process holds the lock, or when `--redis-url` is
    given with SQLite: Redis only matters to several processes, which SQLite does not
    serve, so accepting it would suggest a set-up that cannot work.
    """
    path = sqlite_file(config.database_url)
    if path is None:
        return None
    if config.redis_url:
        raise OneProcessOnly(f"--redis-url needs PostgreSQL: {ONE_PROCESS}.")
    lock_path = path.with_name(path.name + ".lock")
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    handle = lock_path.open("a+")
    try:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.seek(0)
        holder = handle.read().strip() or "unknown"
        handle.close()
        raise OneProcessOnly(
            f"{ONE_PROCESS}. Another Porch process (pid {holder}) is using {path}."
        ) from None
    handle.seek(0)
    handle.truncate()
    handle.write(f"{os.getpid()}\n")
    handle.flush()
    return handle
