"""Consent: with the site setting `consent_required`, the widget shows the privacy notice
(`consent_text`, `consent_link`) and keeps the message box closed until the visitor
agrees; `consent.give` on the `/visitor` socket stores the agreement with the visitor,
the time and the notice's words (exported with their data, erased with them)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from porch.embed.assets import DEFAULT_CONSENT as DEFAULT_NOTICE
from porch.errors import Invalid
from porch.privacy.tables import consents
from porch.realtime.dispatch import Ack, Routed, handles
from porch.realtime.fanout import VISITORS
from porch.realtime.schemas import Empty
from porch.realtime.visitor import VisitorNamespace
from porch.services import Services


async def give(services: Services, visitor_id: int) -> None:
    """Store the visitor's agreement to their site's current notice (once is enough: a
    second call records nothing new)."""
    from porch.visitors.tables import visitors

    async with services.db.begin() as conn:
        where = visitors.c.id == visitor_id
        site_id = await conn.scalar(sa.select(visitors.c.site_id).where(where))
        site = await services.sites.get(int(site_id)) if site_id else None
        if site is None or not site.settings.get("consent_required"):
            raise Invalid("this site asks for no consent")
        if await given(conn, visitor_id):
            return
        await conn.execute(
            consents.insert().values(
                visitor_id=visitor_id,
                site_id=site.id,
                at=services.clock.now(),
                notice=site.settings.get("consent_text") or DEFAULT_NOTICE,
                link=site.settings.get("consent_link") or None,
            )
        )


async def given(conn: AsyncConnection, visitor_id: int) -> bool:
    found = await conn.scalar(sa.select(consents.c.id).where(consents.c.visitor_id == visitor_id))
    return found is not None


class ConsentEvents(Routed):
    def __init__(self, sockets: VisitorNamespace, services: Services) -> None:
        self.sockets = sockets
        self.services = services

    @handles("consent.give", Empty, limit="read")
    async def consent(self, sid: str, data: Empty) -> Ack:
        visitor_id: int = (await self.sockets.get_session(sid))["visitor_id"]
        await give(self.services, visitor_id)
        await self.sockets.lift_gate(sid)
        return {"ok": True}


NOT_YET = "Please agree to the privacy notice before you write."


def attach(services: Services) -> None:
    async def consent_first(visitor: Any) -> str | None:
        site = await services.sites.get(visitor.site_id)
        if site is None or not site.settings.get("consent_required"):
            return None
        async with services.db.connect() as conn:
            return None if await given(conn, visitor.id) else NOT_YET

    services.visitor_gates.append(consent_first)

    async def no_page_view_yet(site: Any, visitor_id: int | None) -> bool:
        """The loader's session request records no page view before consent."""
        if not site.settings.get("consent_required"):
            return False
        if visitor_id is None:
            return True
        async with services.db.connect() as conn:
            return not await given(conn, visitor_id)

    services.page_view_gates.append(no_page_view_yet)
    sockets = services.sio.namespace_handlers.get(VISITORS)
    if isinstance(sockets, VisitorNamespace):  # absent in service-only test setups
        sockets.extend(ConsentEvents(sockets, services))
