"""The IMAP poller, for shops that cannot forward mail: every minute, each site with an
`email_imap` mailbox is read for unseen mail, which goes through `EmailService.receive`
like mail from the SMTP listener.

imap-tools is blocking, so a poll runs in a thread; a named lock (`services.locks`, in
Redis with several processes) keeps two processes from reading one mailbox at once. A mail
is marked seen once Porch has stored it or refused it for good; one deferred (our failure,
a sender over their rate) stays unseen and is read again next time.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from imap_tools import AND, MailBox, MailBoxUnencrypted

from porch.email import mailbox
from porch.email.parse import Refused

if TYPE_CHECKING:
    from porch.email.service import EmailService
    from porch.services import Services
    from porch.sites.models import Site

log = logging.getLogger(__name__)
INTERVAL = 60.0
BATCH = 50


@dataclass(frozen=True)
class Fetched:
    uid: str
    raw: bytes


def _fetch(box: dict[str, Any]) -> list[Fetched]:
    with _mailbox(box) as mailbox:
        found = mailbox.fetch(AND(seen=False), mark_seen=False, limit=BATCH, bulk=True)
        return [Fetched(str(mail.uid), mail.obj.as_bytes()) for mail in found if mail.uid]


def _mark_seen(box: dict[str, Any], uids: list[str]) -> None:
    if uids:
        with _mailbox(box) as mailbox:
            mailbox.flag(uids, "\\Seen", True)


def _mailbox(box: dict[str, Any]) -> Any:
    kind = MailBox if box.get("ssl", True) else MailBoxUnencrypted
    mailbox = kind(box["host"], int(box.get("port", 993 if box.get("ssl", True) else 143)))
    return mailbox.login(box["user"], box["password"], box.get("folder", "INBOX"))


async def poll_site(email: EmailService, site: Site) -> int:
    """Read one site's mailbox once; how many mails were taken or refused for good."""
    box = mailbox.login(email.imap_secrets, site.settings["email_imap"])
    if "password" not in box:
        log.warning("the IMAP password of site %s was sealed under another secret key:"
                    " set it again (docs/email.md)", site.key)  # fmt: skip
        return 0
    support = str(site.settings.get("support_email") or box["user"])
    done = []
    for mail in await asyncio.to_thread(_fetch, box):
        try:
            await email.receive(None, [support], mail.raw)
        except Refused as refused:
            if refused.code < 500:
                continue  # deferred: read again next time
            log.info("refused IMAP mail %s of site %s: %s", mail.uid, site.key, refused.reply)
        done.append(mail.uid)
    await asyncio.to_thread(_mark_seen, box, done)
    return len(done)


class Poller:
    def __init__(self, services: Services, email: EmailService) -> None:
        self.services = services
        self.email = email
        self.task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        self.task = asyncio.create_task(self._run())

    async def stop(self) -> None:
        if self.task is not None:
            self.task.cancel()
            await asyncio.gather(self.task, return_exceptions=True)
            self.task = None

    async def poll(self) -> None:
        for site in await self.services.sites.all():
            if not site.settings.get("email_imap"):
                continue
            try:
                async with self.services.locks.hold(f"email.imap:{site.id}"):
                    await poll_site(self.email, site)
            except Exception:
                log.exception("polling the IMAP mailbox of site %s failed", site.key)

    async def _run(self) -> None:
        while True:
            await self.poll()
            await asyncio.sleep(INTERVAL)


def install(services: Services, email: EmailService) -> None:
    poller = Poller(services, email)
    services.on_startup.append(poller.start)
    services.on_shutdown.append(poller.stop)
