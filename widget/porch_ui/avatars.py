"""An operator's avatar on their messages: the message's `author_avatar_url`, taken only
when it is one of this server's avatar paths (`/avatars/<sha256>.webp`), so a message can
never point an image at anything else.

Pure (no browser imports): unit-tested under CPython.
"""

PREFIX = "/avatars/"
SUFFIX = ".webp"
HEX = "0123456789abcdef"


def avatar_src(message: dict) -> str:
    """The avatar's path for an operator's message, or "" (initials then)."""
    if message.get("author") != "operator":
        return ""
    url = str(message.get("author_avatar_url") or "")
    digest = url[len(PREFIX) : -len(SUFFIX)]
    if not (url.startswith(PREFIX) and url.endswith(SUFFIX) and len(digest) == 64):
        return ""
    return url if all(c in HEX for c in digest) else ""
