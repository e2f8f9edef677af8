"""Attachments: accept a file (checked by content, size and the site's allowed types),
store it, let one message use it, and say who may read it."""

from __future__ import annotations

import asyncio
import secrets
from typing import Any

import sqlalchemy as sa

from porch.attachments import content
from porch.attachments.models import Attachment, Uploader
from porch.attachments.storage import Storage
from porch.attachments.tables import attachments
from porch.attachments.thumbnails import BadImage, Thumbnail, thumbnail
from porch.clock import Clock
from porch.conversations.models import Message
from porch.conversations.tables import conversations
from porch.db.engine import Database
from porch.errors import Invalid, NotFound
from porch.sites.models import Site

DEFAULT_MAX_MB = 10
MAX_PER_MESSAGE = 10
MAX_NAME = 255


class TooLarge(Invalid):
    code = "too_large"


class Refused(Invalid):
    code = "unsupported_type"


def max_bytes(site: Site) -> int:
    return int(site.settings.get("attachment_max_mb", DEFAULT_MAX_MB)) * 1024 * 1024


def allowed(site: Site) -> frozenset[str]:
    return content.allowed_types(site.settings.get("attachment_types", content.DEFAULT_KINDS))


def clean_name(name: str) -> str:
    """A file name to show and to offer on download: no paths, no control characters."""
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if ch >= " " and ch != "\x7f").strip(" .")
    return name[:MAX_NAME] or "file"


class AttachmentService:
    def __init__(self, db: Database, storage: Storage, clock: Clock) -> None:
        self.db = db
        self.storage = storage
        self.clock = clock

    async def upload(
        self,
        site: Site,
        uploader: Uploader,
        name: str,
        data: bytes,
        conversation_id: int | None = None,
    ) -> Attachment:
        if not data:
            raise Invalid("the file is empty")
        if len(data) > max_bytes(site):
            raise TooLarge(f"files are at most {max_bytes(site) // (1024 * 1024)} MB here")
        mime = content.sniff(data)
        if mime is None or mime not in allowed(site):
            shown = mime or "unrecognised content"
            raise Refused(f"this kind of file cannot be sent here ({shown})")
        thumb, key = None, secrets.token_urlsafe(24)
        thumb_key = secrets.token_urlsafe(24)
        if mime in ("image/png", "image/jpeg", "image/gif", "image/webp"):
            try:
                thumb = await _thumbnail(data)
            except BadImage as exc:
                raise Refused(str(exc)) from None
        row = {
            "id": secrets.token_urlsafe(16),
            "site_id": site.id,
            "uploader_kind": uploader.kind,
            "uploader_id": uploader.id,
            "name": clean_name(name),
            "content_type": mime,
            "size": len(data),
            "storage_key": key,
            "thumbnail_key": thumb_key if thumb else None,
            "width": thumb.width if thumb else None,
            "height": thumb.height if thumb else None,
            "conversation_id": conversation_id,
            "client_id": None,
            "internal": False,
            "created_at": self.clock.now(),
        }
        await self.storage.put(key, data)
        if thumb is not None:
            await self.storage.put(thumb_key, thumb.data)
        async with self.db.begin() as conn:
            await conn.execute(attachments.insert().values(row))
        return _from_row(row)

    async def claim(
        self,
        uploader: Uploader,
        ids: list[str],
        client_id: str,
        conversation_id: int | None = None,
        internal: bool = False,
    ) -> list[dict[str, Any]]:
        """The message parts for `ids`, now taken by the message `client_id`: each must
        have been uploaded by `uploader` (for an operator, into `conversation_id`) and not
        be used by another message. All or none."""
        if len(set(ids)) != len(ids) or len(ids) > MAX_PER_MESSAGE:
            raise Invalid(f"at most {MAX_PER_MESSAGE} different files per message")
        mine = sa.and_(
            attachments.c.id.in_(ids),
            attachments.c.uploader_kind == uploader.kind,
            attachments.c.uploader_id == uploader.id,
            sa.or_(attachments.c.client_id.is_(None), attachments.c.client_id == client_id),
        )
        if uploader.kind == "operator":
            mine = sa.and_(mine, attachments.c.conversation_id == conversation_id)
        async with self.db.begin() as conn:
            update = attachments.update().where(mine)
            done = await conn.execute(update.values(client_id=client_id, internal=internal))
            if done.rowcount != len(ids):
                raise _Rollback
            rows = (await conn.execute(attachments.select().where(mine))).all()
        by_id = {row.id: _from_row(row._mapping) for row in rows}
        return [by_id[i].part() for i in ids]

    async def placed(self, client_id: str, visitor_id: int, message: Message) -> None:
        """A visitor's message is stored: its files belong to its conversation."""
        uploader, conversation_id = Uploader("visitor", visitor_id), message.conversation_id
        async with self.db.begin() as conn:
            await conn.execute(
                attachments.update()
                .where(
                    attachments.c.client_id == client_id,
                    attachments.c.uploader_kind == uploader.kind,
                    attachments.c.uploader_id == uploader.id,
                    attachments.c.conversation_id.is_(None),
                )
                .values(conversation_id=conversation_id)
            )

    async def visible_to(self, viewer: Uploader, ids: list[str]) -> list[Attachment]:
        """Of `ids`, those `viewer` may read: operators, every file; a visitor, their own
        uploads and the files sent to them in their conversations (not internal notes)."""
        query = attachments.select().where(attachments.c.id.in_(ids))
        if viewer.kind == "visitor":
            theirs = sa.select(conversations.c.id).where(conversations.c.visitor_id == viewer.id)
            query = query.where(
                sa.or_(
                    sa.and_(
                        attachments.c.uploader_kind == "visitor",
                        attachments.c.uploader_id == viewer.id,
                    ),
                    sa.and_(
                        attachments.c.conversation_id.in_(theirs),
                        attachments.c.client_id.is_not(None),
                        attachments.c.internal.is_(False),
                    ),
                )
            )
        async with self.db.connect() as conn:
            rows = (await conn.execute(query)).all()
        return [_from_row(row._mapping) for row in rows]

    async def get(self, attachment_id: str) -> Attachment:
        async with self.db.connect() as conn:
            row = (
                await conn.execute(attachments.select().where(attachments.c.id == attachment_id))
            ).first()
        if row is None:
            raise NotFound("no such attachment")
        return _from_row(row._mapping)

    async def read(self, attachment: Attachment, variant: str) -> bytes:
        key = attachment.thumbnail_key if variant == "thumb" else attachment.storage_key
        if key is None:
            raise NotFound("no thumbnail")
        try:
            return await self.storage.get(key)
        except FileNotFoundError:
            raise NotFound("the file is gone") from None


class _Rollback(Invalid):
    """Raised inside the claim's transaction so a partial claim is undone."""

    def __init__(self) -> None:
        super().__init__("an attachment is unknown, not yours, or already sent")


async def _thumbnail(data: bytes) -> Thumbnail:
    return await asyncio.to_thread(thumbnail, data)  # CPU work off the event loop


def _from_row(row: Any) -> Attachment:
    return Attachment(
        id=row["id"],
        site_id=row["site_id"],
        uploader=Uploader(row["uploader_kind"], row["uploader_id"]),
        name=row["name"],
        content_type=row["content_type"],
        size=row["size"],
        storage_key=row["storage_key"],
        thumbnail_key=row["thumbnail_key"],
        width=row["width"],
        height=row["height"],
        conversation_id=row["conversation_id"],
        client_id=row["client_id"],
        internal=bool(row["internal"]),
    )
