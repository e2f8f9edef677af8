"""Privacy (docs/privacy.md): consent before the first message, a contact's export and
erasure from the panel, retention per site as a daily job, and the audit log."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from porch.services import Services

SCRUB = "privacy.scrub"
AUDIT = "privacy.audit"


def install(services: Services) -> None:
    from porch.api.events import ApiKeyCreated, ApiKeyRevoked
    from porch.operators.events import InviteChanged, OperatorActiveChanged, OperatorRoleChanged
    from porch.privacy import audit, consent, panel, retention
    from porch.sites.events import IdentitySecretRotated, SiteUpdated
    from porch.visitors.events import VisitorsErased

    consent.attach(services)
    retention.install(services)
    services.routes += panel.routes(services)
    # Erasures made elsewhere (the REST API, Shopify's redact) leave ratings behind: a job
    # removes them, and the erased conversations' ids from the anonymous facts.
    services.events.enqueue_on(VisitorsErased, SCRUB)

    async def scrub(payload: dict[str, Any]) -> None:
        await scrub_facts(services, list(payload["data"]["conversation_ids"]))

    services.jobs.register(SCRUB, scrub)
    # Site changes from any edge (Settings, `porch site update`, the API) and identity
    # secret rotations are admin actions worth a line in the audit log.
    services.events.enqueue_on(SiteUpdated, AUDIT)
    services.events.enqueue_on(IdentitySecretRotated, AUDIT)
    # So are API keys made and revoked, invitations, role changes, deactivations, and
    # erasures through the REST API.
    accounts = (OperatorRoleChanged, OperatorActiveChanged, InviteChanged)
    for fact in (ApiKeyCreated, ApiKeyRevoked, *accounts):
        services.events.enqueue_on(fact, AUDIT)
    services.events.enqueue_on(VisitorsErased, AUDIT, when=lambda e: e.actor is not None)

    async def log(payload: dict[str, Any]) -> None:
        async with services.db.begin() as conn:
            await audit.record_event(conn, services.clock.now(), payload)

    services.jobs.register(AUDIT, log)


async def scrub_facts(services: Services, conversation_ids: list[int]) -> None:
    from porch.analytics.tables import reporting_events as facts

    if not conversation_ids:
        return
    theirs = facts.c.conversation_id.in_(conversation_ids)
    async with services.db.begin() as conn:
        await conn.execute(facts.delete().where(facts.c.kind == "rating", theirs))
        await conn.execute(facts.update().where(theirs).values(conversation_id=None))
