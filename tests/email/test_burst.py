"""A burst of mail from many customers at once (their inbound jobs run together): each
gets its own ticket, the references are distinct and run on without a gap, no job fails,
and every customer's acknowledgement names their own ticket; on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio

from tests.email.conftest import Desk, mail
from tests.email.helpers import all_tickets

BURST = 12


async def test_a_burst_of_mail_gets_distinct_consecutive_references(desk: Desk) -> None:
    senders = [f"customer{n}@example.com" for n in range(BURST)]
    replies = await asyncio.gather(
        *(desk.mail(mail(f"Order {n}", sender=s), sender=s) for n, s in enumerate(senders))
    )
    assert all(reply.startswith("250") for reply in replies)
    await desk.run_due()

    made = await all_tickets(desk)
    assert sorted(t.reference for t in made) == list(range(1001, 1001 + BURST))
    assert await desk.services.jobs.list(failed_only=True) == []
    by_subject = {t.subject: t.reference for t in made}
    for n, sender in enumerate(senders):
        [ack] = desk.sink.to(sender)
        assert f"[#{by_subject[f'Order {n}']}]" in ack["Subject"]
