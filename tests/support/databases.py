"""Fresh, migrated databases for tests: SQLite always, PostgreSQL when one is reachable.

Both are migrated once per test process and copied for each test: SQLite with its backup
API (a file per revision in a temporary directory), PostgreSQL from a template database
(`CREATE DATABASE … TEMPLATE …`) that is dropped afterwards.
"""

from __future__ import annotations

import asyncio
import atexit
import os
import shutil
import sqlite3
import tempfile
import uuid
from pathlib import Path

import asyncpg

from porch.db.migrate import upgrade

PG_ADMIN_DSN = os.environ.get("PORCH_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")
PG_TEMPLATE = f"porch_tpl_{os.getpid()}"


_SQLITE_TEMPLATES: dict[str, Path] = {}


def sqlite_database(directory: Path, revision: str | None = "head") -> str:
    """A SQLite database migrated to `revision` (None: left empty)."""
    path = directory / "porch.db"
    if revision is not None:
        _copy_sqlite(_sqlite_template(revision), path)
    return f"sqlite+aiosqlite:///{path}"


def _sqlite_template(revision: str) -> Path:
    """A database migrated to `revision`, made once per process (the migrations take about
    a second; a copy takes milliseconds)."""
    if revision not in _SQLITE_TEMPLATES:
        folder = tempfile.mkdtemp(prefix="porch-tpl-")
        atexit.register(shutil.rmtree, folder, ignore_errors=True)
        path = Path(folder) / f"{revision}.db"
        upgrade(f"sqlite+aiosqlite:///{path}", revision)
        _SQLITE_TEMPLATES[revision] = path
    return _SQLITE_TEMPLATES[revision]


def _copy_sqlite(source: Path, target: Path) -> None:
    """Copy through SQLite's backup API, which reads committed pages whatever the journal
    mode (a plain file copy could miss pages still in a write-ahead log)."""
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
    src.close()
    dst.close()


def _pg_url(name: str) -> str:
    base = PG_ADMIN_DSN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://")
    return f"{base}/{name}"


async def _admin(sql: str) -> None:
    conn = await asyncpg.connect(PG_ADMIN_DSN, timeout=3)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


def postgres_unavailable_reason() -> str | None:
    try:
        asyncio.run(_admin("SELECT 1"))
    except (OSError, asyncpg.PostgresError, TimeoutError) as exc:
        return f"PostgreSQL not reachable at {PG_ADMIN_DSN} ({exc.__class__.__name__}: {exc})"
    return None


def make_postgres_template() -> None:
    asyncio.run(_admin(f"DROP DATABASE IF EXISTS {PG_TEMPLATE}"))
    asyncio.run(_admin(f"CREATE DATABASE {PG_TEMPLATE}"))
    upgrade(_pg_url(PG_TEMPLATE))


def drop_postgres_template() -> None:
    asyncio.run(_admin(f"DROP DATABASE IF EXISTS {PG_TEMPLATE} WITH (FORCE)"))


def postgres_database(migrated: bool = True) -> tuple[str, str]:
    """A fresh copy of the migrated template (or an empty database): (url, name)."""
    name = f"porch_t_{uuid.uuid4().hex[:12]}"
    template = f" TEMPLATE {PG_TEMPLATE}" if migrated else ""
    asyncio.run(_admin(f"CREATE DATABASE {name}{template}"))
    return _pg_url(name), name


def drop_postgres_database(name: str) -> None:
    asyncio.run(_admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
