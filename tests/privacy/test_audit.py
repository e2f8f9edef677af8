"""Site changes from any edge and identity secret rotations land in the audit log (setting
names, never their values: some are secrets)."""

from __future__ import annotations

from datetime import timedelta

from porch.privacy import audit
from tests.analytics.conftest import Desk


async def test_site_changes_and_secret_rotations_are_logged(desk: Desk) -> None:
    await desk.services.sites.update_settings(desk.site.id, retention_days=90)
    await desk.services.sites.rotate_identity_secret(desk.site.id)
    desk.clock.advance(timedelta(seconds=5))  # the desk's clock started before the jobs
    await desk.run_due()
    async with desk.services.db.connect() as conn:
        entries = await audit.latest(conn)
    found = {e.action: e for e in entries}
    assert sorted(found) == ["site.identity_secret_rotated", "site.updated"]
    assert found["site.updated"].subject == "Shop"
    assert "retention_days" in found["site.updated"].detail["settings"]
    assert "90" not in str(found["site.updated"].detail)  # names, not values
