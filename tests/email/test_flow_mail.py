"""A flow's "send email" action: the mail leaves from the site's support address through
the shop's SMTP relay, in the visitor's conversation (a reply continues it), once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from porch import flows
from porch.visitors.models import Page
from tests.email.conftest import SUPPORT, Desk

HOME = Page("https://shop.example/", "Home")
CONTEXT: dict[str, Any] = {"url": HOME.url, "referrer": "", "user_agent": "Mozilla/5.0"}


async def deliver(desk: Desk) -> int:
    """Run what is due, with the desk's clock brought up to the real time jobs are stamped
    with (the flow's jobs queue the mail's, which queues its sending); the jobs run."""
    ran = 0
    for _ in range(3):
        desk.clock.set(datetime.now(UTC) + timedelta(seconds=1))
        ran += await desk.run_due()
    return ran


def mailing(to: str) -> dict[str, Any]:
    return {
        "format": 1,
        "name": "Send the guide",
        "trigger": {"type": "first_visit"},
        "start": "hi",
        "nodes": {
            "hi": {"type": "message", "text": "Sending you our sizing guide", "next": "mail"},
            "mail": {
                "type": "send_email",
                "to": to,
                "subject": "Your sizing guide, {name}",
                "body": "Hello {name},\nhere is the guide. <b>Not bold</b>",
            },
        },
    }


async def test_a_flows_mail_reaches_the_visitor_from_the_support_address(desk: Desk) -> None:
    desk.clock.set(datetime.now(UTC))  # page views are stamped with the real time
    engine = flows.setup(desk.services)
    visitor = await desk.services.visitors.open_session(desk.site, None, HOME)
    await desk.services.visitors.update(visitor.id, email="ann@example.com")
    flow = await engine.store.create(desk.site.id, mailing("visitor"), enabled=True)
    await engine.fire(visitor.id, "now", [flow.id], CONTEXT)
    await deliver(desk)
    await deliver(desk)  # nothing more: the mail was written once
    [sent] = [m for m in desk.sink.to("ann@example.com") if "sizing guide," in m["Subject"]]
    assert SUPPORT in sent["From"] and sent["Subject"] == f"Your sizing guide, {visitor.name}"
    text = sent.get_body(("plain",))
    assert text is not None and "<b>Not bold</b>" in text.get_content()
    markup = sent.get_body(("html",))
    assert markup is not None and "&lt;b&gt;Not bold&lt;/b&gt;" in markup.get_content()


async def test_without_a_support_address_nothing_is_sent_and_nothing_fails(desk: Desk) -> None:
    desk.clock.set(datetime.now(UTC))
    engine = flows.setup(desk.services)
    other = await desk.services.sites.create("No mail", ["https://other.example"])
    visitor = await desk.services.visitors.open_session(other, None, HOME)
    flow = await engine.store.create(other.id, mailing("team@shop.example"), enabled=True)
    await engine.fire(visitor.id, "now", [flow.id], CONTEXT)
    assert await deliver(desk) >= 1  # the mail job ran, and sent nothing
    assert desk.sink.sent == []
    assert await desk.services.jobs.list(failed_only=True) == []
