"""Reads of sites, shared by every feature that needs one."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from porch.sites.models import Site
from porch.sites.tables import sites


def site_from_row(row: sa.Row[Any]) -> Site:
    return Site(
        id=row.id,
        key=row.key,
        name=row.name,
        allowed_origins=list(row.allowed_origins),
        settings=dict(row.settings),
        identity_secret=row.identity_secret,
    )


async def site(conn: AsyncConnection, site_id: int) -> Site | None:
    row = (await conn.execute(sa.select(sites).where(sites.c.id == site_id))).first()
    return site_from_row(row) if row else None
