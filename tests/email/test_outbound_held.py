"""Without an outbound SMTP server (`PORCH_SMTP_URL` unset, as in the demo) mail waits,
held, quietly: no failed jobs, no tracebacks in the log, "outbound mail not configured"
on the panel's Mail and Jobs pages; a server started with it set sends what was held."""

from __future__ import annotations

import dataclasses
import logging

import pytest

from porch import email as email_feature
from porch import realtime, tickets
from porch.app import build_services
from porch.clock import ManualClock
from porch.config import Config
from tests.email.conftest import Sink, mail, open_desk
from tests.support.panel import app_client, login


async def test_mail_waits_quietly_and_goes_once_smtp_is_configured(
    config: Config, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    async with open_desk(config, None) as desk:
        assert (await desk.mail(mail())).startswith("250")
        await desk.run_due()  # the ticket, then its acknowledgement: held, not failed
        assert await desk.services.jobs.list(failed_only=True) == []
        assert await desk.services.jobs.depth() == 0
        assert not [r for r in caplog.records if r.exc_info or r.levelno >= logging.WARNING]
        assert any("outbound mail not configured" in r.getMessage() for r in caplog.records)

        async with app_client(config, "http://testserver") as client:
            await login(client, "olivia@shop.example", "pw-123456")
            page = (await client.get("/panel/email")).text
            assert "Outbound mail not configured: 1 mail held" in page
            conversation = page.split('href="/panel/email/', 1)[1].split('"', 1)[0]
            shown = (await client.get(f"/panel/email/{conversation}")).text
            assert "held: outbound mail not configured" in shown
            jobs = (await client.get("/panel/jobs")).text
            assert "Outbound mail not configured" in jobs
            assert "No failed jobs." in jobs

    sink = Sink()
    await sink.start()
    configured = dataclasses.replace(config, smtp_url=f"smtp://127.0.0.1:{sink.port}")
    services = build_services(configured, clock=ManualClock())
    try:
        realtime.install(services)
        tickets.setup(services)
        email = email_feature.setup(services)
        await email.release_held()  # what a server started with PORCH_SMTP_URL does
        while await services.jobs.run_due():
            pass
        [ack] = sink.to("dana@example.com")
        assert "[#1001]" in ack["Subject"]
        async with app_client(configured, "http://testserver") as client:
            await login(client, "olivia@shop.example", "pw-123456")
            assert "not configured" not in (await client.get("/panel/email")).text
    finally:
        await sink.stop()
        await services.db.dispose()
