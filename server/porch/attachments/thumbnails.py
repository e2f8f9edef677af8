"""Image checks and thumbnails with Pillow, bounded: a decompression bomb is refused
before it is decoded, and thumbnails are at most `SIZE` pixels a side."""

from __future__ import annotations

import io
from dataclasses import dataclass

from PIL import Image, UnidentifiedImageError

SIZE = 320
MAX_PIXELS = 40_000_000


@dataclass(frozen=True)
class Thumbnail:
    data: bytes
    width: int
    height: int


class BadImage(ValueError):
    """Says it is an image, does not decode as one (or is far too large)."""


def thumbnail(data: bytes) -> Thumbnail:
    """A WebP thumbnail and the original's size; BadImage if it does not decode."""
    try:
        with Image.open(io.BytesIO(data)) as image:
            width, height = image.size
            if width * height > MAX_PIXELS:
                raise BadImage("the image is too large")
            image.thumbnail((SIZE, SIZE))
            small = image.convert("RGBA") if image.mode not in ("RGB", "RGBA") else image
            out = io.BytesIO()
            small.save(out, "WEBP", quality=80)
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError) as exc:
        raise BadImage("the image cannot be read") from exc
    return Thumbnail(out.getvalue(), width, height)
