"""Support addresses, per-thread reply addresses and our Message-IDs.

A ticket's reply address is the support address with a tag: `support+t1042.<token>@…`
(`c` and a conversation id for a chat followed up by mail). The token is an HMAC of the
site and the thread under the server's secret, so a tag cannot be guessed from a
reference: it proves the sender got our mail.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass

TAG = re.compile(r"^([tc])(\d{1,12})\.([a-z2-7]{12})$")


@dataclass(frozen=True)
class Tag:
    kind: str  # t: a ticket's reference; c: a conversation's id
    number: int
    token: str


def split(address: str) -> tuple[str, str, str]:
    """`support+tag@Shop.example` as ("support", "tag", "shop.example")."""
    local, _, domain = address.strip().lower().rpartition("@")
    base, _, tag = local.partition("+")
    return base, tag, domain


def same_mailbox(address: str, support: str) -> bool:
    """`address` is the support address, with or without a tag."""
    base, _, domain = split(address)
    support_base, _, support_domain = split(support)
    return bool(base) and (base, domain) == (support_base, support_domain)


def token(secret: str, site_id: int, kind: str, number: int) -> str:
    digest = hmac.new(secret.encode(), f"{site_id}:{kind}{number}".encode(), hashlib.sha256)
    return base64.b32encode(digest.digest()).decode().lower()[:12]


def reply_address(support: str, secret: str, site_id: int, kind: str, number: int) -> str:
    base, _, domain = split(support)
    return f"{base}+{kind}{number}.{token(secret, site_id, kind, number)}@{domain}"


def tag_of(address: str, support: str, secret: str, site_id: int) -> Tag | None:
    """The thread a reply address names, if its token is right."""
    if not same_mailbox(address, support):
        return None
    found = TAG.match(split(address)[1])
    if found is None:
        return None
    kind, number, given = found.group(1), int(found.group(2)), found.group(3)
    if not hmac.compare_digest(given, token(secret, site_id, kind, number)):
        return None
    return Tag(kind, number, given)


def new_message_id(support: str, once: str | None = None) -> str:
    """A Message-ID of ours (without <>): random, so nobody can reference it unseen; or,
    for a mail to write once per `once` key, a digest of the key."""
    unique = hashlib.sha256(once.encode()).hexdigest()[:24] if once else secrets.token_hex(12)
    return f"porch.{unique}@{split(support)[2] or 'porch.invalid'}"


def thread_index(conversation_id: int, created: float) -> str:
    """Outlook's `Thread-Index` for a thread: the same 22 bytes for every mail in it (6 of
    time, 16 of identity), base64, so Outlook groups them as it does `Thread-Topic`."""
    ticks = int((created + 11644473600) * 10_000_000)  # FILETIME: 100 ns since 1601
    head = ticks.to_bytes(8, "big")[:6]
    body = hashlib.md5(f"porch-thread:{conversation_id}".encode()).digest()
    return base64.b64encode(head + body).decode()
