"""Which web origins may embed a site's widget: exact origins or `https://*.example.com`."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

_DEFAULT_PORTS = {"http": 80, "https": 443}
_HOST = re.compile(r"[a-z0-9_.-]+|[0-9a-f:.]+:[0-9a-f:.]*")
"""What a browser puts in an Origin: an ASCII (punycode) name or address, IPv6 unbracketed."""


def normalize_origin(origin: str) -> str | None:
    """`scheme://host[:port]` in canonical form (lowercase, default port dropped), or None."""
    try:
        parts = urlsplit(origin.strip())
        port = parts.port
    except ValueError:
        return None
    if parts.scheme not in _DEFAULT_PORTS or not parts.hostname:
        return None
    if parts.path not in ("", "/") or parts.query or parts.fragment or parts.username:
        return None
    host = parts.hostname.lower()
    if not _HOST.fullmatch(host):
        return None
    if ":" in host:
        host = f"[{host}]"
    if port is None or port == _DEFAULT_PORTS[parts.scheme]:
        return f"{parts.scheme}://{host}"
    return f"{parts.scheme}://{host}:{port}"


def origin_matches(origin: str, pattern: str) -> bool:
    wildcard = "://*." in pattern
    candidate = normalize_origin(origin)
    allowed = normalize_origin(pattern.replace("://*.", "://", 1) if wildcard else pattern)
    if candidate is None or allowed is None:
        return False
    if not wildcard:
        return candidate == allowed
    # `https://*.example.com` allows any subdomain, not the bare domain nor another scheme/port.
    scheme, rest = allowed.split("://", 1)
    return candidate.startswith(f"{scheme}://") and candidate.endswith(f".{rest}")


def origin_allowed(origin: str, patterns: list[str]) -> bool:
    return any(origin_matches(origin, pattern) for pattern in patterns)


def is_own_origin(origin: str, base_url: str, scheme: str, host: str) -> bool:
    """Porch's own pages: the configured base URL, or the host this request was sent to."""
    own = {normalize_origin(base_url), normalize_origin(f"{scheme}://{host}")}
    return normalize_origin(origin) in own - {None}
