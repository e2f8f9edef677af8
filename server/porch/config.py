"""Configuration: the only module that reads environment variables.

Every setting comes from a command-line flag, else an environment variable, else a default.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

DEFAULT_DATA_DIR = "porch-data"
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000
DEFAULT_REDIS_PREFIX = "porch:"


class ConfigError(ValueError):
    """A setting's value cannot be used (the message names the setting)."""


# -- operations (porch.ops, docs/operations.md) -------------------------------------------
LOG_FORMATS = ("auto", "json", "text")
LOG_LEVELS = ("debug", "info", "warning", "error")
DEFAULT_SHUTDOWN_TIMEOUT = 10.0


@dataclass(frozen=True)
class OpsConfig:
    """Running the process as a service: logs, metrics, health, graceful shutdown."""

    log_format: str = "auto"
    """`json`, `text`, or `auto`: text when stderr is a terminal, JSON lines otherwise."""
    log_level: str = "info"
    metrics_token: str = ""
    """`Authorization: Bearer <token>` unlocks /metrics on the main listener; empty: it
    answers 404 there (the admin listener serves it without a token)."""
    admin_listen: str = ""
    """`host:port` of a second listener that serves only /metrics, /healthz and /readyz."""
    shutdown_timeout: float = DEFAULT_SHUTDOWN_TIMEOUT
    """On SIGTERM, how long in-flight requests and running jobs get before they are cut
    (jobs cut short go back to the queue)."""
    drain_delay: float = 0.0
    """On SIGTERM, how long /readyz answers 503 while the process still serves, before it
    stops listening (for balancers that poll /readyz)."""

    @property
    def admin_address(self) -> tuple[str, int] | None:
        return parse_address(self.admin_listen) if self.admin_listen else None


def parse_address(value: str) -> tuple[str, int]:
    """`host:port` (`[::1]:9464` for IPv6) as (host, port)."""
    host, sep, port = value.rpartition(":")
    host = host.strip("[]")
    if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise ConfigError(f"not a host:port address: {value!r}")
    return host, int(port)


def load_ops_config(flags: Mapping[str, Any], env: Mapping[str, str]) -> OpsConfig:
    """Flags (`None`: not given) over `PORCH_*` variables over defaults."""

    def pick(name: str, variable: str, default: Any) -> Any:
        given = flags.get(name)
        return given if given is not None else (env.get(variable) or default)

    ops = OpsConfig(
        log_format=str(pick("log_format", "PORCH_LOG_FORMAT", "auto")).lower(),
        log_level=str(pick("log_level", "PORCH_LOG_LEVEL", "info")).lower(),
        metrics_token=env.get("PORCH_METRICS_TOKEN", ""),
        admin_listen=str(pick("admin_listen", "PORCH_ADMIN_LISTEN", "")),
        shutdown_timeout=_seconds(
            pick("shutdown_timeout", "PORCH_SHUTDOWN_TIMEOUT", DEFAULT_SHUTDOWN_TIMEOUT),
            "shutdown timeout",
        ),
        drain_delay=_seconds(pick("drain_delay", "PORCH_DRAIN_DELAY", 0.0), "drain delay"),
    )
    if ops.log_format not in LOG_FORMATS:
        raise ConfigError(f"log format is one of {', '.join(LOG_FORMATS)}: {ops.log_format!r}")
    if ops.log_level not in LOG_LEVELS:
        raise ConfigError(f"log level is one of {', '.join(LOG_LEVELS)}: {ops.log_level!r}")
    if ops.admin_listen:
        parse_address(ops.admin_listen)
    return ops


def _seconds(value: Any, what: str) -> float:
    try:
        seconds = float(value)
    except ValueError:
        raise ConfigError(f"{what} is a number of seconds: {value!r}") from None
    if not 0 <= seconds <= 3600:
        raise ConfigError(f"{what} is 0 to 3600 seconds: {value!r}")
    return seconds


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
    # -- scale-out (docs/operations.md, "Several processes") ------------------------------
    redis_url: str = ""
    """Redis shared by several processes (Socket.IO fan-out, presence, drafts, rate limits,
    locks); empty: one process keeps that state in memory."""
    redis_prefix: str = DEFAULT_REDIS_PREFIX
    """Starts every Redis key and channel, so several installs can share one Redis."""
    # -- email (porch.email, docs/email.md) -------------------------------------------------
    smtp_listen: str = ""
    """`host:port` where Porch takes mail forwarded by the shop's mail server; empty: none."""
    smtp_url: str = ""
    """Where Porch sends mail: `smtp://user:pass@host:587` (STARTTLS when offered),
    `smtps://…:465` (TLS); empty: outgoing mail waits in the job queue."""
    # -- operations (porch.ops): logs, metrics, health, graceful shutdown ------------------
    ops: OpsConfig = field(default_factory=OpsConfig)
    # -- API and webhooks (docs/api.md) ----------------------------------------------------
    api_rate_limit: int = 120
    """Requests a minute per API key (`PORCH_API_RATE_LIMIT`)."""
    allow_private_targets: bool = False
    """Outbound HTTP (webhooks, flows' webhook action, knowledge pages) may reach loopback
    and private addresses
    (`PORCH_ALLOW_PRIVATE_TARGETS=1`); off, only endpoints an admin allowed may."""

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
    redis_url: str | None = None,
    redis_prefix: str | None = None,
    smtp_listen: str | None = None,
    ops: Mapping[str, Any] | None = None,
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
        # -- scale-out
        redis_url=redis_url or env.get("PORCH_REDIS_URL", ""),
        redis_prefix=redis_prefix or env.get("PORCH_REDIS_PREFIX") or DEFAULT_REDIS_PREFIX,
        # -- email
        smtp_listen=_smtp_listen(smtp_listen or env.get("PORCH_SMTP_LISTEN", "")),
        smtp_url=env.get("PORCH_SMTP_URL", ""),
        # -- operations: flags given as `ops={"log_format": …}` (None: not given)
        ops=load_ops_config(ops or {}, env),
        # -- API and webhooks
        api_rate_limit=_positive(env.get("PORCH_API_RATE_LIMIT") or "120", "PORCH_API_RATE_LIMIT"),
        allow_private_targets=env.get("PORCH_ALLOW_PRIVATE_TARGETS", "") in ("1", "true", "yes"),
    )


def _smtp_listen(value: str) -> str:
    if value:
        parse_address(value)  # refuse a bad address at start-up, naming it
    return value


def _positive(value: str, what: str) -> int:
    if not value.isdigit() or not 0 < int(value) <= 1_000_000:
        raise ConfigError(f"{what} is a whole number from 1 to 1000000: {value!r}")
    return int(value)


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
