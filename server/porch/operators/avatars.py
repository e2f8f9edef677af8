"""Operators' avatars: an image an operator uploads on their profile, checked by its
content with Pillow (PNG, JPEG, GIF or WebP that decodes; anything else is refused),
cropped to a centred square and resized to `SIZE` pixels, and kept as WebP in the
database (`operator_avatars`: a few KB, shared by every process without a file store).

Each avatar is named by a digest of its bytes (and its owner), which is its URL:
`/avatars/<digest>.webp` never changes content, so browsers cache it for a year and a
new avatar is a new URL. The digest is on the operator's row (`avatar_digest`), so the
messages they wrote carry it without another query (`porch.wire.message`).
"""

from __future__ import annotations

import hashlib
import io

import sqlalchemy as sa
from PIL import Image, ImageOps, UnidentifiedImageError
from sqlalchemy.ext.asyncio import AsyncConnection

from porch.db.engine import Database
from porch.db.metadata import utcnow
from porch.operators.service import OperatorError
from porch.operators.tables import operator_avatars, operators

SIZE = 128
MAX_UPLOAD = 5 * 1024 * 1024
MAX_PIXELS = 40_000_000
FORMATS = frozenset({"PNG", "JPEG", "GIF", "WEBP"})
PATH = "/avatars"
CONTENT_TYPE = "image/webp"


def avatar_url(digest: str) -> str:
    """The avatar's URL on this server (relative: the panel and widget frame are ours)."""
    return f"{PATH}/{digest}.webp"


def square(data: bytes) -> bytes:
    """The upload as a `SIZE`-pixel square WebP; OperatorError if it is not an image we
    take (by content, whatever its name), or one too large to decode safely."""
    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.format not in FORMATS:
                raise OperatorError("An avatar is a PNG, JPEG, GIF or WebP image.")
            width, height = image.size
            if width * height > MAX_PIXELS:
                raise OperatorError("This image is too large: use a smaller one.")
            image.draft("RGB", (SIZE * 2, SIZE * 2))  # a JPEG decodes at a fraction of its size
            upright = ImageOps.exif_transpose(image) or image  # a phone photo stands up
            mode = "RGBA" if "A" in upright.getbands() or "transparency" in image.info else "RGB"
            fitted = ImageOps.fit(upright.convert(mode), (SIZE, SIZE), Image.Resampling.LANCZOS)
            out = io.BytesIO()
            fitted.save(out, "WEBP", quality=85)
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError) as exc:
        if isinstance(exc, OperatorError):
            raise
        raise OperatorError("This file is not an image we can read.") from exc
    return out.getvalue()


def digest_of(operator_id: int, image: bytes) -> str:
    return hashlib.sha256(f"{operator_id}:".encode() + image).hexdigest()


class Avatars:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def set(self, operator_id: int, upload: bytes) -> str:
        """Check, resize and keep the operator's new avatar (replacing any): its digest."""
        image = square(upload)
        digest = digest_of(operator_id, image)
        async with self.db.begin() as conn:
            await conn.execute(
                operator_avatars.delete().where(operator_avatars.c.operator_id == operator_id)
            )
            await conn.execute(
                operator_avatars.insert().values(
                    operator_id=operator_id, digest=digest, image=image, created_at=utcnow()
                )
            )
            await _set_digest(conn, operator_id, digest)
        return digest

    async def remove(self, operator_id: int) -> None:
        """Back to initials."""
        async with self.db.begin() as conn:
            await conn.execute(
                operator_avatars.delete().where(operator_avatars.c.operator_id == operator_id)
            )
            await _set_digest(conn, operator_id, None)

    async def image(self, digest: str) -> bytes | None:
        query = sa.select(operator_avatars.c.image).where(operator_avatars.c.digest == digest)
        async with self.db.connect() as conn:
            found: bytes | None = await conn.scalar(query)
        return found


async def _set_digest(conn: AsyncConnection, operator_id: int, digest: str | None) -> None:
    await conn.execute(
        operators.update().where(operators.c.id == operator_id).values(avatar_digest=digest)
    )
