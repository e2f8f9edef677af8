"""The IMAP poller against an IMAP server: unseen mail becomes tickets and is marked seen;
a mail Porch refuses for good is marked seen too; nothing is read twice."""

from __future__ import annotations

import json

import sqlalchemy as sa

from porch.config import Config
from porch.email.imap import poll_site
from porch.email.mailbox import seal_stored
from porch.sites.tables import sites
from tests.email.conftest import Desk, mail
from tests.email.fake_imap import FakeImap, Mailbox
from tests.email.helpers import all_tickets
from tests.support.panel import app_client, login


async def test_the_poller_takes_unseen_mail(desk: Desk) -> None:
    box = Mailbox("support@shop.example", "app-password")
    box.add(mail("Order 1", "Where is order 1?").as_bytes())
    box.add(b"Subject: no sender\r\n\r\nwho?\r\n")  # refused for good: marked seen
    box.add(mail("Order 2", "And order 2?", sender="kim@example.com").as_bytes())
    with FakeImap(box) as server:
        imap = {
            "host": "127.0.0.1", "port": server.port, "ssl": False,
            "user": box.user, "password": box.password,
        }  # fmt: skip
        site = await desk.services.sites.update_settings(desk.site.id, email_imap=imap)
        assert await poll_site(desk.email, site) == 3
        assert all(m.seen for m in box.messages)
        await desk.run_due()
        assert sorted(t.subject for t in await all_tickets(desk)) == ["Order 1", "Order 2"]

        assert await poll_site(desk.email, site) == 0  # nothing unseen: nothing taken
        assert len(await all_tickets(desk)) == 2


async def _stored_settings(desk: Desk) -> str:
    """The site's settings as the database holds them (what a stolen copy would show)."""
    async with desk.services.db.connect() as conn:
        query = sa.select(sites.c.settings).where(sites.c.id == desk.site.id)
        return json.dumps(await conn.scalar(query))


async def test_the_imap_password_is_sealed_at_rest_and_still_logs_in(
    desk: Desk, config: Config
) -> None:
    box = Mailbox("support@shop.example", "s3cret-app-password")
    box.add(mail("Order 3", "Where is order 3?").as_bytes())
    with FakeImap(box) as server:
        imap = {"host": "127.0.0.1", "port": server.port, "ssl": False,
                "user": box.user, "password": box.password}  # fmt: skip
        site = await desk.services.sites.update_settings(desk.site.id, email_imap=imap)
        assert "s3cret-app-password" not in await _stored_settings(desk)
        assert "s3cret-app-password" not in json.dumps(site.settings)
        assert await poll_site(desk.email, site) == 1
        assert box.logins >= 1

    async with app_client(config, "http://testserver") as client:
        await login(client, "olivia@shop.example", "pw-123456")
        page = (await client.get("/panel/email")).text
        assert "IMAP mailbox support@shop.example at 127.0.0.1" in page
        assert "password set (sealed)" in page
        assert "s3cret-app-password" not in page


async def test_a_password_stored_in_the_clear_is_sealed_at_start(desk: Desk) -> None:
    """Settings written before sealing existed: read as they are, sealed at start-up."""
    box = Mailbox("support@shop.example", "old-clear-password")
    box.add(mail("Order 4", "Where is order 4?").as_bytes())
    with FakeImap(box) as server:
        imap = {"host": "127.0.0.1", "port": server.port, "ssl": False,
                "user": box.user, "password": box.password}  # fmt: skip
        settings = {**desk.site.settings, "email_imap": imap}
        async with desk.services.db.begin() as conn:
            await conn.execute(
                sites.update().where(sites.c.id == desk.site.id).values(settings=settings)
            )
        assert "old-clear-password" in await _stored_settings(desk)
        await seal_stored(desk.services)  # email's start-up step
        assert "old-clear-password" not in await _stored_settings(desk)
        site = await desk.services.sites.get(desk.site.id)
        assert site is not None
        assert await poll_site(desk.email, site) == 1
