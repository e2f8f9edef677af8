"""Fetching a shop's pages for the knowledge base, safely: only http(s), never to loopback,
private, link-local or reserved addresses (unless the site's admin allows private ones,
for an intranet shop), every redirect checked the same way, bounded in size and time."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from urllib.parse import urljoin

import httpx

from porch.outbound import TargetRefused, check_url, pinned_client

MAX_BYTES = 5_000_000
TIMEOUT_SECONDS = 15.0
MAX_REDIRECTS = 5
USER_AGENT = "PorchBot/1.0 (+knowledge base fetcher)"


class FetchRefused(Exception):
    """The URL may not or could not be fetched; the message says why, for the panel."""


@dataclass(frozen=True)
class Fetched:
    url: str
    content_type: str
    body: bytes


async def fetch(url: str, *, allow_private: bool = False) -> Fetched:
    """GET `url`, following redirects one checked hop at a time (each hop's address is
    checked and connected to as checked: `pinned_client`)."""
    async with pinned_client(
        allow_private, timeout=TIMEOUT_SECONDS, headers={"User-Agent": USER_AGENT}
    ) as client:
        for _hop in range(MAX_REDIRECTS + 1):
            try:
                check_url(url)  # before httpx parses it: a bad host is refused, not raised
                async with asyncio.timeout(TIMEOUT_SECONDS):
                    response = await _get(client, url)
            except TargetRefused as refused:
                raise FetchRefused(f"{url[:200]}: {refused}") from None
            except (httpx.HTTPError, httpx.InvalidURL, TimeoutError) as error:
                raise FetchRefused(
                    f"could not fetch {url[:200]}: {type(error).__name__}"
                ) from error
            if isinstance(response, str):
                url = urljoin(url, response)
                continue
            return response
    raise FetchRefused(f"too many redirects from {url[:200]}")


async def _get(client: httpx.AsyncClient, url: str) -> Fetched | str:
    """The page, or the next URL of a redirect."""
    async with client.stream("GET", url) as response:
        if response.is_redirect and "location" in response.headers:
            return response.headers["location"]
        if response.status_code != 200:
            raise FetchRefused(f"{url[:200]} answered HTTP {response.status_code}")
        body = bytearray()
        async for piece in response.aiter_bytes():
            body += piece
            if len(body) > MAX_BYTES:
                raise FetchRefused(f"{url[:200]} is larger than {MAX_BYTES // 1_000_000} MB")
        content_type = response.headers.get("content-type", "").split(";")[0].strip()
        return Fetched(str(response.url), content_type, bytes(body))
