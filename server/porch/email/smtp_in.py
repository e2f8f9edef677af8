"""Porch's SMTP listener (aiosmtpd), for mail the shop's server forwards to it.

It runs in the server's own event loop (`loop.create_server`), so taking a mail is one
transaction on the same database pool. Every problem is an SMTP answer, never a dropped
connection: an unknown recipient is refused at RCPT (550), a mail too big at DATA (552, by
aiosmtpd), an unreadable or looping mail with 550 and why, a sender over their rate with
450, and our own failure with 451 so the sending server tries again.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from aiosmtpd.smtp import SMTP

from porch.email.parse import Refused
from porch.email.service import MAX_MESSAGE_BYTES, EmailService

log = logging.getLogger(__name__)


class Handler:
    def __init__(self, email: EmailService) -> None:
        self.email = email

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: list[str]
    ) -> str:
        try:
            site = await self.email.site_for(address)
        except Exception:
            log.exception("looking up recipient %r failed", address)
            return "451 4.3.0 Temporary failure: try again later"
        if site is None:
            return f"550 5.1.1 No support mailbox here: {address}"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        raw = envelope.original_content or envelope.content or b""
        if isinstance(raw, str):
            raw = raw.encode("utf-8", "surrogateescape")
        try:
            return await self.email.receive(envelope.mail_from, list(envelope.rcpt_tos), raw)
        except Refused as refused:
            log.info("refused mail from %r: %s", envelope.mail_from, refused.reply)
            return refused.reply
        except Exception:
            log.exception("taking mail from %r failed", envelope.mail_from)
            return "451 4.3.0 Temporary failure: try again later"


class Listener:
    """`start`/`stop` hooks for the SMTP listener at `host:port`."""

    def __init__(self, email: EmailService, host: str, port: int) -> None:
        self.handler = Handler(email)
        self.host = host
        self.port = port
        self.server: asyncio.Server | None = None

    async def start(self) -> None:
        loop = asyncio.get_running_loop()
        self.server = await loop.create_server(self._protocol, self.host, self.port)
        log.info("taking mail on %s:%d", self.host, self.port)

    def _protocol(self) -> SMTP:
        return SMTP(
            self.handler,
            data_size_limit=MAX_MESSAGE_BYTES,
            enable_SMTPUTF8=True,
            decode_data=False,
            hostname="porch",
            ident="Porch ESMTP",
        )

    async def stop(self) -> None:
        if self.server is not None:
            self.server.close()
            await self.server.wait_closed()
            self.server = None
