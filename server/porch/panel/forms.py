"""Small, strict parsing of the panel's url-encoded forms.

Starlette's form parser reads any size; panel forms are tiny, so anything big, oddly
encoded or oddly typed is refused with a 4xx before it reaches a handler.
"""

from __future__ import annotations

from urllib.parse import parse_qsl

from starlette.requests import Request

from porch.bodies import BodyTooLarge, read_limited

MAX_FORM_BYTES = 16 * 1024
MAX_FIELDS = 64  # the largest form (Settings → Help desk) has about 30


class FormError(Exception):
    def __init__(self, status_code: int, message: str) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.message = message


async def read_form(request: Request) -> dict[str, str]:
    """The form's fields (first value wins), or FormError (400/413/415)."""
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    try:
        body = await read_limited(request, MAX_FORM_BYTES)
    except BodyTooLarge:
        raise FormError(413, "The form is too large.") from None
    if content_type != "application/x-www-form-urlencoded":
        if not body and not content_type:
            return {}  # a bodiless POST: no fields at all
        raise FormError(415, "This form must be sent by the browser as a normal form.")
    try:
        text = body.decode("utf-8")
        pairs = parse_qsl(text, keep_blank_values=True, errors="strict", max_num_fields=MAX_FIELDS)
    except (UnicodeDecodeError, ValueError) as exc:
        raise FormError(400, "The form could not be read (bad encoding).") from exc
    form: dict[str, str] = {}
    for name, value in pairs:
        form.setdefault(name, value)
    return form


def field(form: dict[str, str], name: str, max_length: int) -> str:
    """A field's value; FormError(422) when it is longer than `max_length` characters."""
    value = form.get(name, "")
    if len(value) > max_length:
        raise FormError(422, f"The {name} field is too long.")
    if "\x00" in value:  # PostgreSQL refuses NUL in text; nobody types it
        raise FormError(400, f"The {name} field contains invalid characters.")
    return value
