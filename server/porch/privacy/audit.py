"""The audit log: who did what to people's data or the rules for it (exports, erasures,
retention and consent settings, retention sweeps), shown to admins in the panel."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from porch.actors import Actor
from porch.privacy.tables import audit_log

SHOWN = 200


@dataclass(frozen=True)
class Entry:
    at: datetime
    actor: str
    action: str
    site_id: int | None
    subject: str
    detail: dict[str, Any]


async def record(
    conn: AsyncConnection,
    at: datetime,
    actor: Actor,
    action: str,
    subject: str,
    *,
    site_id: int | None = None,
    detail: dict[str, Any] | None = None,
) -> None:
    """Add an entry in the caller's transaction (so the log and the change agree)."""
    await conn.execute(
        audit_log.insert().values(
            at=at,
            actor_kind=actor.kind,
            actor_id=actor.id,
            actor_name=actor.name or actor.kind,
            action=action,
            site_id=site_id,
            subject=subject[:200],
            detail=detail or {},
        )
    )


async def latest(conn: AsyncConnection, limit: int = SHOWN) -> list[Entry]:
    rows = await conn.execute(
        sa.select(audit_log).order_by(audit_log.c.at.desc(), audit_log.c.id.desc()).limit(limit)
    )
    return [Entry(r.at, r.actor_name, r.action, r.site_id, r.subject, dict(r.detail)) for r in rows]


async def record_event(conn: AsyncConnection, at: datetime, payload: dict[str, Any]) -> None:
    """An admin action published as an event, as an entry (the `privacy.audit` job)."""
    kind, data = payload["type"], payload["data"]
    if kind.startswith("site."):
        await record_site_event(conn, at, payload)
        return
    who = _actor(data.get("actor"), "System")
    if kind.startswith("api_key."):
        detail = {"key_id": data["key_id"], "scope": data["scope"]}
        await record(conn, at, who, kind, data["key_name"], site_id=data["site_id"],
                     detail=detail)  # fmt: skip
    elif kind == "operator.role_changed":
        detail = {"operator_id": data["operator_id"], "from": data["old"], "to": data["new"]}
        await record(conn, at, who, kind, data["operator_name"], detail=detail)
    elif kind == "operator.active_changed":
        action = "operator.reactivated" if data["active"] else "operator.deactivated"
        await record(conn, at, who, action, data["operator_name"],
                     detail={"operator_id": data["operator_id"]})  # fmt: skip
    elif kind == "operator.invite":
        detail = {"invite_id": data["invite_id"], "role": data["role"]}
        await record(conn, at, who, f"invite.{data['change']}", data["email"], detail=detail)
    elif kind == "visitors.erased":
        visitors = list(data["visitor_ids"])
        subject = f"{len(visitors)} contact{'s' if len(visitors) != 1 else ''}"
        detail = {"visitor_ids": visitors, "conversations": len(data["conversation_ids"]),
                  "via": "api"}  # fmt: skip
        await record(conn, at, who, "contact.erase", subject, detail=detail)


def _actor(actor: Any, default: str) -> Actor:
    if isinstance(actor, dict):
        return Actor(actor["kind"], actor.get("id"), actor.get("name") or "")
    return Actor.system(default)


async def record_site_event(conn: AsyncConnection, at: datetime, payload: dict[str, Any]) -> None:
    """`site.updated` / `site.identity_secret_rotated` as an entry: who (when the edge
    said), the site, and which settings it has now (names only: values may be secrets)."""
    data = payload["data"]
    site = data["site"]
    who = _actor(data.get("actor"), "Settings")
    detail = {}
    if payload["type"] == "site.updated":
        detail = {"settings": sorted(site.get("settings") or {})}
    await record(conn, at, who, payload["type"], site["name"], site_id=site["id"], detail=detail)
