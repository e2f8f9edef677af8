"""Reading a request body with a size limit, shared by every edge that takes one."""

from __future__ import annotations

from starlette.requests import Request


class BodyTooLarge(Exception):
    """The body is over the limit (by its declared length, or while it was read)."""


async def read_limited(request: Request, max_bytes: int) -> bytes:
    """The whole body, or BodyTooLarge without reading more than `max_bytes` of it."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise BodyTooLarge
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > max_bytes:
            raise BodyTooLarge
        chunks.append(chunk)
    return b"".join(chunks)
