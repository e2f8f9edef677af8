"""What a file is, from its bytes (never from its name), and whether a site accepts it.

`puremagic` reads the magic bytes of binary formats; plain text has none, so it is text
only when it decodes as UTF-8 with no control characters and does not look like markup a
browser would run (HTML, SVG, XML). Anything not positively recognised as an allowed type
is refused: a renamed executable is "unrecognised", not "application/pdf".
"""

from __future__ import annotations

import puremagic

KINDS: dict[str, frozenset[str]] = {
    "images": frozenset({"image/png", "image/jpeg", "image/gif", "image/webp"}),
    "pdf": frozenset({"application/pdf"}),
    "text": frozenset({"text/plain"}),
    "svg": frozenset({"image/svg+xml"}),  # only if a site allows it; always a download
}
DEFAULT_KINDS = ("images", "pdf", "text")
_MARKUP = (b"<!doctype", b"<html", b"<svg", b"<?xml", b"<script", b"<head", b"<body")
_BINARY_SIGNATURES = {
    b"\x89PNG\r\n\x1a\n": "image/png",
    b"\xff\xd8\xff": "image/jpeg",
    b"GIF87a": "image/gif",
    b"GIF89a": "image/gif",
    b"%PDF-": "application/pdf",
}


def allowed_types(kinds: list[str] | tuple[str, ...]) -> frozenset[str]:
    return frozenset().union(*(KINDS.get(kind, frozenset()) for kind in kinds))


def sniff(data: bytes) -> str | None:
    """The MIME type the content shows, or None when it is nothing we recognise."""
    head = data[:64]
    for signature, mime in _BINARY_SIGNATURES.items():
        if head.startswith(signature):
            return mime
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if _looks_like_svg(data):
        return "image/svg+xml"
    if _is_plain_text(data):
        return "text/plain"
    return _magic(data)


def _magic(data: bytes) -> str | None:
    try:
        found = puremagic.magic_string(data[:8192])
    except (puremagic.PureError, ValueError):
        return None
    return found[0].mime_type or None if found else None


def _looks_like_svg(data: bytes) -> bool:
    start = data[:1024].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return start.startswith((b"<svg", b"<?xml")) and b"<svg" in data[:4096].lower()


def _is_plain_text(data: bytes) -> bool:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    if any(ch < " " and ch not in "\t\n\r\f" for ch in text[:65536]):
        return False
    start = data[:1024].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return not start.startswith(_MARKUP)
