"""Where the server's outbound HTTP may go (webhooks, flows' webhook action, knowledge
pages): never to loopback, private, link-local or otherwise non-public addresses unless an
admin allowed it (per webhook endpoint or site, or for the whole install with
`PORCH_ALLOW_PRIVATE_TARGETS=1`). Callers check a URL when it is saved, and send with
`pinned_client` (or `PinnedTransport`): each request's host is resolved once, the
addresses checked, and the connection made to the checked address itself, so a DNS answer
that changes between the check and the connection (DNS rebinding) cannot reach a private
address. No redirect is followed unchecked."""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import urlsplit

import httpx

MAX_URL = 2000
MAX_PINNED_HOSTS = 64
"""Connection pools kept by one `PinnedTransport` (one per host name)."""
Resolver = Callable[[str], Awaitable[list[str]]]
"""A host name's addresses (`resolve`; tests give their own)."""


class TargetRefused(ValueError):
    """Not a URL the server may call; the message says why, in a site owner's words."""


def check_url(url: str) -> str:
    """The URL's host, or TargetRefused when it is no http(s) URL with a host (credentials
    in a URL are refused too: they would end up in logs and delivery records)."""
    if len(url) > MAX_URL:
        raise TargetRefused(f"a URL has at most {MAX_URL} characters")
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 (raises on a bad port)
    except ValueError:
        raise TargetRefused("not a URL") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise TargetRefused("only http:// and https:// URLs with a host")
    if parts.username or parts.password:
        raise TargetRefused("put no credentials in the URL")
    try:
        parts.hostname.encode("idna")
        httpx.URL(url)  # httpx's IDNA 2008 rules are stricter than the codec's
    except (UnicodeError, httpx.InvalidURL):
        raise TargetRefused("not a valid host name") from None
    return parts.hostname


def is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address)
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


async def resolve(host: str) -> list[str]:
    try:
        ipaddress.ip_address(host)
        return [host]
    except ValueError:
        pass
    loop = asyncio.get_running_loop()
    try:
        infos = await loop.getaddrinfo(host, None, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as exc:
        raise TargetRefused(f"cannot resolve {host}: {exc}") from None
    return sorted({str(info[4][0]) for info in infos})


async def check_target(url: str, allow_private: bool) -> None:
    """TargetRefused unless every address the URL's host resolves to is public (or
    private ones are allowed). For a URL being saved; sending uses `pinned_client`."""
    check_url(url)
    if not allow_private:
        await checked_address(url, allow_private)


async def checked_address(url: str, allow_private: bool, resolver: Resolver | None = None) -> str:
    """The address to connect to for `url`: its host resolved once, every address public
    (or private ones allowed); TargetRefused otherwise."""
    host = check_url(url)
    if not allow_private and (host.lower() == "localhost" or host.lower().endswith(".localhost")):
        raise TargetRefused(f"{host} is a private or local address; an admin can allow it")
    addresses = await (resolver or resolve)(host)
    if not addresses:
        raise TargetRefused(f"cannot resolve {host}")
    for address in addresses if not allow_private else ():
        if not is_public(address):
            raise TargetRefused(
                f"{host} is a private or local address ({address}); an admin can allow it"
            )
    return addresses[0]


class PinnedTransport(httpx.AsyncBaseTransport):
    """Sends each request to the address `checked_address` gave for its host, keeping the
    name for the `Host` header and TLS (SNI and certificate checks). Connections are
    pooled per host name, so a connection made for one name never carries another's
    requests. Raises TargetRefused (not an httpx error) for a refused target."""

    def __init__(
        self, allow_private: bool = False, resolver: Resolver | None = None, **options: Any
    ) -> None:
        self.allow_private = allow_private
        self.resolver = resolver or resolve
        self.options = options
        """For each host's `httpx.AsyncHTTPTransport` (limits, retries…)."""
        self._pools: OrderedDict[str, httpx.AsyncHTTPTransport] = OrderedDict()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        host = request.url.host
        address = await checked_address(str(request.url), self.allow_private, self.resolver)
        extensions = dict(request.extensions)
        if request.url.scheme == "https":
            extensions["sni_hostname"] = host
        pinned = httpx.Request(
            request.method,
            request.url.copy_with(host=address),
            headers=request.headers,  # with the name's Host header, made by httpx
            stream=request.stream,
            extensions=extensions,
        )
        return await (await self._pool(host)).handle_async_request(pinned)

    async def _pool(self, host: str) -> httpx.AsyncHTTPTransport:
        pool = self._pools.pop(host, None) or httpx.AsyncHTTPTransport(**self.options)
        self._pools[host] = pool
        while len(self._pools) > MAX_PINNED_HOSTS:
            await self._pools.popitem(last=False)[1].aclose()
        return pool

    async def aclose(self) -> None:
        while self._pools:
            await self._pools.popitem()[1].aclose()


def pinned_client(
    allow_private: bool = False, resolver: Resolver | None = None, **client_options: Any
) -> httpx.AsyncClient:
    """An `httpx.AsyncClient` whose requests go through `PinnedTransport` (redirects are
    not followed unless the caller asks: each hop would be checked and pinned again)."""
    transport = PinnedTransport(allow_private, resolver)
    client_options.setdefault("follow_redirects", False)
    return httpx.AsyncClient(transport=transport, **client_options)
