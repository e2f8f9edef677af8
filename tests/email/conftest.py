"""A Porch with tickets and email on a `ManualClock`, its SMTP listener on a free port,
and a real SMTP sink (aiosmtpd) that records every mail Porch sends through
`PORCH_SMTP_URL`. Tests send real MIME to the listener with aiosmtplib and run the due
jobs (`desk.run_due()`) instead of sleeping."""

from __future__ import annotations

import asyncio
import dataclasses
import email
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.policy import default
from typing import Any

import aiosmtplib
import pytest
from aiosmtpd.smtp import SMTP

from porch import email as email_feature
from porch import realtime, tickets
from porch.app import build_services
from porch.clock import ManualClock
from porch.config import Config
from porch.email.service import EmailService
from porch.email.smtp_in import Listener
from porch.operators.service import Operator
from porch.services import Services
from porch.sites.models import Site
from porch.sites.settings import SiteSettingsUpdate
from porch.tickets.service import TicketService
from tests.support.live_server import free_port

SUPPORT = "support@shop.example"


@dataclass
class Sent:
    mail_from: str
    rcpt_tos: list[str]
    message: EmailMessage


@dataclass
class Sink:
    """An SMTP server that keeps what it gets (the shop's outgoing relay, in tests)."""

    port: int = 0
    sent: list[Sent] = field(default_factory=list)
    server: asyncio.Server | None = None

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = email.message_from_bytes(envelope.original_content, policy=default)
        assert isinstance(message, EmailMessage)
        self.sent.append(Sent(envelope.mail_from, list(envelope.rcpt_tos), message))
        return "250 OK"

    async def start(self) -> None:
        self.port = free_port()
        loop = asyncio.get_running_loop()
        self.server = await loop.create_server(
            lambda: SMTP(self, decode_data=False), "127.0.0.1", self.port
        )

    async def stop(self) -> None:
        if self.server is not None:
            self.server.close()
            await self.server.wait_closed()

    def to(self, address: str) -> list[EmailMessage]:
        return [s.message for s in self.sent if address in s.rcpt_tos]


@dataclass
class Desk:
    services: Services
    clock: ManualClock
    tickets: TicketService
    email: EmailService
    site: Site
    olivia: Operator
    sink: Sink
    port: int

    async def run_due(self) -> int:
        """Run due jobs until none is left (a mail's job queues the ack's)."""
        total = 0
        while ran := await self.services.jobs.run_due():
            total += ran
        return total

    async def mail(
        self,
        message: EmailMessage | bytes,
        sender: str = "dana@example.com",
        recipients: list[str] | None = None,
    ) -> str:
        """Send to Porch's listener; the server's last reply (code and text)."""
        return await send(self.port, message, sender, recipients)


async def send(
    port: int, message: EmailMessage | bytes, sender: str, recipients: list[str] | None = None
) -> str:
    """One SMTP session (an empty `sender` is a bounce's `MAIL FROM:<>`): the reply to
    the first command refused, else to DATA, as "code text"."""
    raw = message.as_bytes() if isinstance(message, EmailMessage) else message
    client = aiosmtplib.SMTP(hostname="127.0.0.1", port=port)
    await client.connect()
    try:
        await client.mail(sender)
        for rcpt in recipients or [SUPPORT]:
            await client.rcpt(rcpt)
        reply = await client.data(raw)
        return f"{reply.code} {reply.message}"
    except aiosmtplib.SMTPResponseException as refused:
        return f"{refused.code} {refused.message}"
    finally:
        await client.quit()


def mail(
    subject: str = "My parcel never arrived",
    body: str = "Hello, order 1234 has not arrived. Can you help?",
    sender: str = "Dana Smith <dana@example.com>",
    **headers: str,
) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = SUPPORT
    message["Subject"] = subject
    for name, value in headers.items():
        message[name.replace("_", "-")] = value
    message.set_content(body)
    return message


@asynccontextmanager
async def open_desk(config: Config, smtp_url: str | None) -> AsyncIterator[Desk]:
    """A desk whose outbound mail goes to `smtp_url` (None: not configured)."""
    sink = Sink()
    await sink.start()
    config = dataclasses.replace(config, smtp_url=smtp_url or "")
    if smtp_url == "sink":
        config = dataclasses.replace(config, smtp_url=f"smtp://127.0.0.1:{sink.port}")
    clock = ManualClock()
    services = build_services(config, clock=clock)
    realtime.install(services)
    ticket_service = tickets.setup(services)
    email_service = email_feature.setup(services)
    site = await services.sites.create("Shop", ["https://shop.example"])
    site = await services.sites.update(site.id, settings=SiteSettingsUpdate(support_email=SUPPORT))
    olivia = await services.operators.create("olivia@shop.example", "Olivia", "pw-123456")
    port = free_port()
    listener = Listener(email_service, "127.0.0.1", port)
    await listener.start()
    try:
        yield Desk(services, clock, ticket_service, email_service, site, olivia, sink, port)
    finally:
        await listener.stop()
        await sink.stop()
        await services.db.dispose()


@pytest.fixture
async def desk(config: Config) -> AsyncIterator[Desk]:
    async with open_desk(config, "sink") as desk:
        yield desk
