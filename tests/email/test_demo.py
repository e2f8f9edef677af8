"""`porch demo` shows email: a support address and a customer's mail that becomes a
tagged ticket once the job worker runs."""

from __future__ import annotations

from pathlib import Path

from porch import email as email_feature
from porch import realtime, tickets
from porch.app import build_services
from porch.demo.seed import seed_demo
from porch.demo.showcase import seed_showcase
from tests.conftest import make_config
from tests.email.conftest import Desk
from tests.email.helpers import all_tickets


async def test_the_demo_has_a_mailed_ticket(sqlite_url: str, tmp_path: Path) -> None:
    services = build_services(make_config(tmp_path, sqlite_url))
    try:
        realtime.install(services)
        tickets.setup(services)
        email_feature.setup(services)
        demo = await seed_demo(services)
        await seed_showcase(services, demo)
        while await services.jobs.run_due():
            pass
        desk = Desk(services, None, None, None, demo.site, None, None, 0)  # type: ignore[arg-type]
        mailed = [t for t in await all_tickets(desk) if t.subject.startswith("Wrong beans")]
        assert [t.tags for t in mailed] == [["coffee"]]
    finally:
        await services.db.dispose()
