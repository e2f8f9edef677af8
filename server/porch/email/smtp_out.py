"""Sending mail: `PORCH_SMTP_URL` through aiosmtplib.

`smtp://user:pass@host:587` uses STARTTLS when the server offers it; `smtps://host:465`
speaks TLS from the start; `smtp://host:25` without credentials suits a local relay.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

import aiosmtplib

from porch.config import ConfigError

TIMEOUT = 30.0


@dataclass(frozen=True)
class SmtpServer:
    host: str
    port: int
    username: str | None
    password: str | None
    tls: bool

    @classmethod
    def from_url(cls, url: str) -> SmtpServer:
        parts = urlsplit(url)
        if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
            raise ConfigError(f"PORCH_SMTP_URL is smtp://… or smtps://…: {url!r}")
        tls = parts.scheme == "smtps"
        return cls(
            host=parts.hostname,
            port=parts.port or (465 if tls else 587),
            username=unquote(parts.username) if parts.username else None,
            password=unquote(parts.password) if parts.password else None,
            tls=tls,
        )

    async def send(self, source: bytes, sender: str, recipients: list[str]) -> None:
        await aiosmtplib.send(
            source,
            sender=sender,
            recipients=recipients,
            hostname=self.host,
            port=self.port,
            username=self.username,
            password=self.password,
            use_tls=self.tls,
            start_tls=None if not self.tls else False,  # None: STARTTLS if offered
            timeout=TIMEOUT,
        )
