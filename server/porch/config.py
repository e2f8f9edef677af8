"""Configuration: the only module that reads environment variables.

Every setting comes from a command-line flag, else an environment variable, else a default.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

DEFAULT_DATA_DIR = "porch-data"
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000


@dataclass(frozen=True)
class Config:
    data_dir: Path
    database_url: str
    secret_key: str
    host: str = DEFAULT_HOST
    port: int = DEFAULT_PORT
    public_url: str = ""
    """Base URL that browsers use to reach this server (used in snippets)."""
    secure_cookies: bool = False
    demo: bool = False
    """Serve the sample storefront at /demo (set by `porch demo`)."""
    shopify_api_key: str = ""
    shopify_api_secret: str = ""
    shopify_scopes: str = "read_orders,read_customers"
    shopify_admin_url: str = "https://{shop}"
    """Where a shop's Admin API and OAuth live (`{shop}` is filled in); tests point it at a
    local fake Shopify."""

    @property
    def base_url(self) -> str:
        if self.public_url:
            return self.public_url.rstrip("/")
        host = "127.0.0.1" if self.host in ("0.0.0.0", "::") else self.host
        return f"http://{host}:{self.port}"


def sqlite_url(data_dir: Path) -> str:
    return f"sqlite+aiosqlite:///{data_dir / 'porch.db'}"


def load_config(
    *,
    data: str | None = None,
    database_url: str | None = None,
    host: str | None = None,
    port: int | None = None,
    demo: bool = False,
    env: Mapping[str, str] | None = None,
) -> Config:
    """Merge flags (highest precedence) with `PORCH_*` environment variables and defaults."""
    env = os.environ if env is None else env
    data_dir = Path(data or env.get("PORCH_DATA") or DEFAULT_DATA_DIR).resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    return Config(
        data_dir=data_dir,
        database_url=database_url or env.get("PORCH_DATABASE_URL") or sqlite_url(data_dir),
        secret_key=env.get("PORCH_SECRET_KEY") or _stored_secret(data_dir),
        host=host or env.get("PORCH_HOST") or DEFAULT_HOST,
        port=int(port or env.get("PORCH_PORT") or DEFAULT_PORT),
        public_url=env.get("PORCH_PUBLIC_URL", ""),
        secure_cookies=env.get("PORCH_SECURE_COOKIES", "") in ("1", "true", "yes"),
        demo=demo,
        shopify_api_key=env.get("PORCH_SHOPIFY_API_KEY", ""),
        shopify_api_secret=env.get("PORCH_SHOPIFY_API_SECRET", ""),
        shopify_scopes=env.get("PORCH_SHOPIFY_SCOPES") or Config.shopify_scopes,
        shopify_admin_url=env.get("PORCH_SHOPIFY_ADMIN_URL") or Config.shopify_admin_url,
    )


def _stored_secret(data_dir: Path) -> str:
    """A per-installation signing key, made once and kept in the data dir (mode 0600)."""
    path = data_dir / "secret.key"
    if path.exists():
        return path.read_text().strip()
    key = secrets.token_urlsafe(48)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(key)
    return key
