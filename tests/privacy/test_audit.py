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


async def test_api_keys_roles_and_api_erasures_are_logged(desk: Desk) -> None:
    from porch.actors import Actor
    from porch.api.contacts import ContactActions
    from porch.api.keys import KeyService
    from porch.operators import management

    services = desk.services
    admin = Actor.operator(desk.olivia.id, desk.olivia.name)
    keys = KeyService(services.db, services.clock, services.events)
    made = await keys.create(desk.site.id, "Reports", "read", admin)
    await keys.revoke(made.key.id, actor=admin)
    await keys.revoke(made.key.id, actor=admin)  # already revoked: nothing new
    await management.set_role(services, desk.omar.id, "agent", admin)
    await management.set_role(services, desk.omar.id, "agent", admin)  # no change
    visitor = await desk.visitor()
    api = Actor.system("api: Reports")
    await ContactActions(services.db, services.events).erase(visitor.id, api)
    desk.clock.advance(timedelta(seconds=5))
    await desk.run_due()

    async with services.db.connect() as conn:
        entries = sorted(await audit.latest(conn), key=lambda e: e.action)
    assert [(e.action, e.actor, e.subject) for e in entries] == [
        ("api_key.created", "Olivia", "Reports"),
        ("api_key.revoked", "Olivia", "Reports"),
        ("contact.erase", "api: Reports", "1 contact"),
        ("operator.role_changed", "Olivia", "Omar"),
    ]
    assert entries[3].detail == {"operator_id": desk.omar.id, "from": "admin", "to": "agent"}
    assert entries[2].detail["visitor_ids"] == [visitor.id]
    assert made.token not in str([e.detail for e in entries])  # never the secret


async def test_invitations_and_deactivations_are_logged(desk: Desk) -> None:
    from porch.actors import Actor
    from porch.operators import management
    from porch.operators.invites import InviteService

    services = desk.services
    admin = Actor.operator(desk.olivia.id, desk.olivia.name)
    invites = InviteService(services.db, services.operators, services.clock, services.events)
    new = await invites.create("sam@shop.example", "agent", admin)
    await invites.revoke(new.invite.id, admin)
    await invites.revoke(new.invite.id, admin)  # already revoked: still one entry
    await management.deactivate(services, desk.omar.id, admin)
    await management.deactivate(services, desk.omar.id, admin)  # no change
    await management.reactivate(services, desk.omar.id)  # from the command line
    desk.clock.advance(timedelta(seconds=5))
    await desk.run_due()

    async with services.db.connect() as conn:
        entries = sorted(await audit.latest(conn), key=lambda e: e.action)
    assert [(e.action, e.actor, e.subject) for e in entries] == [
        ("invite.created", "Olivia", "sam@shop.example"),
        ("invite.revoked", "Olivia", "sam@shop.example"),
        ("operator.deactivated", "Olivia", "Omar"),
        ("operator.reactivated", "porch operator", "Omar"),
    ]
    assert entries[0].detail == {"invite_id": new.invite.id, "role": "agent"}
    assert new.token not in str([e.detail for e in entries])  # never the link
