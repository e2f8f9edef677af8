"""A site's bot settings: mode, name, model, instructions, the daily limit of answers (a
cost guard) and the site's own Anthropic API key, sealed with Fernet under a key derived
from the installation's secret key (a copy of the database alone does not reveal it)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any, Literal

import sqlalchemy as sa
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql.elements import ColumnElement

from porch.bot.tables import bot_settings
from porch.db.metadata import utcnow
from porch.secrets import BOT_API_KEYS, SecretBox
from porch.text import Text

DEFAULT_MODEL = "claude-haiku-5-5"
DEFAULT_NAME = "Porch Bot"
DEFAULT_DAILY_LIMIT = 1000
Mode = Literal["off", "first", "outside_hours"]
MODES: tuple[Mode, ...] = ("off", "first", "outside_hours")


@dataclass(frozen=True)
class BotSettings:
    site_id: int
    mode: str = "off"
    name: str = DEFAULT_NAME
    model: str = DEFAULT_MODEL
    instructions: str = ""
    api_key_sealed: str | None = None
    allow_private_urls: bool = False
    daily_limit: int = DEFAULT_DAILY_LIMIT
    """At most this many answers a day (UTC) for the site, then handoffs; 0: no limit."""

    @property
    def has_own_key(self) -> bool:
        return bool(self.api_key_sealed)


class BotSettingsUpdate(BaseModel):
    """Only the fields given change; an empty `api_key` forgets the site's own key."""

    model_config = ConfigDict(extra="forbid")

    mode: Mode | None = None
    name: Annotated[Text, Field(min_length=1, max_length=80)] | None = None
    model: Annotated[str, Field(pattern=r"^[A-Za-z0-9._:@-]{1,100}$")] | None = None
    instructions: Annotated[Text, Field(max_length=4000)] | None = None
    api_key: Annotated[str, Field(pattern=r"^[A-Za-z0-9_-]{0,200}$")] | None = None
    allow_private_urls: bool | None = None
    daily_limit: Annotated[int, Field(ge=0, le=1_000_000)] | None = None


def key_box(secret_key: str) -> SecretBox:
    """Seals a site's own Anthropic key."""
    return SecretBox(secret_key, BOT_API_KEYS)


async def load(conn: AsyncConnection, site_id: int) -> BotSettings:
    row = (
        await conn.execute(bot_settings.select().where(bot_settings.c.site_id == site_id))
    ).first()
    if row is None:
        return BotSettings(site_id)
    values = dict(row._mapping)
    values.pop("updated_at")
    return BotSettings(**values)


_MODE = sa.select(bot_settings.c.mode).where(bot_settings.c.site_id == sa.bindparam("site_id"))


def is_on(site_id: int) -> ColumnElement[bool]:
    """Whether the site's bot is on, as a condition (it is read on the visitor message path)."""
    found = sa.select(bot_settings.c.mode).where(bot_settings.c.site_id == site_id)
    return sa.func.coalesce(found.scalar_subquery(), "off") != "off"


async def mode(conn: AsyncConnection, site_id: int) -> str:
    """The site's mode in one indexed lookup (it runs on the visitor message path)."""
    found = await conn.scalar(_MODE, {"site_id": site_id})
    return str(found) if found else "off"


async def save(
    conn: AsyncConnection, site_id: int, update: BotSettingsUpdate, box: SecretBox
) -> BotSettings:
    current = await load(conn, site_id)
    changes: dict[str, Any] = update.model_dump(exclude_none=True)
    api_key = changes.pop("api_key", None)
    values: dict[str, Any] = {
        "mode": current.mode,
        "name": current.name,
        "model": current.model,
        "instructions": current.instructions,
        "api_key_sealed": current.api_key_sealed,
        "allow_private_urls": current.allow_private_urls,
        "daily_limit": current.daily_limit,
        **changes,
        "updated_at": utcnow(),
    }
    if api_key is not None:
        values["api_key_sealed"] = box.seal(api_key) if api_key else None
    exists = await conn.scalar(
        sa.select(bot_settings.c.site_id).where(bot_settings.c.site_id == site_id)
    )
    if exists is None:
        await conn.execute(bot_settings.insert().values(site_id=site_id, **values))
    else:
        await conn.execute(
            bot_settings.update().where(bot_settings.c.site_id == site_id).values(values)
        )
    return await load(conn, site_id)
