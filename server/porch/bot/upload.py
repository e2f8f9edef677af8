"""Reading a knowledge file sent from the panel: one multipart form (the CSRF token and one
file), bounded before it is parsed so a large or endless body never reaches the parser or
the disk. What the file is gets checked by its content later (knowledge.extract)."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from dataclasses import dataclass

from starlette.datastructures import FormData, UploadFile
from starlette.formparsers import MultiPartException, MultiPartParser
from starlette.requests import Request

from porch.bodies import BodyTooLarge, read_limited
from porch.bot.knowledge.store import MAX_FILE_BYTES
from porch.panel.forms import FormError

ENVELOPE_BYTES = 64 * 1024
"""Room for the form's other fields and the multipart headers around the file."""


@dataclass(frozen=True)
class Uploaded:
    csrf_token: str
    name: str
    data: bytes


async def read_upload(request: Request) -> Uploaded:
    """The form's token and file, or FormError (413 too large, 415 not multipart, 422
    no file)."""
    content_type = request.headers.get("content-type", "").lower()
    if not content_type.startswith("multipart/form-data"):
        raise FormError(415, "Send the file with the upload form.")
    try:
        body = await read_limited(request, MAX_FILE_BYTES + ENVELOPE_BYTES)
    except BodyTooLarge:
        raise FormError(413, f"Files are at most {MAX_FILE_BYTES // 1_000_000} MB.") from None
    form = await _parse(request, body)
    try:
        return await _uploaded(form)
    finally:
        await form.close()


async def _uploaded(form: FormData) -> Uploaded:
    token = form.get("csrf_token")
    upload = form.get("file")
    if not isinstance(upload, UploadFile) or not upload.filename:
        raise FormError(422, "Choose a file to upload.")
    data = await upload.read()
    if not data:
        raise FormError(422, f"{upload.filename} is empty.")
    if len(data) > MAX_FILE_BYTES:
        raise FormError(413, f"Files are at most {MAX_FILE_BYTES // 1_000_000} MB.")
    name = upload.filename.replace("\\", "/").rsplit("/", 1)[-1][:200]
    return Uploaded(token if isinstance(token, str) else "", name, data)


async def _parse(request: Request, body: bytes) -> FormData:
    """Starlette's multipart parser over the bytes already read (one file, few fields)."""

    async def chunks() -> AsyncGenerator[bytes, None]:
        yield body

    parser = MultiPartParser(request.headers, chunks(), max_files=1, max_fields=5)
    try:
        return await parser.parse()
    except MultiPartException as error:
        raise FormError(400, f"The upload could not be read: {error.message}") from error
